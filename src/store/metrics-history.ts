/** @module The followers history the metrics job records, read back for the charts. */
import type { Queryable } from './db.ts';

export interface MetricPoint {
  at: number;
  followers: number;
  following: number;
  posts: number;
}

/** One account's samples since `since` (epoch ms), oldest first. */
export async function metricsSince(q: Queryable, accountId: string, since: number): Promise<MetricPoint[]> {
  const result = await q.query<MetricPoint>(
    `SELECT (extract(epoch FROM at) * 1000)::float8 AS at, followers, following, posts
     FROM account_metrics WHERE account_id = $1 AND at >= to_timestamp($2 / 1000.0) ORDER BY at`,
    [accountId, since],
  );
  return result.rows;
}
