/**
 * @module The sweep: the safety net that makes a lost enqueue or a killed worker cost lateness,
 * never a post. Every worker runs it on its own timer (`engine.ts`); running it twice is harmless
 * (singleton jobs, compare-and-swap claims). Its four jobs, as named steps, in this order:
 *
 * 1. {@link Sweep.resumeReconnected}: blocked posts whose account was reconnected since, scheduled
 *    again now.
 * 2. {@link Sweep.enqueueDue}: schedule occurrences that are due fired (the next minute's
 *    enqueued), posts due within the minute enqueued.
 * 3. {@link Sweep.warmTokens}: tokens refreshed ahead of the posts due in the next ten minutes.
 * 4. {@link Sweep.resolveStuck}: posts left `publishing` or `unknown` past the stale time looked
 *    at again (a stale claim becomes `unknown`; an unknown outcome is looked up on X).
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
import type { TokenVault } from '../vault/vault.ts';
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
  vault: TokenVault;
  publisher: Publisher;
  clock: Clock;
  logger: Pick<Logger, 'warn'> | undefined;
  fire(scheduleId: string, at: number): Promise<void>;
  enqueueFire(scheduleId: string, at: number): Promise<void>;
  enqueuePublish(postId: string, dueAt: number): Promise<void>;
}

/** Schedules due this soon get their job now; posts this soon are enqueued (ms). */
const ENQUEUE_AHEAD_MS = 60_000;
/** Tokens are refreshed for posts due this soon (ms)… */
const WARM_AHEAD_MS = 10 * 60_000;
/** …to last this long past the post's due time (ms). */
const WARM_SPARE_MS = 5 * 60_000;

type DuePost = { id: string; dueAt: number; accountId: string };

export class Sweep {
  readonly #d: SweepDeps;
  #errors = 0;

  constructor(deps: SweepDeps) {
    this.#d = deps;
  }

  /** The four steps, one after the other. */
  async run(): Promise<SweepResult> {
    const now = this.#d.clock.now();
    this.#errors = 0;
    const resumed = await this.resumeReconnected();
    const { fired, enqueued, due } = await this.enqueueDue(now);
    this.warmTokens(due, now);
    const resolved = await this.resolveStuck();
    return { enqueued, resolved, resumed, fired, errors: this.#errors };
  }

  /** Step 1: blocked posts of reconnected accounts, scheduled again. */
  async resumeReconnected(): Promise<number> {
    return ((await this.#guarded(() => resumeReconnected(this.#d.db))) ?? []).length;
  }

  /** Step 2: due occurrences fired (the next minute's enqueued), due posts enqueued. */
  async enqueueDue(now: number): Promise<{ fired: number; enqueued: number; due: DuePost[] }> {
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
    const due = (await this.#guarded(() => duePosts(db, now + WARM_AHEAD_MS, 5000))) ?? [];
    for (const p of due) {
      if (p.dueAt > now + ENQUEUE_AHEAD_MS) continue;
      if ((await this.#guarded(() => this.#d.enqueuePublish(p.id, p.dueAt))) !== undefined) enqueued += 1;
    }
    return { fired, enqueued, due };
  }

  /**
   * Step 3: tokens refreshed ahead of due posts, spread over the minutes before them. Not awaited:
   * an account waiting on another process's lease must not hold up the sweep.
   */
  warmTokens(due: DuePost[], now: number): void {
    const warmed = new Set<string>();
    for (const p of due) {
      if (warmed.has(p.accountId)) continue;
      warmed.add(p.accountId);
      void this.#d.vault
        .getAccessToken(p.accountId, { minValidityMs: p.dueAt - now + WARM_SPARE_MS })
        .catch(() => undefined);
    }
  }

  /** Step 4: posts stuck past the stale time looked at again; those settled now are counted. */
  async resolveStuck(): Promise<number> {
    const { db, publisher } = this.#d;
    let resolved = 0;
    for (const s of (await this.#guarded(() => stuckPosts(db, publisher.staleMs, 200))) ?? []) {
      const r = await this.#guarded(() => publisher.publish(s.id));
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
