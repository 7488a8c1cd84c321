/** @module The pre-warmer's query: accounts whose token will not outlive a post due soon. */
import type { Queryable } from './db.ts';

/**
 * Active accounts with a post due by `untilMs` (epoch ms) whose access token expires before that
 * post's due time + `marginMs`, soonest post first; at most `limit`. An account whose token is
 * leased right now (a refresh under way elsewhere), or that was refreshed in the last
 * `quietMs`, is left out: the pre-warmer never queues behind another process's refresh, and
 * an X that grants short-lived tokens does not make it refresh in a loop.
 */
export async function accountsToPrewarm(
  q: Queryable,
  o: { untilMs: number; marginMs: number; quietMs: number; limit: number },
): Promise<{ accountId: string; dueAt: number }[]> {
  const result = await q.query<{ accountId: string; dueAt: number }>(
    `SELECT p.account_id AS "accountId", (extract(epoch FROM min(p.due_at)) * 1000)::float8 AS "dueAt"
     FROM posts p
     JOIN token_sets t ON t.account_id = p.account_id
     JOIN accounts a ON a.id = p.account_id
     WHERE p.status = 'scheduled' AND p.due_at <= to_timestamp($1 / 1000.0)
       AND a.status = 'active'
       AND t.access_expires_at < p.due_at + $2 * interval '1 millisecond'
       AND (t.lease_until IS NULL OR t.lease_until <= now())
       AND (t.refreshed_at IS NULL OR t.refreshed_at < now() - $3 * interval '1 millisecond')
     GROUP BY p.account_id
     ORDER BY min(p.due_at)
     LIMIT $4`,
    [o.untilMs, o.marginMs, o.quietMs, o.limit],
  );
  return result.rows;
}
