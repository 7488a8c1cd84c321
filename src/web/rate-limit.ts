/**
 * @module Rate limits for the web app (sign-in starts, OAuth callbacks, API-key failures, the
 * token broker): fixed windows per client address and per key, answered with `429` and
 * `Retry-After`. The count lives in memory for the embedded database (one process serves), and
 * in PostgreSQL when it is the database, so that every process serving shares one count.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Clock } from '../core/clock.ts';
import { RotorError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { dropEndedWindows, hitWindow, peekWindow, type WindowCount } from '../store/rate-limits.ts';
import type { RateLimits, RateRule } from './security-config.ts';

/** Where windows are counted. */
export interface RateStore {
  hit(bucket: string, windowMs: number): Promise<WindowCount>;
  peek(bucket: string): Promise<WindowCount>;
}

/** Windows in this process's memory (embedded mode: one process serves). */
export function memoryRateStore(clock: Clock): RateStore {
  const windows = new Map<string, { hits: number; resetsAt: number }>();
  let nextSweep = 0;
  const live = (bucket: string, now: number) => {
    const w = windows.get(bucket);
    return w && w.resetsAt > now ? w : undefined;
  };
  return {
    hit(bucket, windowMs) {
      const now = clock.now();
      if (now >= nextSweep) {
        for (const [k, w] of windows) if (w.resetsAt <= now) windows.delete(k);
        nextSweep = now + 60_000;
      }
      const w = live(bucket, now) ?? { hits: 0, resetsAt: now + windowMs };
      w.hits += 1;
      windows.set(bucket, w);
      return Promise.resolve({ hits: w.hits, resetInMs: w.resetsAt - now });
    },
    peek(bucket) {
      const now = clock.now();
      const w = live(bucket, now);
      return Promise.resolve(w ? { hits: w.hits, resetInMs: w.resetsAt - now } : { hits: 0, resetInMs: 0 });
    },
  };
}

/** Windows in PostgreSQL, shared by every process. */
export function databaseRateStore(db: Db, clock: Clock): RateStore {
  let nextSweep = 0;
  return {
    async hit(bucket, windowMs) {
      if (clock.now() >= nextSweep) {
        nextSweep = clock.now() + 60_000;
        await dropEndedWindows(db);
      }
      return hitWindow(db, bucket, windowMs);
    },
    peek: (bucket) => peekWindow(db, bucket),
  };
}

/** The store that fits the database: shared through PostgreSQL, in memory for PGlite. */
export function rateStoreFor(db: Db, clock: Clock): RateStore {
  return db.kind === 'postgres' ? databaseRateStore(db, clock) : memoryRateStore(clock);
}

const refusal = (resetInMs: number) =>
  new RotorError('rate_limited', 'too many requests; wait and try again', {
    retryAfterMs: Math.max(1000, resetInMs),
  });

/** Buckets name what is counted by a hash: no address or key is stored as such. */
const bucketOf = (limit: keyof RateLimits, who: string) =>
  `${limit}:${createHash('sha256').update(who).digest('base64url').slice(0, 22)}`;

/** The limits of one web app. */
export class RateLimiter {
  readonly #store: RateStore;
  readonly #limits: RateLimits;
  readonly #trustProxy: boolean;

  constructor(store: RateStore, limits: RateLimits, o: { trustProxy: boolean }) {
    this.#store = store;
    this.#limits = limits;
    this.#trustProxy = o.trustProxy;
  }

  /** The client's address: the socket's, or (behind a trusted proxy) the last `X-Forwarded-For` hop. */
  address(c: Context): string {
    if (this.#trustProxy) {
      const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim());
      const last = hops[hops.length - 1];
      if (last) return last;
    }
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // not served by Node (an in-process test): one shared bucket
    }
  }

  /**
   * Counts one event for `who` under `limit`.
   * @throws {RotorError} `rate_limited` (with `retryAfterMs`) when over the limit.
   */
  async hit(limit: keyof RateLimits, who: string): Promise<void> {
    const rule: RateRule = this.#limits[limit];
    if (rule.max === 0) return;
    const w = await this.#store.hit(bucketOf(limit, who), rule.windowMs);
    if (w.hits > rule.max) throw refusal(w.resetInMs);
  }

  /**
   * Refuses when `who` is already at the limit, without counting (for failures: checked before
   * trying, counted only when the attempt fails).
   * @throws {RotorError} `rate_limited` when at the limit.
   */
  async check(limit: keyof RateLimits, who: string): Promise<void> {
    const rule = this.#limits[limit];
    if (rule.max === 0) return;
    const w = await this.#store.peek(bucketOf(limit, who));
    if (w.hits >= rule.max) throw refusal(w.resetInMs);
  }
}
