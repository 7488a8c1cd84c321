/**
 * @module The sweep: the safety net that makes a lost enqueue or a killed worker cost lateness,
 * never a post. Every worker runs it on its own timer (`engine.ts`); running it twice is harmless
 * (singleton jobs, compare-and-swap claims). Its jobs, as named steps, in this order:
 *
 * 1. {@link Sweep.resumeReconnected}: blocked posts whose account was reconnected since, scheduled
 *    again now.
 * 2. {@link Sweep.enqueueDue}: schedule occurrences that are due fired (the next minute's
 *    enqueued), posts due within the minute enqueued (in bulk; a job already queued for the same
 *    post and due time stays as it is).
 * 3. {@link Sweep.resolveStuck}: posts left `publishing` or `unknown` past the stale time looked
 *    at again (a stale claim becomes `unknown`; an unknown outcome is looked up on X).
 *
 * Tokens for the posts due soon are not the sweep's job: the pre-warmer (`prewarm.ts`) refreshes
 * them ahead, at its own pace, so that a peak of due posts costs no refresh at the due instant.
 *
 * Each step, and each item within it, fails on its own: one bad row must not stop the net for
 * the rest. A failure is counted and reported; the next sweep tries again.
 */
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../ops/logger.ts';
import type { Db } from '../store/db.ts';
import { duePosts, stuckPosts } from '../store/posts.ts';
import { dueSchedules } from '../store/schedules.ts';
import { resumeReconnected } from '../store/sweeps.ts';
import type { Publisher } from './publisher.ts';

/** What one sweep did. */
export interface SweepResult {
  enqueued: number;
  resolved: number;
  resumed: number;
  fired: number;
  errors: number;
}

/** What the sweep needs of the engine. */
export interface SweepDeps {
  db: Db;
  publisher: Publisher;
  clock: Clock;
  logger: Pick<Logger, 'warn'> | undefined;
  fire(scheduleId: string, at: number): Promise<void>;
  enqueueFire(scheduleId: string, at: number): Promise<void>;
  enqueuePublishMany(posts: { id: string; dueAt: number }[]): Promise<void>;
}

/** Schedules due this soon get their job now; posts this soon are enqueued (ms). */
const ENQUEUE_AHEAD_MS = 60_000;

export class Sweep {
  readonly #d: SweepDeps;
  #errors = 0;

  constructor(deps: SweepDeps) {
    this.#d = deps;
  }

  /** The steps, one after the other. */
  async run(): Promise<SweepResult> {
    const now = this.#d.clock.now();
    this.#errors = 0;
    const resumed = await this.resumeReconnected();
    const { fired, enqueued } = await this.enqueueDue(now);
    const resolved = await this.resolveStuck();
    return { enqueued, resolved, resumed, fired, errors: this.#errors };
  }

  /** Step 1: blocked posts of reconnected accounts, scheduled again. */
  async resumeReconnected(): Promise<number> {
    return ((await this.#guarded(() => resumeReconnected(this.#d.db))) ?? []).length;
  }

  /** Step 2: due occurrences fired (the next minute's enqueued), due posts enqueued. */
  async enqueueDue(now: number): Promise<{ fired: number; enqueued: number }> {
    const { db } = this.#d;
    let fired = 0;
    for (const s of (await this.#guarded(() => dueSchedules(db, now + ENQUEUE_AHEAD_MS))) ?? []) {
      if (s.nextAt === null) continue;
      const at = s.nextAt;
      if (at <= now) {
        await this.#guarded(() => this.#d.fire(s.id, at));
        fired += 1;
      } else await this.#guarded(() => this.#d.enqueueFire(s.id, at));
    }
    let enqueued = 0;
    const due = (await this.#guarded(() => duePosts(db, now + ENQUEUE_AHEAD_MS, 5000))) ?? [];
    if ((await this.#guarded(() => this.#d.enqueuePublishMany(due))) !== undefined) enqueued = due.length;
    return { fired, enqueued };
  }

  /** Step 3: posts stuck past the stale time looked at again; those settled now are counted. */
  async resolveStuck(): Promise<number> {
    const { db, publisher } = this.#d;
    let resolved = 0;
    for (const s of (await this.#guarded(() => stuckPosts(db, publisher.staleMs, 200))) ?? []) {
      // Found published: a thread's next part, released by it, goes out now too.
      const r = (await this.#guarded(() => publisher.publishOnward(s.id)))?.result;
      if (r && r.kind !== 'busy' && r.kind !== 'unknown') resolved += 1;
    }
    return resolved;
  }

  async #guarded<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.#errors += 1;
      this.#d.logger?.warn({ err: e }, 'a sweep step failed; the next sweep tries again');
      return undefined;
    }
  }
}
