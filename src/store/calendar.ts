/** @module What the calendar reads: one owner's posts in a time range, and their queued posts. */
import type { Queryable } from './db.ts';
import { threadStatusSql } from './posts.ts';

export interface CalendarPost {
  id: string;
  accountId: string;
  username: string;
  text: string;
  /** For a thread, the thread's (see `threadStatusSql`). */
  status: string;
  /** Its own status (a thread's first part's: it can be moved while that one is scheduled). */
  ownStatus?: string;
  /** A thread's part count, or null for a post. */
  threadParts?: number | null;
  /** When it is due, or was published (epoch ms). */
  at: number;
  scheduleId: string | null;
  mediaCount: number;
}

/** A thread's part count (`p` its first part), or null for a post. */
const PART_COUNT = `CASE WHEN p.thread_id IS NULL THEN NULL
    ELSE (SELECT count(*)::int FROM posts t WHERE t.thread_id = p.thread_id) END`;

/**
 * The owner's posts due or published in [from, to), soonest first (cancelled ones left out); a
 * thread once, as its first part, with its part count.
 */
export async function calendarPosts(
  q: Queryable,
  ownerId: string,
  from: number,
  to: number,
): Promise<CalendarPost[]> {
  const result = await q.query<CalendarPost>(
    `SELECT p.id, p.account_id AS "accountId", a.username, p.text, ${threadStatusSql('p')} AS status,
       p.status AS "ownStatus", p.schedule_id AS "scheduleId", p.media_count AS "mediaCount",
       (extract(epoch FROM COALESCE(p.published_at, p.due_at)) * 1000)::float8 AS at,
       ${PART_COUNT} AS "threadParts"
     FROM posts p JOIN accounts a ON a.id = p.account_id
     WHERE a.owner_id = $1 AND p.status NOT IN ('cancelled', 'draft', 'queued')
       AND COALESCE(p.thread_part, 0) = 0
       AND COALESCE(p.published_at, p.due_at) >= to_timestamp($2 / 1000.0)
       AND COALESCE(p.published_at, p.due_at) < to_timestamp($3 / 1000.0)
     ORDER BY at LIMIT 2000`,
    [ownerId, from, to],
  );
  return result.rows;
}

/** A queued post (or thread, by its first part) as the calendar's queue slots take it. */
export interface QueuedPost {
  id: string;
  text: string;
  threadParts?: number | null;
}

/** The owner's queued posts per account, in the order the slots will take them; and the drafts' count. */
export async function queuedByAccount(
  q: Queryable,
  ownerId: string,
): Promise<{ queued: Map<string, QueuedPost[]>; drafts: number }> {
  const result = await q.query<QueuedPost & { accountId: string; status: string }>(
    `SELECT p.id, p.account_id AS "accountId", p.text, p.status, ${PART_COUNT} AS "threadParts"
     FROM posts p JOIN accounts a ON a.id = p.account_id
     WHERE a.owner_id = $1 AND p.status IN ('queued', 'draft') ORDER BY p.queue_position NULLS LAST, p.created_at`,
    [ownerId],
  );
  const queued = new Map<string, QueuedPost[]>();
  let drafts = 0;
  for (const r of result.rows) {
    if (r.status === 'draft') drafts += 1;
    else
      queued.set(r.accountId, [
        ...(queued.get(r.accountId) ?? []),
        { id: r.id, text: r.text, threadParts: r.threadParts },
      ]);
  }
  return { queued, drafts };
}
