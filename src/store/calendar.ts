/** @module What the calendar reads: one owner's posts in a time range, and their queued posts. */
import type { Queryable } from './db.ts';

export interface CalendarPost {
  id: string;
  accountId: string;
  username: string;
  text: string;
  status: string;
  /** When it is due, or was published (epoch ms). */
  at: number;
  scheduleId: string | null;
  mediaCount: number;
}

/** The owner's posts due or published in [from, to), soonest first (cancelled ones left out). */
export async function calendarPosts(
  q: Queryable,
  ownerId: string,
  from: number,
  to: number,
): Promise<CalendarPost[]> {
  const result = await q.query<CalendarPost>(
    `SELECT p.id, p.account_id AS "accountId", a.username, p.text, p.status, p.schedule_id AS "scheduleId",
       p.media_count AS "mediaCount",
       (extract(epoch FROM COALESCE(p.published_at, p.due_at)) * 1000)::float8 AS at
     FROM posts p JOIN accounts a ON a.id = p.account_id
     WHERE a.owner_id = $1 AND p.status NOT IN ('cancelled', 'draft', 'queued')
       AND COALESCE(p.published_at, p.due_at) >= to_timestamp($2 / 1000.0)
       AND COALESCE(p.published_at, p.due_at) < to_timestamp($3 / 1000.0)
     ORDER BY 7 LIMIT 2000`,
    [ownerId, from, to],
  );
  return result.rows;
}

/** The owner's queued posts per account, in the order the slots will take them; and the drafts' count. */
export async function queuedByAccount(
  q: Queryable,
  ownerId: string,
): Promise<{ queued: Map<string, { id: string; text: string }[]>; drafts: number }> {
  const result = await q.query<{ id: string; accountId: string; text: string; status: string }>(
    `SELECT p.id, p.account_id AS "accountId", p.text, p.status FROM posts p JOIN accounts a ON a.id = p.account_id
     WHERE a.owner_id = $1 AND p.status IN ('queued', 'draft') ORDER BY p.queue_position NULLS LAST, p.created_at`,
    [ownerId],
  );
  const queued = new Map<string, { id: string; text: string }[]>();
  let drafts = 0;
  for (const r of result.rows) {
    if (r.status === 'draft') drafts += 1;
    else queued.set(r.accountId, [...(queued.get(r.accountId) ?? []), { id: r.id, text: r.text }]);
  }
  return { queued, drafts };
}
