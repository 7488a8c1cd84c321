/**
 * @module A post's media made ready on X before the post is sent: each file uploaded once (simple
 * upload for images, chunked for GIFs and videos), X's id recorded under the post's claim so that
 * a retry of the publish attaches it instead of uploading again, and X's processing of a GIF or
 * video waited for (`processing_info`, polled after X's `check_after_secs`, on the X client's one
 * timer). The post is sent only with all of its media ready: a failure here never lets the text
 * go out alone. Every call to X is preceded by a confirmation of the claim (which also restarts its
 * stale clock, so a long processing wait does not let another worker take the post over).
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';
import { getPostMedia, recordMediaId } from '../store/post-media.ts';
import { confirmClaim, type ClaimedPost } from '../store/posts.ts';
import type { TokenVault } from '../vault/vault.ts';
import type { XClient } from '../x/client.ts';
import type { RateLimits } from '../x/limits.ts';
import type { ChunkedUploadOutcome, MediaCallFailure, ProcessingInfo } from '../x/media-upload.ts';
import { mediaCategory, mediaWord, sniffMedia, uploadsChunked, type MediaKind } from './media.ts';
import type { PublishResult } from './publisher.ts';

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

/** What the publisher decides for each way the media step can end (its fenced writes). */
export interface MediaDecisions {
  /** Final: X refused the file, or could not process it. */
  failed(reason: string): Promise<PublishResult>;
  rateLimited(limits: RateLimits, reason: string): Promise<PublishResult>;
  /** Transient: try the post again later (the attempt given back). */
  later(reason: string): Promise<PublishResult>;
  /** X refused a freshly refreshed token. */
  refused(reason: string): Promise<PublishResult>;
  tokenFailure(e: unknown): Promise<PublishResult>;
}

export interface MediaContext {
  db: Db;
  vault: TokenVault;
  x: XClient;
  clock: Clock;
  post: ClaimedPost;
  token: string;
  /** Deadline of each call to X, and the longest single wait (ms). */
  deadlineMs: number;
}

type Step<T> = T | { result: PublishResult };
const BUSY: { result: PublishResult } = { result: { kind: 'busy' } };
/** Where a kept GIF or video stands is not known yet: ask X at once. */
const ASKING: ProcessingInfo = { state: 'in_progress', checkAfterSecs: 0, detail: undefined };

/** The post's media ids on X, ready to attach, and the token in use after any refresh. */
export async function prepareMedia(
  c: MediaContext,
  on: MediaDecisions,
): Promise<Step<{ mediaIds: string[]; token: string }>> {
  let token = c.token;
  const confirm = () => confirmClaim(c.db, c.post.id, c.post.claimSeq);
  const record = (position: number, id: string | null, expiresAt: number | null) =>
    recordMediaId(c.db, c.post.id, position, id, expiresAt, c.post.claimSeq);

  /** A call to X, with one single-flight refresh on a 401 (property 31). */
  async function withRefresh<T extends { kind: string }>(
    send: (token: string) => Promise<T>,
  ): Promise<Step<T>> {
    const first = await send(token);
    if (first.kind !== 'unauthorized') return first;
    try {
      token = (await c.vault.getAccessToken(c.post.accountId, { rejected: token })).accessToken;
    } catch (e) {
      return { result: await on.tokenFailure(e) };
    }
    return send(token);
  }

  async function failure(f: MediaCallFailure, what: string): Promise<{ result: PublishResult }> {
    switch (f.kind) {
      case 'stopped':
        return BUSY;
      case 'invalid':
        return { result: await on.failed(`X refused the ${what}: ${f.detail}`) };
      case 'rate_limited':
        return { result: await on.rateLimited(f.limits, 'X rate limit on media upload (429)') };
      case 'unauthorized':
        return {
          result: await on.refused(
            'X refused the access token for media upload; reconnect the account (media.write)',
          ),
        };
      case 'failed':
        return { result: await on.later(`media upload failed (${f.detail}); retrying`) };
    }
  }

  const ids: string[] = [];
  for (const m of await getPostMedia(c.db, c.post.id)) {
    const kind: MediaKind = sniffMedia(m.data) ?? 'image/png';
    const what = mediaWord(kind);
    const chunked = uploadsChunked(kind);
    const kept =
      m.xMediaId !== null && (m.xMediaExpiresAt ?? 0) - c.clock.now() > REUSE_MARGIN_MS
        ? m.xMediaId
        : undefined;
    let id: string;
    // A kept GIF or video: where X's processing stands is asked first (it may have been cut short).
    let processing: ProcessingInfo | undefined = kept && chunked ? ASKING : undefined;
    if (kept) {
      id = kept;
    } else {
      const media = { data: m.data, contentType: kind, category: mediaCategory(kind) };
      const send = async (t: string): Promise<ChunkedUploadOutcome> => {
        if (chunked)
          return c.x.uploadMediaChunked(t, media, { timeoutMs: c.deadlineMs, beforeCall: confirm });
        if (!(await confirm())) return { kind: 'stopped' };
        const simple = await c.x.uploadMedia(t, media, c.deadlineMs);
        return simple.kind === 'uploaded' ? { ...simple, processing: undefined } : simple;
      };
      const up = await withRefresh(send);
      if ('result' in up) return up;
      if (up.kind !== 'uploaded') return failure(up, what);
      id = up.id;
      processing = up.processing;
      const expiresAt = c.clock.now() + (up.expiresAfterSecs ?? DEFAULT_EXPIRY_SECS) * 1000;
      if (!(await record(m.position, id, expiresAt))) return BUSY;
    }
    // X's processing of a GIF or video, waited for as X asks.
    let waited = 0;
    while (processing && processing.state !== 'succeeded') {
      if (processing.state === 'failed') {
        if (!(await record(m.position, null, null))) return BUSY;
        return {
          result: await on.failed(
            `X could not process the ${what}: ${processing.detail ?? 'processing failed'}`,
          ),
        };
      }
      const wait = Math.min(Math.max(0, processing.checkAfterSecs ?? 1) * 1000, c.deadlineMs);
      if (waited + wait > MAX_PROCESSING_WAIT_MS) {
        return { result: await on.later(`X is still processing the ${what}; will look again`) };
      }
      if (wait > 0) await c.x.timer.sleep(wait);
      waited += wait;
      if (!(await confirm())) return BUSY;
      const status = await withRefresh((t) => c.x.mediaStatus(t, id, c.deadlineMs));
      if ('result' in status) return status;
      if (status.kind === 'invalid') {
        // X no longer knows the id (expired, or lost): the next attempt uploads the file again.
        if (!(await record(m.position, null, null))) return BUSY;
        return { result: await on.later(`X no longer has the uploaded ${what}; it will be uploaded again`) };
      }
      if (status.kind !== 'status') return failure(status, what);
      // No processing_info: nothing left to process.
      processing = status.processing;
    }
    ids.push(id);
  }
  return { mediaIds: ids, token };
}
