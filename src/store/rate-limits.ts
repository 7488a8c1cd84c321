/**
 * @module Rate-limit windows shared by every process through PostgreSQL: one row per bucket
 * (a fixed window), counted with one upsert so that concurrent processes never lose a hit.
 */
import type { Queryable } from './db.ts';

/** A bucket's count in its current window and how long until that window ends. */
export interface WindowCount {
  hits: number;
  resetInMs: number;
}

/** Counts one hit in `bucket` (a new window of `windowMs` if the last one ended). */
export async function hitWindow(q: Queryable, bucket: string, windowMs: number): Promise<WindowCount> {
  const result = await q.query<{ hits: number; resetInMs: number }>(
    `INSERT INTO rate_limit_windows (bucket, hits, resets_at)
     VALUES ($1, 1, now() + $2 * interval '1 millisecond')
     ON CONFLICT (bucket) DO UPDATE SET
       hits = CASE WHEN rate_limit_windows.resets_at <= now() THEN 1 ELSE rate_limit_windows.hits + 1 END,
       resets_at = CASE WHEN rate_limit_windows.resets_at <= now()
         THEN now() + $2 * interval '1 millisecond' ELSE rate_limit_windows.resets_at END
     RETURNING hits, (extract(epoch FROM resets_at - now()) * 1000)::float8 AS "resetInMs"`,
    [bucket, windowMs],
  );
  const row = result.rows[0];
  return { hits: row?.hits ?? 1, resetInMs: Math.max(0, row?.resetInMs ?? windowMs) };
}

/** The bucket's count in its current window, without counting (0 when none is open). */
export async function peekWindow(q: Queryable, bucket: string): Promise<WindowCount> {
  const result = await q.query<{ hits: number; resetInMs: number }>(
    `SELECT hits, (extract(epoch FROM resets_at - now()) * 1000)::float8 AS "resetInMs"
     FROM rate_limit_windows WHERE bucket = $1 AND resets_at > now()`,
    [bucket],
  );
  const row = result.rows[0];
  return row ? { hits: row.hits, resetInMs: Math.max(0, row.resetInMs) } : { hits: 0, resetInMs: 0 };
}

/** Drops windows that ended (housekeeping). */
export async function dropEndedWindows(q: Queryable): Promise<void> {
  await q.query('DELETE FROM rate_limit_windows WHERE resets_at <= now()');
}
