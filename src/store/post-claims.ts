/**
 * @module The claim that lets one worker publish a post (property 28), and the writes fenced by
 * it: every outcome a worker records names the claim it belongs to, so a worker taken for dead
 * can never overwrite what happened after it. For a thread (property 40), publishing a part
 * releases the next one in the same statement, and a part that fails ends the rest.
 */
import type { Queryable } from './db.ts';
import { postColumns, POST_COLUMNS, type PostRow } from './posts.ts';

/** Whose write this is: the state the writer saw and the claim it belongs to. */
export interface Fence {
  status: 'publishing' | 'unknown';
  claimSeq: number;
}

/** A claimed post, with what publishing it needs from its account and from X's last limits. */
export interface ClaimedPost extends PostRow {
  username: string;
  /** The account's X user id. */
  subject: string;
  /** When the latest exhausted limit that applies resets (epoch ms), or null. */
  cappedUntil: number | null;
  /** Which limits are exhausted (`window`, `user24h`, `app24h`). */
  cappedBy: string[] | null;
}

/**
 * The rows of a `claimed` CTE as {@link ClaimedPost}s: each with its account and any exhausted
 * rate limit, since every publish needs them.
 */
const CLAIMED_WITH_ACCOUNT = `SELECT ${postColumns('p.')}, a.username, a.subject, caps."cappedUntil", caps."cappedBy"
     FROM claimed p JOIN accounts a ON a.id = p.account_id
     CROSS JOIN LATERAL (
       SELECT (extract(epoch FROM max(l.reset_at)) * 1000)::float8 AS "cappedUntil",
              array_agg(split_part(l.key, ':', 1)) AS "cappedBy"
       FROM x_limits l
       WHERE l.key IN ('window:' || a.id, 'user24h:' || a.id, 'app24h') AND l.remaining <= 0 AND l.reset_at > now()) caps`;

/**
 * The at-most-once gate (property 28): moves a due post to `publishing` and counts the attempt.
 * Only one caller can win; a published post is never claimed again. One statement also reads the
 * account and any exhausted rate limit, since every publish needs them.
 */
export async function claimForPublishing(q: Queryable, id: string): Promise<ClaimedPost | undefined> {
  const result = await q.query<ClaimedPost>(
    `WITH claimed AS (
       UPDATE posts SET status = 'publishing', attempts = attempts + 1, claim_seq = claim_seq + 1,
         publish_started_at = now(), updated_at = now()
       WHERE id = $1 AND status = 'scheduled' AND due_at <= now() + interval '2 seconds'
       RETURNING *)
     ${CLAIMED_WITH_ACCOUNT}`,
    [id],
  );
  return result.rows[0];
}

/**
 * {@link claimForPublishing} for many posts in one statement (a worker's batch of jobs): each post
 * is the same compare-and-swap, so each has one winner. Rows are locked in id order and a row
 * another claimer holds locked is skipped (it is not claimed here; its own claim then decides),
 * so two batches never wait on each other. The claims won, by post id.
 */
export async function claimManyForPublishing(q: Queryable, ids: string[]): Promise<Map<string, ClaimedPost>> {
  if (ids.length === 0) return new Map();
  const result = await q.query<ClaimedPost>(
    `WITH due AS (
       SELECT id FROM posts WHERE id = ANY($1::uuid[]) AND status = 'scheduled' AND due_at <= now() + interval '2 seconds'
       ORDER BY id FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE posts SET status = 'publishing', attempts = attempts + 1, claim_seq = claim_seq + 1,
         publish_started_at = now(), updated_at = now()
       FROM due WHERE posts.id = due.id AND posts.status = 'scheduled'
       RETURNING posts.*)
     ${CLAIMED_WITH_ACCOUNT}`,
    [ids],
  );
  return new Map(result.rows.map((r) => [r.id, r]));
}

/** The reason a stale claim leaves (`markStaleAsUnknown`): the worker that held it stopped mid-publish. */
export const STALE_CLAIM_REASON = 'the worker publishing it stopped before recording the outcome';

/** A post left in `publishing` longer than `staleMs` (its worker died or hung): now `unknown`. */
export async function markStaleAsUnknown(
  q: Queryable,
  id: string,
  staleMs: number,
): Promise<PostRow | undefined> {
  const result = await q.query<PostRow>(
    `UPDATE posts SET status = 'unknown', reason = $3, updated_at = now()
     WHERE id = $1 AND status = 'publishing' AND publish_started_at < now() - $2 * interval '1 millisecond'
     RETURNING ${POST_COLUMNS}`,
    [id, staleMs, STALE_CLAIM_REASON],
  );
  return result.rows[0];
}

/**
 * Records X's id for the post. Whatever state the row has moved to meanwhile (another worker
 * took it as unknown, or rescheduled it), X's id is the truth: the post is published. A thread's
 * next part is released in the same statement (due now, replying to this part), so it can never
 * go out before this one, nor be left waiting after it.
 * @returns whether this call recorded it, and the part it released (if any).
 */
export async function markPublished(
  q: Queryable,
  id: string,
  xPostId: string,
  xUrl: string,
): Promise<{ recorded: boolean; released?: string }> {
  const result = await q.query<{ id: string; released: string | null }>(
    `WITH published AS (
       UPDATE posts SET status = 'published', x_post_id = $2, x_url = $3, published_at = now(), reason = NULL,
              retryable = NULL, updated_at = now()
       WHERE id = $1 AND status <> 'published' RETURNING id, thread_id, thread_part),
     released AS (
       UPDATE posts n SET status = 'scheduled', due_at = now(), reply_to = $2, updated_at = now()
       FROM published p
       WHERE n.thread_id = p.thread_id AND n.thread_part = p.thread_part + 1 AND n.status = 'waiting'
       RETURNING n.id)
     SELECT p.id, (SELECT r.id FROM released r) AS released FROM published p`,
    [id, xPostId, xUrl],
  );
  const row = result.rows[0];
  return row ? { recorded: true, ...(row.released ? { released: row.released } : {}) } : { recorded: false };
}

/**
 * The claim holder confirms it still holds the claim just before it sends, and restarts the stale
 * clock: a worker taken for dead (its claim moved on) never sends.
 */
export async function confirmClaim(q: Queryable, id: string, claimSeq: number): Promise<boolean> {
  const result = await q.query(
    `UPDATE posts SET publish_started_at = now() WHERE id = $1 AND status = 'publishing' AND claim_seq = $2 RETURNING id`,
    [id, claimSeq],
  );
  return result.rows.length === 1;
}

/**
 * Back to `scheduled` at `dueAt`, if the row is still as the writer saw it (`fence`). `refund`
 * gives the attempt back (a 429 does not use one up); `retries` counts every reschedule.
 */
export async function reschedule(
  q: Queryable,
  id: string,
  dueAt: number,
  reason: string | null,
  refund: boolean,
  fence: Fence,
): Promise<boolean> {
  const result = await q.query(
    `UPDATE posts SET status = 'scheduled', due_at = to_timestamp($2 / 1000.0), reason = $3,
       attempts = CASE WHEN $4 THEN greatest(attempts - 1, 0) ELSE attempts END, retries = retries + 1,
       lookups = 0, updated_at = now()
     WHERE id = $1 AND status = $5 AND claim_seq = $6 RETURNING id`,
    [id, dueAt, reason, refund, fence.status, fence.claimSeq],
  );
  return result.rows.length === 1;
}

/**
 * A final (or waiting) state, if the row is still as the writer saw it (`fence`). A thread's part
 * that fails for good ends the parts after it, in the same statement: they are cancelled, never
 * posted out of order or left waiting.
 */
export async function markFinal(
  q: Queryable,
  id: string,
  status: 'failed' | 'blocked' | 'unknown',
  reason: string,
  retryable: boolean,
  fence: Fence,
): Promise<boolean> {
  const result = await q.query(
    `WITH settled AS (
       UPDATE posts SET status = $2, reason = $3, retryable = $4, updated_at = now()
       WHERE id = $1 AND status = $5 AND claim_seq = $6 RETURNING id, thread_id, thread_part, status),
     ended AS (
       UPDATE posts n SET status = 'cancelled', reason = $7, updated_at = now()
       FROM settled s
       WHERE s.status = 'failed' AND n.thread_id = s.thread_id AND n.thread_part > s.thread_part
         AND n.status = 'waiting'
       RETURNING n.id)
     SELECT id FROM settled`,
    [id, status, reason, retryable, fence.status, fence.claimSeq, THREAD_ENDED],
  );
  return result.rows.length === 1;
}

/** Why a thread's later parts were not posted (stored as their reason). */
export const THREAD_ENDED = 'not posted: an earlier part of its thread failed';

/** Records one more look at X for an unknown outcome (and when: the sweep takes the oldest first). */
export async function noteLookup(
  q: Queryable,
  id: string,
  reason: string,
  fence: Fence,
): Promise<number | undefined> {
  const result = await q.query<{ lookups: number }>(
    `UPDATE posts SET lookups = lookups + 1, reason = $2, updated_at = now()
     WHERE id = $1 AND status = $3 AND claim_seq = $4 RETURNING lookups`,
    [id, reason, fence.status, fence.claimSeq],
  );
  return result.rows[0]?.lookups;
}
