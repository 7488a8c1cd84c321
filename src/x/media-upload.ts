/**
 * @module X's v2 chunked media upload, as its OpenAPI (v2.167) and docs describe it: `POST
 * /2/media/upload/initialize` (`media_type`, `total_bytes`, `media_category`), `POST
 * /2/media/upload/{id}/append` (multipart `media` + `segment_index`, one segment at a time),
 * `POST /2/media/upload/{id}/finalize` (the JSON body `{}`), then `GET
 * /2/media/upload?command=STATUS&media_id=…` while X processes a GIF or a video. Segments are
 * 1 MB: X answered 413 to 5 MB chunks, 1 MB ones are safe. Each call returns what happened as data.
 */
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import { readRateLimits, type RateLimits } from './limits.ts';
import { detailOf } from './problem-detail.ts';

/** The size of each appended segment. */
export const SEGMENT_BYTES = 1 << 20;

/** X's `processing_info` of a GIF or video (absent for images). */
export interface ProcessingInfo {
  state: 'pending' | 'in_progress' | 'succeeded' | 'failed';
  /** Seconds X asks to wait before the next STATUS. */
  checkAfterSecs: number | undefined;
  /** X's words when processing failed (`error.message`, when X gives one). */
  detail: string | undefined;
}

/** Why a media call did not succeed. */
export type MediaCallFailure =
  | { kind: 'unauthorized' }
  | { kind: 'rate_limited'; limits: RateLimits }
  /** X refused the request (4xx): retrying the same bytes will not help. */
  | { kind: 'invalid'; detail: string }
  /** 5xx, timeout, dropped connection, or an answer we cannot read. */
  | { kind: 'failed'; detail: string }
  /** The caller's `beforeCall` said no (its claim moved on): nothing more was sent. */
  | { kind: 'stopped' };

export type ChunkedUploadOutcome =
  | {
      kind: 'uploaded';
      id: string;
      expiresAfterSecs: number | undefined;
      processing: ProcessingInfo | undefined;
    }
  | MediaCallFailure;

export type MediaStatusOutcome =
  { kind: 'status'; processing: ProcessingInfo | undefined } | MediaCallFailure;

export interface MediaHttp {
  base: string;
  fetch: FetchLike;
}

type Answer = { kind: 'ok'; data: Record<string, unknown> } | MediaCallFailure;

async function call(http: MediaHttp, path: string, init: RequestInit, timeoutMs?: number): Promise<Answer> {
  let response: Response;
  try {
    response = await http.fetch(`${http.base}${path}`, {
      ...init,
      ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
  } catch (e) {
    return { kind: 'failed', detail: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error' };
  }
  const json: unknown = await response.json().catch(() => undefined);
  const s = response.status;
  if (s === 401) return { kind: 'unauthorized' };
  if (s === 429) return { kind: 'rate_limited', limits: readRateLimits(response.headers) };
  if (response.ok) {
    const data = (json as { data?: unknown } | undefined)?.data;
    return data && typeof data === 'object'
      ? { kind: 'ok', data: data as Record<string, unknown> }
      : { kind: 'failed', detail: `HTTP ${s} without data` };
  }
  if (s >= 400 && s < 500) return { kind: 'invalid', detail: detailOf(json) };
  return { kind: 'failed', detail: `HTTP ${s}` };
}

/** `processing_info` as X sends it, or undefined (none, or not one we can read). */
export function readProcessingInfo(data: Record<string, unknown>): ProcessingInfo | undefined {
  const p = data.processing_info as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return undefined;
  const state = p.state;
  if (state !== 'pending' && state !== 'in_progress' && state !== 'succeeded' && state !== 'failed') {
    return undefined;
  }
  const after = Number(p.check_after_secs);
  const error = p.error as { message?: unknown; name?: unknown } | undefined;
  const detail =
    typeof error?.message === 'string'
      ? error.message
      : typeof error?.name === 'string'
        ? error.name
        : undefined;
  return { state, checkAfterSecs: Number.isFinite(after) && after >= 0 ? after : undefined, detail };
}

const mediaIdOf = (data: Record<string, unknown>) =>
  typeof data.id === 'string' && /^\d{1,19}$/.test(data.id) ? data.id : undefined;

/**
 * INIT → APPEND (1 MB segments, in order) → FINALIZE. `beforeCall` is asked before each request
 * (the publisher confirms its claim there); a no stops the upload.
 */
export async function uploadChunked(
  http: MediaHttp,
  accessToken: string,
  media: { data: Buffer; contentType: string; category: string },
  o: { timeoutMs?: number | undefined; beforeCall?: (() => Promise<boolean>) | undefined } = {},
): Promise<ChunkedUploadOutcome> {
  const auth = { authorization: `Bearer ${accessToken}` };
  const may = async () => (o.beforeCall ? o.beforeCall() : true);
  if (!(await may())) return { kind: 'stopped' };
  const init = await call(
    http,
    '/2/media/upload/initialize',
    {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        media_type: media.contentType,
        total_bytes: media.data.byteLength,
        media_category: media.category,
      }),
    },
    o.timeoutMs,
  );
  if (init.kind !== 'ok') return init;
  const id = mediaIdOf(init.data);
  if (!id) return { kind: 'failed', detail: 'no media id' };
  const path = `/2/media/upload/${encodeURIComponent(id)}`;
  for (let offset = 0, index = 0; offset < media.data.byteLength; offset += SEGMENT_BYTES, index += 1) {
    const form = new FormData();
    const chunk = new Uint8Array(media.data.subarray(offset, offset + SEGMENT_BYTES));
    form.set('segment_index', String(index));
    form.set('media', new Blob([chunk], { type: 'application/octet-stream' }), 'media');
    if (!(await may())) return { kind: 'stopped' };
    const appended = await call(
      http,
      `${path}/append`,
      { method: 'POST', headers: auth, body: form },
      o.timeoutMs,
    );
    if (appended.kind !== 'ok') return appended;
  }
  if (!(await may())) return { kind: 'stopped' };
  const done = await call(
    http,
    `${path}/finalize`,
    { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' },
    o.timeoutMs,
  );
  if (done.kind !== 'ok') return done;
  const after = Number(done.data.expires_after_secs);
  return {
    kind: 'uploaded',
    id: mediaIdOf(done.data) ?? id,
    expiresAfterSecs: Number.isFinite(after) && after > 0 ? after : undefined,
    processing: readProcessingInfo(done.data),
  };
}

/** `GET /2/media/upload?command=STATUS&media_id=…`: where X's processing of the media stands. */
export async function mediaStatus(
  http: MediaHttp,
  accessToken: string,
  mediaId: string,
  timeoutMs?: number,
): Promise<MediaStatusOutcome> {
  const q = new URLSearchParams({ command: 'STATUS', media_id: mediaId });
  const answer = await call(
    http,
    `/2/media/upload?${q.toString()}`,
    { headers: { authorization: `Bearer ${accessToken}` } },
    timeoutMs,
  );
  return answer.kind === 'ok' ? { kind: 'status', processing: readProcessingInfo(answer.data) } : answer;
}
