/**
 * @module Publish lateness (due → published) for the metrics, read for many posts in one query:
 * at the morning peak hundreds of posts are published a second, and one extra SELECT each would
 * cost the database as much as the publishing itself. Lookups asked within a few milliseconds of
 * each other share a query; a failed query loses those metric samples, nothing else.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Queryable } from '../store/db.ts';
import { readPostTimes } from '../store/gauges.ts';

/** How long asks are gathered before their query (ms), and the most one query reads. */
const GATHER_MS = 20;
const MAX_BATCH = 500;

export class LatenessReader {
  readonly #db: Queryable;
  readonly #clock: Clock;
  #pending = new Map<string, ((seconds: number | undefined) => void)[]>();
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Queryable, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Seconds from the post's due time to its publication (or now); undefined without a due time. */
  lateness(postId: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const waiting = this.#pending.get(postId);
      if (waiting) waiting.push(resolve);
      else this.#pending.set(postId, [resolve]);
      if (this.#pending.size >= MAX_BATCH) void this.#flush();
      else this.#timer ??= setTimeout(() => void this.#flush(), GATHER_MS);
    });
  }

  async #flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = new Map();
    if (batch.size === 0) return;
    let rows = new Map<string, { due: number | null; published: number | null }>();
    try {
      rows = await readPostTimes(this.#db, [...batch.keys()]);
    } catch {
      // metrics only
    }
    for (const [id, resolvers] of batch) {
      const row = rows.get(id);
      const seconds =
        !row || row.due === null
          ? undefined
          : Math.max(0, ((row.published ?? this.#clock.now()) - row.due) / 1000);
      for (const resolve of resolvers) resolve(seconds);
    }
  }
}
