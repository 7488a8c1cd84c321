/** @module What the metrics gauges and the publish-lateness histogram read (src/ops/metrics.ts, ops.ts). */
import type { Queryable } from './db.ts';

/** Connected accounts by status. */
export async function countAccountsByStatus(q: Queryable): Promise<{ status: string; n: number }[]> {
  return (
    await q.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM accounts GROUP BY status',
    )
  ).rows;
}

/** Posts by status. */
export async function countPostsByStatus(q: Queryable): Promise<{ status: string; n: number }[]> {
  return (
    await q.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM posts GROUP BY status',
    )
  ).rows;
}

/** Posts due now and not yet being published. */
export async function countOverduePosts(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM posts WHERE status = 'scheduled' AND due_at <= now()",
  );
  return r.rows[0]?.n ?? 0;
}

/** Posts' due and published times (epoch ms; null when not set), by post id; a missing id: no such post. */
export async function readPostTimes(
  q: Queryable,
  postIds: string[],
): Promise<Map<string, { due: number | null; published: number | null }>> {
  const r = await q.query<{ id: string; due: number | null; published: number | null }>(
    `SELECT id, (extract(epoch FROM due_at) * 1000)::float8 AS due,
            (extract(epoch FROM published_at) * 1000)::float8 AS published
     FROM posts WHERE id = ANY($1::uuid[])`,
    [postIds],
  );
  return new Map(r.rows.map((row) => [row.id, row]));
}
