/** @module What X last said about rate limits, shared by every worker (keys: `user:<account>`, `app`). */
import type { Queryable } from './db.ts';
import type { LimitWindow } from '../x/limits.ts';

export async function saveLimit(q: Queryable, key: string, w: LimitWindow): Promise<void> {
  await q.query(
    `INSERT INTO x_limits (key, lim, remaining, reset_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
     ON CONFLICT (key) DO UPDATE SET lim = EXCLUDED.lim, remaining = EXCLUDED.remaining,
       reset_at = EXCLUDED.reset_at, updated_at = now()`,
    [key, w.limit, w.remaining, w.resetAt],
  );
}

export async function saveMetrics(
  q: Queryable,
  m: { accountId: string; at: number; followers: number; following: number; posts: number },
): Promise<void> {
  await q.query(
    `INSERT INTO account_metrics (account_id, at, followers, following, posts)
     VALUES ($1, to_timestamp($2 / 1000.0), $3, $4, $5) ON CONFLICT DO NOTHING`,
    [m.accountId, m.at, m.followers, m.following, m.posts],
  );
}
