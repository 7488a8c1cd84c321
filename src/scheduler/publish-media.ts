/**
 * @module The media part of the prepare step: a post's media made ready on X before the post is
 * sent. Each file is uploaded once (simple upload for images, chunked for GIFs and videos), and
 * X's id is recorded under the post's claim so that a retry of the publish attaches it instead of
 * uploading again. X's processing of a GIF or video is waited for (`processing_info`, polled after
 * X's `check_after_secs`, on the X client's one timer). The post is sent only with all of its media
 * ready: a failure here never lets the text go out alone. Every call to X is made as the claim
 * holder (the claim confirmed first, which also restarts its stale clock, so a long processing
 * wait does not let another worker take the post over). One call, {@link prepareMedia}.
 */
import type { Db } from '../store/db.ts';
import { getPostMedia, recordMediaId } from '../store/post-media.ts';
import { confirmClaim, type ClaimedPost } from '../store/post-claims.ts';
import type { XClient } from '../x/client.ts';
import type { ChunkedUploadOutcome, ProcessingInfo } from '../x/media-upload.ts';
import { mediaCategory, mediaWord, sniffMedia, uploadsChunked, type MediaKind } from './media.ts';
import { mediaFailureDecision, mediaLater, type Decision, type RetryPolicy } from './publish-decisions.ts';

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

/** A recorded id is reused only while X keeps it at least this much longer. */
export const REUSE_MARGIN_MS = 60 * 60_000;
/** X's media ids live 24 hours unless X says otherwise (`expires_after_secs`). */
const DEFAULT_EXPIRY_SECS = 86_400;
/**
 * Longest wait for X's processing within one attempt; past it the post is rescheduled and the
 * next attempt asks about the same id. Well under the workers' job expiry (120 s by default), so
 * that the queue does not hand a job still waiting here to another worker.
 */
export const MAX_PROCESSING_WAIT_MS = 60_000;
/** Where a kept GIF or video stands is not known yet: ask X at once. */
const ASKING: ProcessingInfo = { state: 'in_progress', checkAfterSecs: 0, detail: undefined };
const BUSY = { kind: 'stop', decision: { kind: 'busy' } } as const;

/** The post's media ids on X, ready to attach (and the token, refreshed if X asked), or what to record. */
export async function prepareMedia(
  d: { db: Db; x: XClient; deadlineMs: number; policy: () => RetryPolicy },
  post: ClaimedPost,
  token: string,
  asHolder: HolderCall,
): Promise<MediaReady> {
  const confirm = () => confirmClaim(d.db, post.id, post.claimSeq);
  const record = (position: number, id: string | null, expiresAt: number | null) =>
    recordMediaId(d.db, post.id, position, id, expiresAt, post.claimSeq);
  const stop = (decision: Decision): MediaReady => ({ kind: 'stop', decision });

  const ids: string[] = [];
  for (const m of await getPostMedia(d.db, post.id)) {
    const kind: MediaKind = sniffMedia(m.data) ?? 'image/png';
    const what = mediaWord(kind);
    const chunked = uploadsChunked(kind);
    const now = d.policy().now;
    const kept =
      m.xMediaId !== null && (m.xMediaExpiresAt ?? 0) - now > REUSE_MARGIN_MS ? m.xMediaId : undefined;
    let id: string;
    // A kept GIF or video: where X's processing stands is asked first (it may have been cut short).
    let processing: ProcessingInfo | undefined = kept && chunked ? ASKING : undefined;
    if (kept) {
      id = kept;
    } else {
      const media = { data: m.data, contentType: kind, category: mediaCategory(kind) };
      const answer = await asHolder(token, async (t): Promise<ChunkedUploadOutcome> => {
        if (chunked)
          return d.x.uploadMediaChunked(t, media, { timeoutMs: d.deadlineMs, beforeCall: confirm });
        const simple = await d.x.uploadMedia(t, media, d.deadlineMs);
        return simple.kind === 'uploaded' ? { ...simple, processing: undefined } : simple;
      });
      if (answer.kind === 'stop') return answer;
      token = answer.token;
      const up = answer.kind === 'refused' ? ({ kind: 'unauthorized' } as const) : answer.result;
      if (up.kind !== 'uploaded') return stop(mediaFailureDecision(up, d.policy(), what));
      id = up.id;
      processing = up.processing;
      const expiresAt = d.policy().now + (up.expiresAfterSecs ?? DEFAULT_EXPIRY_SECS) * 1000;
      if (!(await record(m.position, id, expiresAt))) return BUSY;
    }
    // X's processing of a GIF or video, waited for as X asks.
    let waited = 0;
    while (processing && processing.state !== 'succeeded') {
      if (processing.state === 'failed') {
        if (!(await record(m.position, null, null))) return BUSY;
        const reason = `X could not process the ${what}: ${processing.detail ?? 'processing failed'}`;
        return stop({ kind: 'final', status: 'failed', reason, retryable: false });
      }
      const wait = Math.min(Math.max(0, processing.checkAfterSecs ?? 1) * 1000, d.deadlineMs);
      if (waited + wait > MAX_PROCESSING_WAIT_MS)
        return stop(mediaLater(d.policy(), `X is still processing the ${what}; will look again`));
      if (wait > 0) await d.x.timer.sleep(wait);
      waited += wait;
      const answer = await asHolder(token, (t) => d.x.mediaStatus(t, id, d.deadlineMs));
      if (answer.kind === 'stop') return answer;
      token = answer.token;
      const status = answer.kind === 'refused' ? ({ kind: 'unauthorized' } as const) : answer.result;
      if (status.kind === 'invalid') {
        // X no longer knows the id (expired, or lost): the next attempt uploads the file again.
        if (!(await record(m.position, null, null))) return BUSY;
        return stop(
          mediaLater(d.policy(), `X no longer has the uploaded ${what}; it will be uploaded again`),
        );
      }
      if (status.kind !== 'status') return stop(mediaFailureDecision(status, d.policy(), what));
      // No processing_info: nothing left to process.
      processing = status.processing;
    }
    ids.push(id);
  }
  return { kind: 'ready', mediaIds: ids, token };
}
