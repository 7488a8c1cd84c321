/** @module The media attached to posts (bytes in the database, uploaded to X at publish time). */
import type { Queryable } from './db.ts';

export interface PostMedia {
  contentType: string;
  data: Buffer;
}

/** A stored media with X's id for it, once one was obtained (and still lives). */
export interface StoredPostMedia extends PostMedia {
  position: number;
  /** X's media id from an earlier attempt, or null. */
  xMediaId: string | null;
  /** When X forgets that id (epoch ms), or null. */
  xMediaExpiresAt: number | null;
}

export async function addPostMedia(q: Queryable, postId: string, media: PostMedia[]): Promise<void> {
  for (const [i, m] of media.entries()) {
    await q.query('INSERT INTO post_media (post_id, position, content_type, data) VALUES ($1, $2, $3, $4)', [
      postId,
      i,
      m.contentType,
      m.data,
    ]);
  }
}

export async function getPostMedia(q: Queryable, postId: string): Promise<StoredPostMedia[]> {
  const result = await q.query<{
    position: number;
    contentType: string;
    data: Uint8Array;
    xMediaId: string | null;
    xMediaExpiresAt: number | null;
  }>(
    `SELECT position, content_type AS "contentType", data, x_media_id AS "xMediaId",
       (extract(epoch FROM x_media_expires_at) * 1000)::float8 AS "xMediaExpiresAt"
     FROM post_media WHERE post_id = $1 ORDER BY position`,
    [postId],
  );
  return result.rows.map((r) => ({ ...r, data: Buffer.from(r.data) }));
}

/**
 * Records (or, with `xMediaId` null, forgets) X's id for one media of a post, if the writer still
 * holds the post's claim `claimSeq`: a worker taken for dead cannot overwrite what a newer one did.
 */
export async function recordMediaId(
  q: Queryable,
  postId: string,
  position: number,
  xMediaId: string | null,
  expiresAt: number | null,
  claimSeq: number,
): Promise<boolean> {
  const result = await q.query(
    `UPDATE post_media m SET x_media_id = $3, x_media_expires_at = to_timestamp($4 / 1000.0)
     FROM posts p
     WHERE m.post_id = $1 AND m.position = $2 AND p.id = m.post_id AND p.status = 'publishing' AND p.claim_seq = $5
     RETURNING m.post_id`,
    [postId, position, xMediaId, expiresAt, claimSeq],
  );
  return result.rows.length === 1;
}
