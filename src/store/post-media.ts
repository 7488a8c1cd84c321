/** @module The media attached to posts (bytes in the database, uploaded to X at publish time). */
import type { Queryable } from './db.ts';

export interface PostMedia {
  contentType: string;
  data: Buffer;
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

export async function getPostMedia(q: Queryable, postId: string): Promise<PostMedia[]> {
  const result = await q.query<{ contentType: string; data: Uint8Array }>(
    'SELECT content_type AS "contentType", data FROM post_media WHERE post_id = $1 ORDER BY position',
    [postId],
  );
  return result.rows.map((r) => ({ contentType: r.contentType, data: Buffer.from(r.data) }));
}
