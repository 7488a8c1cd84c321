/**
 * @module Posts and their lifecycle in SQL. The state changes that matter for "at most once" are
 * compare-and-swaps on `status`: only one worker can move a post to `publishing`.
 */
import type { Queryable } from './db.ts';

export type PostStatus =
  | 'draft'
  | 'queued'
  | 'scheduled'
  | 'publishing'
  | 'published'
  | 'failed'
  | 'blocked'
  | 'unknown'
  | 'cancelled'
  /** A later part of a thread, until the part before it is published. */
  | 'waiting';

export interface PostRow {
  id: string;
  accountId: string;
  text: string;
  replyTo: string | null;
  status: PostStatus;
  dueAt: number | null;
  scheduleId: string | null;
  attempts: number;
  xPostId: string | null;
  xUrl: string | null;
  reason: string | null;
  retryable: boolean | null;
  publishStartedAt: number | null;
  publishedAt: number | null;
  createdAt: number;
  /** Images attached (in `post_media`). */
  mediaCount: number;
  /** Grows at every claim: the fence a worker's writes are checked against. */
  claimSeq: number;
  /** Reschedules so far (including those that gave the attempt back). */
  retries: number;
  /** Looks at X for an unknown outcome so far. */
  lookups: number;
  /** A thread's part: the first part's id (the thread's), or null for a single post. */
  threadId: string | null;
  /** Its place in the thread (0 = the first part), or null. */
  threadPart: number | null;
}

export const ms = (col: string, as: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS "${as}"`;
/**
 * SQL for a post's status as lists show it (`alias` names the posts table): a thread's is that of
 * its first part not yet published (`currentPart`), or published once all are.
 */
export const threadStatusSql = (alias: string) =>
  `CASE WHEN ${alias}.thread_id IS NULL OR ${alias}.thread_part > 0 THEN ${alias}.status ELSE COALESCE(
      (SELECT n.status FROM posts n WHERE n.thread_id = ${alias}.thread_id AND n.status <> 'published'
       ORDER BY n.thread_part LIMIT 1), 'published') END`;

/** The columns of a post row, from table alias `t` (empty for none). */
export const postColumns = (t = '') =>
  `${t}id, ${t}account_id AS "accountId", ${t}text, ${t}reply_to AS "replyTo", ${t}status, ${ms(`${t}due_at`, 'dueAt')},
  ${t}schedule_id AS "scheduleId", ${t}attempts, ${t}x_post_id AS "xPostId", ${t}x_url AS "xUrl", ${t}reason, ${t}retryable,
  ${ms(`${t}publish_started_at`, 'publishStartedAt')}, ${ms(`${t}published_at`, 'publishedAt')}, ${ms(`${t}created_at`, 'createdAt')},
    ${t}media_count AS "mediaCount", ${t}claim_seq AS "claimSeq", ${t}retries, ${t}lookups,
    ${t}thread_id AS "threadId", ${t}thread_part AS "threadPart"`;
export const POST_COLUMNS = postColumns();

export async function insertPost(
  q: Queryable,
  p: {
    accountId: string;
    text: string;
    replyTo?: string | undefined;
    status: 'scheduled' | 'queued' | 'draft';
    dueAt?: number | undefined;
    scheduleId?: string | undefined;
    occurrenceAt?: number | undefined;
    mediaCount?: number;
  },
): Promise<PostRow | undefined> {
  const result = await q.query<PostRow>(
    `INSERT INTO posts (account_id, text, reply_to, status, due_at, schedule_id, occurrence_at, media_count, queue_position)
     VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'scheduled' THEN COALESCE(to_timestamp($5 / 1000.0), now()) END,
             $6, to_timestamp($7 / 1000.0), $8,
             CASE WHEN $4 = 'queued' THEN (extract(epoch FROM clock_timestamp()) * 1000000)::bigint END)
     ON CONFLICT (schedule_id, occurrence_at) WHERE schedule_id IS NOT NULL DO NOTHING
     RETURNING ${POST_COLUMNS}`,
    [
      p.accountId,
      p.text,
      p.replyTo ?? null,
      p.status,
      p.dueAt ?? null,
      p.scheduleId ?? null,
      p.occurrenceAt ?? null,
      p.mediaCount ?? 0,
    ],
  );
  return result.rows[0];
}

export async function getPost(q: Queryable, id: string): Promise<PostRow | undefined> {
  return (await q.query<PostRow>(`SELECT ${POST_COLUMNS} FROM posts WHERE id = $1`, [id])).rows[0];
}

export async function listPosts(
  q: Queryable,
  filter: {
    accountId?: string;
    ownerId?: string;
    status?: PostStatus;
    statuses?: PostStatus[];
    /** Soonest first (upcoming) instead of newest first (history). */
    ascending?: boolean;
    limit?: number;
    /** Also a thread's later parts (by default a thread is listed once, as its first part). */
    allParts?: boolean;
  } = {},
): Promise<(PostRow & { username: string })[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.accountId) where.push(`p.account_id = $${params.push(filter.accountId)}`);
  if (filter.ownerId) where.push(`a.owner_id = $${params.push(filter.ownerId)}`);
  const status = threadStatusSql('p');
  if (filter.status) where.push(`${status} = $${params.push(filter.status)}`);
  if (filter.statuses) where.push(`${status} = ANY($${params.push(filter.statuses)}::text[])`);
  if (!filter.allParts) where.push('COALESCE(p.thread_part, 0) = 0');
  const limit = `$${params.push(filter.limit ?? 200)}`;
  const order = filter.ascending
    ? 'COALESCE(p.due_at, p.created_at) ASC, p.queue_position ASC'
    : 'COALESCE(p.published_at, p.due_at, p.created_at) DESC';
  const result = await q.query<PostRow & { username: string }>(
    `SELECT ${postColumns('p.')}, a.username FROM posts p JOIN accounts a ON a.id = p.account_id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${order} LIMIT ${limit}`,
    params,
  );
  return result.rows;
}

/** The reason a cancelled post keeps. */
export const CANCELLED_REASON = 'cancelled by its user';

/**
 * Cancels a post that has not started publishing (scheduled, queued, draft or blocked): a
 * compare-and-swap, so a post a worker has claimed cannot be cancelled under it. For a thread
 * (any of its parts' ids), every part not yet started is cancelled: the thread stops there.
 * @returns the post as it is now, or undefined when nothing could be cancelled.
 */
export async function cancelPost(q: Queryable, id: string): Promise<PostRow | undefined> {
  const result = await q.query<{ n: number }>(
    `WITH target AS (SELECT id, thread_id FROM posts WHERE id = $1),
     cancelled AS (
       UPDATE posts p SET status = 'cancelled', reason = $2, queue_position = NULL, updated_at = now()
       FROM target t WHERE (p.id = t.id OR p.thread_id = t.thread_id)
         AND p.status IN ('scheduled', 'queued', 'draft', 'blocked', 'waiting')
       RETURNING p.id)
     SELECT count(*)::int AS n FROM cancelled`,
    [id, CANCELLED_REASON],
  );
  return (result.rows[0]?.n ?? 0) > 0 ? getPost(q, id) : undefined;
}

/** Published posts per UTC day over the last `days` days, for one owner's accounts. */
export async function postsPerDay(
  q: Queryable,
  ownerId: string,
  days: number,
): Promise<{ day: string; count: number }[]> {
  const result = await q.query<{ day: string; count: number }>(
    `SELECT to_char(date_trunc('day', p.published_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::int AS count
     FROM posts p JOIN accounts a ON a.id = p.account_id
     WHERE a.owner_id = $1 AND p.status = 'published' AND p.published_at > now() - $2 * interval '1 day'
     GROUP BY 1 ORDER BY 1`,
    [ownerId, days],
  );
  return result.rows;
}

/** Posts due by `until` (epoch ms) that should have a publish job (the sweeper's list). */
export async function duePosts(
  q: Queryable,
  until: number,
  limit: number,
): Promise<{ id: string; dueAt: number; accountId: string }[]> {
  const result = await q.query<{ id: string; dueAt: number; accountId: string }>(
    `SELECT id, ${ms('due_at', 'dueAt')}, account_id AS "accountId" FROM posts
     WHERE status = 'scheduled' AND due_at <= to_timestamp($1 / 1000.0) ORDER BY due_at LIMIT $2`,
    [until, limit],
  );
  return result.rows;
}

/** Posts stuck in `publishing` or `unknown` for longer than `olderThanMs`. */
export async function stuckPosts(
  q: Queryable,
  olderThanMs: number,
  limit: number,
): Promise<{ id: string }[]> {
  const result = await q.query<{ id: string }>(
    `SELECT id FROM posts WHERE (status = 'publishing' AND publish_started_at < now() - $1 * interval '1 millisecond')
        OR (status = 'unknown' AND updated_at < now() - $1 * interval '1 millisecond')
     ORDER BY updated_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return result.rows;
}

/** Which of these X post ids are already recorded for a post (so they are not another's). */
export async function recordedXPostIds(q: Queryable, xPostIds: string[]): Promise<Set<string>> {
  if (xPostIds.length === 0) return new Set();
  const result = await q.query<{ id: string }>(
    'SELECT x_post_id AS id FROM posts WHERE x_post_id = ANY($1::text[])',
    [xPostIds],
  );
  return new Set(result.rows.map((r) => r.id));
}

/** An account's queued drafts in the order its slots will take them. */
export async function listQueue(q: Queryable, accountId: string): Promise<PostRow[]> {
  const result = await q.query<PostRow>(
    `SELECT ${POST_COLUMNS} FROM posts WHERE account_id = $1 AND status = 'queued' ORDER BY queue_position`,
    [accountId],
  );
  return result.rows;
}

/** Takes the oldest queued draft of the account for a slot at `dueAt`. */
export async function takeQueuedDraft(
  q: Queryable,
  accountId: string,
  dueAt: number,
  scheduleId: string,
): Promise<PostRow | undefined> {
  const result = await q.query<PostRow>(
    `UPDATE posts SET status = 'scheduled', due_at = to_timestamp($2 / 1000.0), schedule_id = $3,
       occurrence_at = to_timestamp($2 / 1000.0), updated_at = now()
          WHERE id = (SELECT id FROM posts WHERE account_id = $1 AND status = 'queued'
                 ORDER BY queue_position LIMIT 1 FOR UPDATE SKIP LOCKED)
       AND NOT EXISTS (SELECT 1 FROM posts WHERE schedule_id = $3 AND occurrence_at = to_timestamp($2 / 1000.0))
     RETURNING ${POST_COLUMNS}`,
    [accountId, dueAt, scheduleId],
  );
  return result.rows[0];
}
