/**
 * @module Threads in SQL (property 40): one post row per part, the first part's row standing for
 * the thread. The parts after the first are `waiting` until the part before them is published
 * (`post-claims.ts` releases them); here they are written, read and replaced.
 */
import type { Queryable } from './db.ts';
import { addPostMedia, type PostMedia } from './post-media.ts';
import { POST_COLUMNS, type PostRow } from './posts.ts';

/** One part as stored: its text and images. */
export interface ThreadPartInput {
  text: string;
  media: PostMedia[];
}

/**
 * Makes `head` (a post just inserted, with its own images) the first part of a thread and adds
 * the later parts, `waiting`, on the same account. Call it in the transaction that inserted the
 * head, so that a thread is stored whole or not at all.
 * @returns every part, in order (the head first).
 */
export async function addThreadParts(
  q: Queryable,
  head: PostRow,
  later: ThreadPartInput[],
): Promise<PostRow[]> {
  await q.query('UPDATE posts SET thread_id = id, thread_part = 0 WHERE id = $1', [head.id]);
  for (const [i, part] of later.entries()) {
    const row = await q.query<{ id: string }>(
      `INSERT INTO posts (account_id, text, status, media_count, thread_id, thread_part, time_zone)
       SELECT account_id, $2, 'waiting', $3, id, $4, time_zone FROM posts WHERE id = $1 RETURNING id`,
      [head.id, part.text, part.media.length, i + 1],
    );
    const id = row.rows[0]?.id;
    if (!id) throw new Error('a part of the thread was not stored');
    await addPostMedia(q, id, part.media);
  }
  return (await threadParts(q, [head.id])).get(head.id) ?? [];
}

/** The parts of these threads (by thread id), each thread's in order. */
export async function threadParts(q: Queryable, threadIds: string[]): Promise<Map<string, PostRow[]>> {
  const out = new Map<string, PostRow[]>();
  if (threadIds.length === 0) return out;
  const result = await q.query<PostRow>(
    `SELECT ${POST_COLUMNS} FROM posts WHERE thread_id = ANY($1::uuid[]) ORDER BY thread_id, thread_part`,
    [threadIds],
  );
  for (const row of result.rows) {
    if (row.threadId === null) continue;
    const parts = out.get(row.threadId) ?? [];
    parts.push(row);
    out.set(row.threadId, parts);
  }
  return out;
}

/** One thread's parts, in order (none: not a thread). */
export async function partsOfThread(q: Queryable, threadId: string): Promise<PostRow[]> {
  return (await threadParts(q, [threadId])).get(threadId) ?? [];
}

/**
 * Replaces the later parts of a thread whose first part is still editable (draft, queued or
 * scheduled: no part has gone out). `later` empty: the post is a single post again. Call it in
 * the transaction of the head's edit, after the head's compare-and-swap succeeded.
 */
export async function replaceLaterParts(
  q: Queryable,
  headId: string,
  later: ThreadPartInput[],
): Promise<void> {
  await q.query(`DELETE FROM posts WHERE thread_id = $1 AND thread_part > 0 AND status = 'waiting'`, [
    headId,
  ]);
  if (later.length === 0) {
    await q.query('UPDATE posts SET thread_id = NULL, thread_part = NULL WHERE id = $1', [headId]);
    return;
  }
  const head = (await q.query<PostRow>(`SELECT ${POST_COLUMNS} FROM posts WHERE id = $1`, [headId])).rows[0];
  if (head) await addThreadParts(q, head, later);
}

/** Keeps a thread's later parts on the account its first part was moved to (an edit). */
export async function moveLaterParts(q: Queryable, headId: string, accountId: string): Promise<void> {
  await q.query(`UPDATE posts SET account_id = $2 WHERE thread_id = $1 AND thread_part > 0`, [
    headId,
    accountId,
  ]);
}
