/**
 * @module The X API calls posting needs: create a post, read an account's recent posts (to
 * resolve an unknown outcome), read the account's profile and metrics. Each returns what
 * happened as data; deadlines and size caps on every call.
 */
import { boundedFetch, type FetchLike } from '../oauth/bounded-fetch.ts';
import { readRateLimits, type RateLimits } from './limits.ts';
import { detailOf } from './problem-detail.ts';
import {
  mediaStatus,
  uploadChunked,
  type ChunkedUploadOutcome,
  type MediaHttp,
  type MediaStatusOutcome,
} from './media-upload.ts';
import { systemTimer, type Timer } from '../core/clock.ts';

export type CreatePostOutcome =
  | { kind: 'created'; id: string; text: string; limits: RateLimits }
  | { kind: 'unauthorized' }
  | { kind: 'rate_limited'; limits: RateLimits }
  | { kind: 'duplicate'; limits: RateLimits }
  | { kind: 'no_credits' }
  | { kind: 'forbidden'; detail: string; limits: RateLimits }
  | { kind: 'invalid'; detail: string; limits: RateLimits }
  /** 5xx, timeout, dropped connection, or a 2xx we cannot read: X may or may not have posted. */
  | { kind: 'unknown'; detail: string };

export interface PostRequest {
  text: string;
  replyTo?: string | undefined;
  mediaIds?: string[] | undefined;
}

export interface XClientOptions {
  apiBase: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  /**
   * What waits between two looks at X's media processing (`check_after_secs`). Default: real
   * timers. Tests give the one that moves the emulator's clock.
   */
  timer?: Timer;
}

const MAX_BYTES = 256 * 1024;

export class XClient {
  readonly #base: string;
  readonly #fetch: FetchLike;
  /** Waits on X's `check_after_secs` are measured by this. */
  readonly timer: Timer;

  constructor(o: XClientOptions) {
    this.#base = o.apiBase;
    this.#fetch = boundedFetch(o.fetch ?? fetch, { timeoutMs: o.timeoutMs ?? 30_000, maxBytes: MAX_BYTES });
    this.timer = o.timer ?? systemTimer;
  }

  get #media(): MediaHttp {
    return { base: this.#base, fetch: this.#fetch };
  }

  /**
   * Creates a post. `timeoutMs` (the caller's deadline) must be shorter than the time after which
   * the caller's claim counts as abandoned, or a slow answer would race a lookup.
   */
  async createPost(accessToken: string, post: PostRequest, timeoutMs?: number): Promise<CreatePostOutcome> {
    const body: Record<string, unknown> = { text: post.text };
    if (post.replyTo) body.reply = { in_reply_to_tweet_id: post.replyTo };
    if (post.mediaIds?.length) body.media = { media_ids: post.mediaIds };
    let response: Response;
    let json: unknown;
    try {
      response = await this.#fetch(`${this.#base}/2/tweets`, {
        ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { kind: 'unknown', detail: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error' };
    }
    const limits = readRateLimits(response.headers);
    try {
      json = await response.json();
    } catch {
      json = undefined;
    }
    const s = response.status;
    if (s === 201 || s === 200) {
      const data = (json as { data?: { id?: unknown; text?: unknown } } | undefined)?.data;
      if (typeof data?.id === 'string' && /^\d+$/.test(data.id)) {
        return {
          kind: 'created',
          id: data.id,
          text: typeof data.text === 'string' ? data.text : post.text,
          limits,
        };
      }
      return { kind: 'unknown', detail: `HTTP ${s} without a post id` };
    }
    if (s === 401) return { kind: 'unauthorized' };
    if (s === 429) return { kind: 'rate_limited', limits };
    if (s === 402) return { kind: 'no_credits' };
    const detail = detailOf(json);
    if (s === 403 && /duplicate/i.test(detail)) return { kind: 'duplicate', limits };
    if (s === 403) return { kind: 'forbidden', detail, limits };
    if (s >= 400 && s < 500) return { kind: 'invalid', detail, limits };
    return { kind: 'unknown', detail: `HTTP ${s}` };
  }

  /**
   * Chunked upload of one GIF or video (or any media): initialize, append, finalize
   * (`media-upload.ts`). `beforeCall` is asked before each request; a no stops it.
   */
  uploadMediaChunked(
    accessToken: string,
    media: { data: Buffer; contentType: string; category: string },
    o: { timeoutMs?: number | undefined; beforeCall?: (() => Promise<boolean>) | undefined } = {},
  ): Promise<ChunkedUploadOutcome> {
    return uploadChunked(this.#media, accessToken, media, o);
  }

  /** Where X's processing of an uploaded GIF or video stands (`command=STATUS`). */
  mediaStatus(accessToken: string, mediaId: string, timeoutMs?: number): Promise<MediaStatusOutcome> {
    return mediaStatus(this.#media, accessToken, mediaId, timeoutMs);
  }

  /** Simple upload of one image (`POST /2/media/upload`, scope `media.write`). */
  async uploadMedia(
    accessToken: string,
    media: { data: Buffer; contentType: string; category: string },
    timeoutMs?: number,
  ): Promise<
    | { kind: 'uploaded'; id: string; expiresAfterSecs: number | undefined }
    | { kind: 'unauthorized' }
    | { kind: 'rate_limited'; limits: RateLimits }
    | { kind: 'invalid'; detail: string }
    | { kind: 'failed'; detail: string }
  > {
    const form = new FormData();
    form.set('media', new Blob([new Uint8Array(media.data)], { type: media.contentType }), 'media');
    form.set('media_category', media.category);
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}/2/media/upload`, {
        ...(timeoutMs !== undefined ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
        body: form,
      });
    } catch (e) {
      return { kind: 'failed', detail: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error' };
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (response.status === 401) return { kind: 'unauthorized' };
    if (response.status === 429) return { kind: 'rate_limited', limits: readRateLimits(response.headers) };
    if (response.ok) {
      const data = (json as { data?: { id?: unknown; expires_after_secs?: unknown } } | undefined)?.data;
      const id = data?.id;
      const after = Number(data?.expires_after_secs);
      return typeof id === 'string' && /^\d+$/.test(id)
        ? { kind: 'uploaded', id, expiresAfterSecs: Number.isFinite(after) && after > 0 ? after : undefined }
        : { kind: 'failed', detail: 'no media id' };
    }
    if (response.status >= 400 && response.status < 500) return { kind: 'invalid', detail: detailOf(json) };
    return { kind: 'failed', detail: `HTTP ${response.status}` };
  }

  /** The account's posts since `since` (epoch ms), newest first; undefined when X did not answer usefully. */
  async recentPosts(
    accessToken: string,
    userId: string,
    since: number,
  ): Promise<{ id: string; text: string; createdAt: number }[] | 'unauthorized' | undefined> {
    const url = new URL(`${this.#base}/2/users/${encodeURIComponent(userId)}/tweets`);
    url.searchParams.set('max_results', '100');
    url.searchParams.set('tweet.fields', 'created_at');
    url.searchParams.set('start_time', new Date(since).toISOString());
    try {
      const response = await this.#fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
      if (response.status === 401) return 'unauthorized';
      if (!response.ok) return undefined;
      const body = (await response.json()) as {
        data?: { id?: unknown; text?: unknown; created_at?: unknown }[];
      };
      return (body.data ?? [])
        .filter((p) => typeof p.id === 'string' && typeof p.text === 'string')
        .map((p) => ({
          id: p.id as string,
          text: p.text as string,
          createdAt: Date.parse(String(p.created_at)),
        }));
    } catch {
      return undefined;
    }
  }

  /** The account's id, username and public metrics. */
  async me(
    accessToken: string,
  ): Promise<
    | { id: string; username: string; followers: number; following: number; posts: number }
    | { error: 'unauthorized' | 'failed' }
  > {
    try {
      const response = await this.#fetch(`${this.#base}/2/users/me?user.fields=public_metrics`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      if (response.status === 401) return { error: 'unauthorized' };
      if (!response.ok) return { error: 'failed' };
      const d = ((await response.json()) as { data?: Record<string, unknown> }).data;
      const m = d?.public_metrics as Record<string, unknown> | undefined;
      if (typeof d?.id !== 'string' || typeof d.username !== 'string' || !m) return { error: 'failed' };
      return {
        id: d.id,
        username: d.username,
        followers: Number(m.followers_count ?? 0),
        following: Number(m.following_count ?? 0),
        posts: Number(m.tweet_count ?? 0),
      };
    } catch {
      return { error: 'failed' };
    }
  }
}

/** The public URL of a post. */
export const postUrl = (username: string, id: string) => `https://x.com/${username}/status/${id}`;
