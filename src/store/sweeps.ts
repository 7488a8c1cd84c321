/** @module Queries of the scheduler's periodic sweep. */
import type { Queryable } from './db.ts';

/** Blocked posts whose account was reconnected after they were blocked: scheduled again, now. */
export async function resumeReconnected(q: Queryable): Promise<string[]> {
  const result = await q.query<{ id: string }>(
    `UPDATE posts p SET status = 'scheduled', due_at = greatest(p.due_at, now()), reason = NULL, updated_at = now()
     FROM accounts a
     WHERE a.id = p.account_id AND p.status = 'blocked' AND a.status = 'active' AND a.updated_at > p.updated_at
     RETURNING p.id`,
  );
  return result.rows.map((r) => r.id);
}

/** Active accounts (for the metrics job). */
export async function activeAccountIds(q: Queryable): Promise<string[]> {
  return (
    await q.query<{ id: string }>(`SELECT id FROM accounts WHERE status = 'active' ORDER BY id`)
  ).rows.map((r) => r.id);
}
