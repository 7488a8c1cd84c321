/**
 * @module The media part of the prepare step: the post's images uploaded at publish time (X's
 * media ids live 24 hours; repeating an upload is harmless), each upload made as the claim holder.
 * One call, {@link prepareMedia}, so that how media is uploaded can change behind it.
 */
import type { Db } from '../store/db.ts';
import { getPostMedia } from '../store/post-media.ts';
import type { ClaimedPost } from '../store/posts.ts';
import type { XClient } from '../x/client.ts';
import { mediaCategory, sniffMedia } from './media.ts';
import { interpretUpload, type Decision, type RetryPolicy, type UploadOutcome } from './publish-decisions.ts';

/** One call to X as the claim holder (the claim confirmed, the retry-on-401 once): `publish-path.ts`. */
export type HolderCall = <T extends { kind: string }>(
  token: string,
  call: (accessToken: string) => Promise<T>,
) => Promise<HolderAnswer<T>>;

/** X's answer to the claim holder; `refused`: a 401 even after the refresh; `stop`: what to record. */
export type HolderAnswer<T> =
  | { kind: 'answered'; result: T; token: string }
  | { kind: 'refused'; token: string }
  | { kind: 'stop'; decision: Decision };

export type MediaReady =
  { kind: 'ready'; mediaIds: string[]; token: string } | { kind: 'stop'; decision: Decision };

/** Uploads the post's images; their ids (and the token, refreshed if X asked), or what to record. */
export async function prepareMedia(
  d: { db: Db; x: XClient; deadlineMs: number; policy: () => RetryPolicy },
  post: ClaimedPost,
  token: string,
  asHolder: HolderCall,
): Promise<MediaReady> {
  const ids: string[] = [];
  for (const m of await getPostMedia(d.db, post.id)) {
    const kind = sniffMedia(m.data);
    const media = {
      data: m.data,
      contentType: m.contentType,
      category: kind ? mediaCategory(kind) : 'tweet_image',
    };
    const answer = await asHolder(token, (t): Promise<UploadOutcome> =>
      d.x.uploadMedia(t, media, d.deadlineMs),
    );
    if (answer.kind === 'stop') return answer;
    token = answer.token;
    const outcome = answer.kind === 'refused' ? ({ kind: 'unauthorized' } as const) : answer.result;
    const meaning = interpretUpload(outcome, d.policy());
    if (meaning.kind !== 'uploaded') return { kind: 'stop', decision: meaning };
    ids.push(meaning.id);
  }
  return { kind: 'ready', mediaIds: ids, token };
}
