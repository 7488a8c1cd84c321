/**
 * @module Editing a post before it publishes, in SQL. The edit is one compare-and-swap on
 * `status` (draft, queued or scheduled): the publisher's claim (`scheduled → publishing`) is the
 * other, so whichever runs first wins the row, and an edit can never change a post being sent.
 */
import type { Queryable } from './db.ts';
import { addPostMedia, type PostMedia } from './post-media.ts';
import { getPost, type PostRow } from './posts.ts';

/** The statuses a post can still be edited in. */
export const EDITABLE_STATUSES = ['draft', 'queued', 'scheduled'] as const;
export type EditableStatus = (typeof EDITABLE_STATUSES)[number];

/** A post's new state, every field given (the caller merges the change with what is there). */
export interface PostEdit {
  accountId: string;
  text: string;
  status: EditableStatus;
  /** For `scheduled`: the instant (epoch ms). */
  dueAt: number | null;
  /** The zone its time was picked in (kept for display), or null. */
  timeZone: string | null;
  /** New images (replacing all of them), or undefined to keep them. */
  media?: PostMedia[] | undefined;
}

/**
 * Applies an edit if the post is still editable. Returns the edited row, or undefined when the
 * post has started publishing (or has ended) meanwhile: then nothing was changed. Call it inside
 * a transaction when `media` is given (the images are replaced in the same one).
 */
export async function applyPostEdit(q: Queryable, id: string, edit: PostEdit): Promise<PostRow | undefined> {
  const result = await q.query<{ id: string }>(
    `UPDATE posts SET account_id = $2, text = $3, status = $4,
       due_at = CASE WHEN $4 = 'scheduled' THEN to_timestamp($5 / 1000.0) END,
       queue_position = CASE WHEN $4 = 'queued'
         THEN COALESCE(CASE WHEN status = 'queued' AND account_id = $2 THEN queue_position END,
                       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) END,
       time_zone = $6, media_count = COALESCE($7, media_count), reason = NULL, updated_at = now()
     WHERE id = $1 AND status = ANY($8::text[]) RETURNING id`,
    [
      id,
      edit.accountId,
      edit.text,
      edit.status,
      edit.dueAt,
      edit.timeZone,
      edit.media?.length ?? null,
      EDITABLE_STATUSES,
    ],
  );
  if (result.rows.length === 0) return undefined;
  if (edit.media) {
    await q.query('DELETE FROM post_media WHERE post_id = $1', [id]);
    await addPostMedia(q, id, edit.media);
  }
  return getPost(q, id);
}

/** The zone a post's time was picked in, if one was kept. */
export async function postTimeZone(q: Queryable, id: string): Promise<string | null> {
  const result = await q.query<{ tz: string | null }>('SELECT time_zone AS tz FROM posts WHERE id = $1', [
    id,
  ]);
  return result.rows[0]?.tz ?? null;
}

/** Keeps the zone a new post's time was picked in. */
export async function setPostTimeZone(q: Queryable, id: string, timeZone: string): Promise<void> {
  await q.query('UPDATE posts SET time_zone = $2 WHERE id = $1', [id, timeZone]);
}
