/**
 * @module The job engine: pg-boss on the same PostgreSQL (or the embedded PGlite). Jobs:
 * - `rotor-publish` `{ postId }`: publish one post at its due time (one job per post at a time);
 * - `rotor-fire` `{ scheduleId, at }`: an occurrence of a recurring schedule or a queue slot;
 * - the sweep (every minute, on each worker's own timer; its steps in `sweep.ts`): resumes
 *   posts of reconnected accounts, re-enqueues what is due, resolves stuck posts — the safety net
 *   that makes a lost enqueue or a killed worker cost lateness, never a post;
 * - the pre-warmer (`prewarm.ts`): tokens for posts due soon refreshed ahead, at a set pace;
 * - `rotor-metrics` (hourly): records each account's public metrics.
 * `rotor worker` runs the workers; start more of them, on more machines, against one PostgreSQL.
 */
import { PgBoss, fromPglite, type PGliteLike } from 'pg-boss';
import { systemClock, type Clock } from '../core/clock.ts';
import { isRotorError } from '../core/errors.ts';
import type { Logger } from '../ops/logger.ts';
import type { Db } from '../store/db.ts';
import { insertPost, takeQueuedDraft } from '../store/posts.ts';
import { claimManyForPublishing, type ClaimedPost } from '../store/post-claims.ts';
import { advanceSchedule, getSchedule } from '../store/schedules.ts';
import { activeAccountIds } from '../store/sweeps.ts';
import { saveMetrics } from '../store/x-limits.ts';
import type { TokenVault } from '../vault/vault.ts';
import type { XClient } from '../x/client.ts';
import { Prewarmer, type PrewarmOptions } from './prewarm.ts';
import type { Publisher } from './publisher.ts';
import { nextOccurrence } from './recurrence.ts';
import { Sweep, type SweepResult } from './sweep.ts';
import { renderTemplate } from './template.ts';

export const QUEUES = {
  publish: 'rotor-publish',
  fire: 'rotor-fire',
  metrics: 'rotor-metrics',
} as const;

/** Occurrences older than this when they fire are skipped (after downtime), not posted late. */
const MISSED_GRACE_MS = 30 * 60_000;

/** Publish jobs fetched per poll by each local worker loop. */
const PUBLISH_BATCH = 8;

export interface EngineOptions {
  db: Db;
  vault: TokenVault;
  x: XClient;
  publisher: Publisher;
  clock?: Clock;
  /**
   * Publish jobs a worker runs at once. Default 64: a post spends almost all of its time waiting
   * for X's answer (hundreds of ms), so a worker needs many in flight to keep up.
   */
  concurrency?: number;
  /** Seconds an active job may run before pg-boss hands it to another worker. Default 120. */
  jobExpireSeconds?: number;
  /** How often idle workers look for jobs (s). Default 1. */
  pollingIntervalSeconds?: number;
  /** How often each worker runs the sweep (s). Default 60. */
  sweepIntervalSeconds?: number;
  /**
   * Pre-warming of the tokens that posts due soon need (see {@link Prewarmer}): its window and
   * rate. `false`: none (tests that count refreshes).
   */
  prewarm?: Pick<PrewarmOptions, 'windowMs' | 'perSecond'> | false;
  /** Where a failed sweep step or a pg-boss error is reported (the sweep itself carries on). */
  logger?: Pick<Logger, 'warn'>;
}

export class Engine {
  readonly boss: PgBoss;
  readonly #o: Required<Omit<EngineOptions, 'clock' | 'logger' | 'prewarm'>> & {
    clock: Clock;
    logger: EngineOptions['logger'];
  };
  readonly #prewarmer: Prewarmer | undefined;

  /** `client: true` (a short CLI command): only sends jobs; no cron, no maintenance. */
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;

  constructor(o: EngineOptions & { client?: boolean }) {
    this.#o = {
      concurrency: 64,
      jobExpireSeconds: 120,
      pollingIntervalSeconds: 1,
      sweepIntervalSeconds: 60,
      ...o,
      clock: o.clock ?? systemClock,
      logger: o.logger,
    };
    this.#prewarmer =
      o.client || o.prewarm === false
        ? undefined
        : new Prewarmer({ db: o.db, vault: o.vault, clock: this.#o.clock, logger: o.logger, ...o.prewarm });
    const native = o.db.native;
    // Workers look for jobs whose holder died (expired) every 15 s instead of pg-boss's 60 s, so a
    // post held by a killed worker is handed on soon after its job expires (found by the chaos run).
    const quiet = o.client ? { schedule: false, supervise: false } : { superviseIntervalSeconds: 15 };
    this.boss =
      native.kind === 'postgres'
        ? new PgBoss({ connectionString: native.url, max: o.client ? 2 : 6, ...quiet })
        : new PgBoss({ db: fromPglite(native.instance as PGliteLike), backend: 'pglite', ...quiet });
    this.boss.on('error', (e) => this.#o.logger?.warn({ err: e }, 'job engine error'));
  }

  /** Creates pg-boss's schema and Rotor's queues (idempotent); `work` also starts the workers. */
  async start(opts: { work: boolean }): Promise<void> {
    await this.boss.start();
    const jobs = { expireInSeconds: this.#o.jobExpireSeconds, retryLimit: 5, retryDelay: 2 };
    const queues: [string, typeof jobs][] = [
      [QUEUES.publish, jobs],
      [QUEUES.fire, jobs],
      [QUEUES.metrics, { expireInSeconds: 600, retryLimit: 1, retryDelay: 60 }],
    ];
    for (const [name, options] of queues) {
      await this.boss.createQueue(name, { policy: 'exclusive', ...options });
      // createQueue leaves an existing queue as it was: apply changed settings too.
      await this.boss.updateQueue(name, options);
    }
    if (!opts.work) return;
    await this.boss.schedule(QUEUES.metrics, '17 * * * *');
    // Every worker sweeps on its own timer; sweeps are idempotent (singleton jobs, compare-and-swap).
    this.#sweeper = setInterval(() => {
      if (this.#sweeping) return;
      this.#sweeping = this.sweep()
        .catch(() => undefined)
        .finally(() => (this.#sweeping = undefined));
    }, this.#o.sweepIntervalSeconds * 1000);
    this.#sweeper.unref();
    this.#prewarmer?.start();
    const poll = { pollingIntervalSeconds: this.#o.pollingIntervalSeconds };
    await this.boss.work<{ postId: string }>(
      QUEUES.publish,
      // Batches of 8 fetched back to back while they come full; `concurrency` posts in flight.
      {
        ...poll,
        batchSize: PUBLISH_BATCH,
        burstWhenBatchFull: true,
        localConcurrency: Math.max(1, Math.round(this.#o.concurrency / PUBLISH_BATCH)),
      },
      async (jobs) => {
        // The batch's posts are claimed in one statement; a post it did not claim (not due, held
        // elsewhere, a second job for the same post) goes through its own claim as before.
        const claims = await claimManyForPublishing(
          this.#o.db,
          jobs.map((job) => job.data.postId),
        ).catch(() => new Map<string, ClaimedPost>());
        const take = (postId: string) => {
          const claim = claims.get(postId);
          claims.delete(postId);
          return claim;
        };
        // One post's failure must not fail its batch-mates: the claim makes a redo harmless, but
        // the sweep, not a batch retry, is what picks a failed one up again.
        await Promise.allSettled(jobs.map((job) => this.#publish(job.data.postId, take(job.data.postId))));
      },
    );
    await this.boss.work<{ scheduleId: string; at: number }>(
      QUEUES.fire,
      { ...poll, batchSize: 1 },
      async ([job]) => {
        if (job) await this.fire(job.data.scheduleId, job.data.at);
      },
    );
    await this.boss.work(QUEUES.metrics, poll, async () => {
      await this.recordMetrics();
    });
  }

  async stop(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#prewarmer?.stop();
    await this.#sweeping;
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }

  /**
   * Enqueues the publication of a post at its due time: one job per post and due time (the claim
   * in the publisher, not the queue, is what makes a post go out at most once).
   */
  async enqueuePublish(postId: string, dueAt: number): Promise<void> {
    await this.boss.send(
      QUEUES.publish,
      { postId },
      { startAfter: new Date(dueAt), singletonKey: `${postId}:${dueAt}` },
    );
  }

  /** Enqueues many posts at once (bulk import, benchmarks). */
  async enqueuePublishMany(posts: { id: string; dueAt: number }[]): Promise<void> {
    for (let i = 0; i < posts.length; i += 1000) {
      await this.boss.insert(
        QUEUES.publish,
        posts.slice(i, i + 1000).map((p) => ({
          data: { postId: p.id },
          startAfter: new Date(p.dueAt),
          singletonKey: `${p.id}:${p.dueAt}`,
        })),
      );
    }
  }

  async enqueueFire(scheduleId: string, at: number): Promise<void> {
    await this.boss.send(
      QUEUES.fire,
      { scheduleId, at },
      { startAfter: new Date(at), singletonKey: `${scheduleId}:${at}` },
    );
  }

  async #publish(postId: string, claimed?: ClaimedPost): Promise<void> {
    // A thread goes on to its next part in this job (each part claimed on its own).
    const last = await this.#o.publisher.publishOnward(postId, claimed);
    const { result } = last;
    if (result.kind === 'rescheduled' || result.kind === 'not_due')
      await this.enqueuePublish(last.postId, result.dueAt);
  }

  /**
   * One occurrence of a schedule: advance `next_at` by compare-and-swap (so two workers firing the
   * same occurrence post once), create the post (recurring: the rendered template; queue: the next
   * queued draft), enqueue it and the next occurrence.
   */
  async fire(scheduleId: string, at: number): Promise<void> {
    const { db } = this.#o;
    const schedule = await getSchedule(db, scheduleId);
    if (!schedule || schedule.paused || schedule.nextAt !== at) return;
    // After downtime, occurrences long past are skipped, not posted in a burst (as resume does).
    const now = this.#o.clock.now();
    const stale = at < now - MISSED_GRACE_MS;
    const next = nextOccurrence(schedule.cron, schedule.tz, stale ? now : at);
    const post = await db.transaction(async (tx) => {
      const advanced = await advanceSchedule(tx, scheduleId, at, next);
      if (!advanced || stale) return undefined;
      if (schedule.kind === 'queue') return takeQueuedDraft(tx, schedule.accountId, at, scheduleId);
      return insertPost(tx, {
        accountId: schedule.accountId,
        text: renderTemplate(schedule.template ?? '', at, schedule.tz, advanced.counter),
        status: 'scheduled',
        dueAt: at,
        scheduleId,
        occurrenceAt: at,
      });
    });
    if (post) await this.enqueuePublish(post.id, at);
    await this.enqueueFire(scheduleId, next);
  }

  /** One sweep, its four steps in `sweep.ts`; each worker runs it every `sweepIntervalSeconds`. */
  sweep(): Promise<SweepResult> {
    const { db, publisher, clock, logger } = this.#o;
    return new Sweep({
      db,
      publisher,
      clock,
      logger,
      fire: (id, at) => this.fire(id, at),
      enqueueFire: (id, at) => this.enqueueFire(id, at),
      enqueuePublishMany: (posts) => this.enqueuePublishMany(posts),
    }).run();
  }

  /** Records followers, following and post counts of every active account (for the charts). */
  async recordMetrics(): Promise<number> {
    const { db, vault, x } = this.#o;
    let recorded = 0;
    const at = Math.floor(this.#o.clock.now() / 60_000) * 60_000;
    for (const accountId of await activeAccountIds(db)) {
      try {
        const token = await vault.getAccessToken(accountId);
        const me = await x.me(token.accessToken);
        if ('error' in me) continue;
        await saveMetrics(db, {
          accountId,
          at,
          followers: me.followers,
          following: me.following,
          posts: me.posts,
        });
        recorded += 1;
      } catch (e) {
        if (!isRotorError(e)) throw e;
      }
    }
    return recorded;
  }
}
