/**
 * @module Publishing one post, at most once (properties 28–31). The claim (`scheduled →
 * publishing`) is the only door to X; every outcome is recorded by compare-and-swap on the status;
 * an outcome X did not tell us is resolved by looking at the account's recent posts, never by a
 * blind retry.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { isRotorError, REAUTH_EXPLANATIONS } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { findAccount } from '../store/accounts.ts';
import {
  claimForPublishing,
  getPost,
  markFinal,
  markPublished,
  markStaleAsUnknown,
  recordedXPostIds,
  reschedule,
  type ClaimedPost,
  type PostRow,
} from '../store/posts.ts';
import { saveLimit } from '../store/x-limits.ts';
import type { TokenVault } from '../vault/vault.ts';
import { postUrl, type XClient } from '../x/client.ts';
import { getPostMedia } from '../store/post-media.ts';
import { mediaCategory, sniffMedia } from './media.ts';
import { retryAt, type LimitWindow, type RateLimits } from '../x/limits.ts';

export type PublishResult =
  | { kind: 'published'; xPostId: string }
  /** Nothing to do: published already, deleted, failed, a draft… */
  | { kind: 'settled'; status: string }
  /** Another worker is publishing it right now. */
  | { kind: 'busy' }
  | { kind: 'not_due'; dueAt: number }
  | { kind: 'rescheduled'; dueAt: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'blocked'; reason: string }
  | { kind: 'unknown'; reason: string };

export interface PublisherOptions {
  db: Db;
  vault: TokenVault;
  x: XClient;
  clock?: Clock;
  /** A post `publishing` for longer than this is taken as abandoned (ms). Default 90 s. */
  staleMs?: number;
  /** Attempts before a post whose sends got no answer fails for good. Default 5. */
  maxAttempts?: number;
  /** First retry delay after X did not answer (ms), doubling each attempt. Default 30 s. */
  retryBaseMs?: number;
  random?: () => number;
}

/** The same text as X compares it: NFC, links as placeholders (X rewrites them), spaces folded. */
export const comparable = (text: string) =>
  text
    .normalize('NFC')
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim();

export class Publisher {
  readonly #o: Required<Omit<PublisherOptions, 'clock' | 'random'>> & { clock: Clock; random: () => number };

  constructor(o: PublisherOptions) {
    this.#o = {
      staleMs: 90_000,
      maxAttempts: 5,
      retryBaseMs: 30_000,
      ...o,
      clock: o.clock ?? systemClock,
      random: o.random ?? Math.random,
    };
  }

  /** How long a post may stay `publishing` before it is taken as abandoned (ms). */
  get staleMs(): number {
    return this.#o.staleMs;
  }

  #backoff(attempt: number): number {
    return (
      Math.min(this.#o.retryBaseMs * 2 ** Math.max(0, attempt - 1), 30 * 60_000) *
      (0.75 + this.#o.random() / 2)
    );
  }

  /** Publishes the post if it is due and nobody else is; safe to call any number of times. */
  async publish(postId: string): Promise<PublishResult> {
    const { db } = this.#o;
    const post = await claimForPublishing(db, postId);
    if (!post) return this.#notClaimed(postId);
    const account = { id: post.accountId, username: post.username };
    const now = this.#o.clock.now();
    // Caps X reported (per user and per app, 24 h; the 15-minute window) are respected before sending.
    if (post.cappedUntil !== null) {
      const until = post.cappedUntil + 1000 + this.#o.random() * 4000;
      return this.#reschedule(
        post,
        until,
        `waiting for X's rate limit (${(post.cappedBy ?? []).join(', ')})`,
        true,
      );
    }
    let token: string;
    try {
      token = (await this.#o.vault.getAccessToken(account.id, { minValidityMs: 60_000 })).accessToken;
    } catch (e) {
      return this.#tokenFailure(post, e, now);
    }
    // Images are uploaded now (X's media ids live 24 hours); repeating an upload is harmless.
    let mediaIds: string[] | undefined;
    if (post.mediaCount > 0) {
      const uploaded = await this.#uploadMedia(post, account.id, token);
      if ('result' in uploaded) return uploaded.result;
      ({ mediaIds, token } = uploaded);
    }
    // The send must end well before the claim could be taken as abandoned (staleMs).
    const deadline = Math.max(1000, Math.floor(this.#o.staleMs / 3));
    const request = { text: post.text, replyTo: post.replyTo ?? undefined, mediaIds };
    let outcome = await this.#o.x.createPost(token, request, deadline);
    if (outcome.kind === 'unauthorized') {
      // Property 31: a 401 on an unexpired token → one single-flight refresh, then one more try.
      try {
        token = (await this.#o.vault.getAccessToken(account.id, { rejected: token })).accessToken;
      } catch (e) {
        return this.#tokenFailure(post, e, now);
      }
      outcome = await this.#o.x.createPost(token, request, deadline);
    }
    if ('limits' in outcome) await this.#saveLimits(account.id, outcome.limits);
    switch (outcome.kind) {
      case 'created':
        await markPublished(db, post.id, outcome.id, postUrl(account.username, outcome.id));
        return { kind: 'published', xPostId: outcome.id };
      case 'rate_limited':
        return this.#reschedule(
          post,
          retryAt(this.#o.clock.now(), outcome.limits, post.attempts, this.#o.random),
          'X rate limit (429)',
          true,
        );
      case 'unauthorized':
        return this.#final(
          post,
          'blocked',
          'X refused the access token even after a refresh; reconnect the account',
          false,
        );
      case 'duplicate': {
        // Not retried. But if the earlier post with this text is this very post (an answer lost
        // before), it is published: look.
        const mine = await this.#findOnX(token, post.subject, post.text, post.createdAt - 5_000);
        if (mine) {
          await markPublished(db, post.id, mine, postUrl(account.username, mine));
          return { kind: 'published', xPostId: mine };
        }
        return this.#final(post, 'failed', 'X refused it as a duplicate of an earlier post', false);
      }
      case 'no_credits':
        return this.#final(
          post,
          'failed',
          'X answered 402: the X developer account has no API credits left',
          false,
        );
      case 'forbidden':
      case 'invalid':
        return this.#final(post, 'failed', `X refused the post: ${outcome.detail}`, false);
      case 'unknown':
        await markFinal(db, post.id, 'unknown', `X did not answer (${outcome.detail})`, true);
        return this.resolveUnknown(post.id);
    }
  }

  async #notClaimed(postId: string): Promise<PublishResult> {
    const current = await getPost(this.#o.db, postId);
    if (!current) return { kind: 'settled', status: 'deleted' };
    if (current.status === 'scheduled') return { kind: 'not_due', dueAt: current.dueAt ?? 0 };
    if (current.status === 'unknown') return this.resolveUnknown(postId);
    if (current.status === 'publishing') {
      const stale = await markStaleAsUnknown(this.#o.db, postId, this.#o.staleMs);
      return stale ? this.resolveUnknown(postId) : { kind: 'busy' };
    }
    return { kind: 'settled', status: current.status };
  }

  /**
   * Property 29: a post whose outcome is unknown is looked for among the account's recent posts.
   * Found → published; certainly absent → scheduled again (bounded attempts); X unreachable →
   * stays unknown, to be looked at again later.
   */
  async resolveUnknown(postId: string): Promise<PublishResult> {
    const { db } = this.#o;
    const post = await getPost(db, postId);
    if (!post || post.status !== 'unknown') return { kind: 'settled', status: post?.status ?? 'deleted' };
    const account = await findAccount(db, { id: post.accountId });
    if (!account) return this.#final(post, 'failed', 'the account was disconnected', false);
    let token: string;
    try {
      token = (await this.#o.vault.getAccessToken(account.id)).accessToken;
    } catch (e) {
      if (isRotorError(e, 'reauth_required'))
        return this.#final(post, 'blocked', blockedReason(account.username, e.reason), false);
      return { kind: 'unknown', reason: 'could not reach X to check; will look again' };
    }
    const found = await this.#findOnX(token, account.subject, post.text, post.createdAt - 5_000);
    if (found === undefined)
      return { kind: 'unknown', reason: 'X did not list the recent posts; will look again' };
    if (found) {
      await markPublished(db, post.id, found, postUrl(account.username, found));
      return { kind: 'published', xPostId: found };
    }
    if (post.attempts >= this.#o.maxAttempts) {
      return this.#final(
        post,
        'failed',
        `X did not answer ${post.attempts} times; gave up (you can retry it)`,
        true,
      );
    }
    return this.#reschedule(
      post,
      this.#o.clock.now() + this.#backoff(post.attempts),
      'X did not answer; retrying',
      false,
    );
  }

  async #uploadMedia(
    post: ClaimedPost,
    accountId: string,
    token: string,
  ): Promise<{ mediaIds: string[]; token: string } | { result: PublishResult }> {
    const ids: string[] = [];
    for (const m of await getPostMedia(this.#o.db, post.id)) {
      const kind = sniffMedia(m.data);
      const media = {
        data: m.data,
        contentType: m.contentType,
        category: kind ? mediaCategory(kind) : 'tweet_image',
      };
      let outcome = await this.#o.x.uploadMedia(token, media);
      if (outcome.kind === 'unauthorized') {
        try {
          token = (await this.#o.vault.getAccessToken(accountId, { rejected: token })).accessToken;
        } catch (e) {
          return { result: await this.#tokenFailure(post, e, this.#o.clock.now()) };
        }
        outcome = await this.#o.x.uploadMedia(token, media);
      }
      switch (outcome.kind) {
        case 'uploaded':
          ids.push(outcome.id);
          break;
        case 'invalid':
          return {
            result: await this.#final(post, 'failed', `X refused the image: ${outcome.detail}`, false),
          };
        case 'rate_limited':
          return {
            result: await this.#reschedule(
              post,
              retryAt(this.#o.clock.now(), outcome.limits, post.attempts, this.#o.random),
              'X rate limit on media upload (429)',
              true,
            ),
          };
        case 'unauthorized':
          return {
            result: await this.#final(
              post,
              'blocked',
              'X refused the access token for media upload; reconnect the account (media.write)',
              false,
            ),
          };
        case 'failed':
          return {
            result: await this.#reschedule(
              post,
              this.#o.clock.now() + this.#backoff(post.attempts),
              `media upload failed (${outcome.detail}); retrying`,
              true,
            ),
          };
      }
    }
    return { mediaIds: ids, token };
  }

  /** X's id of the account's post with this text since `since`: '' if none, undefined if X did not say. */
  async #findOnX(token: string, subject: string, text: string, since: number): Promise<string | undefined> {
    const recent = await this.#o.x.recentPosts(token, subject, since);
    if (!recent) return undefined;
    const wanted = comparable(text);
    const candidates = recent.filter((p) => comparable(p.text) === wanted).map((p) => p.id);
    // A post X has that another of our posts already owns is that one's, not this one's.
    const taken = await recordedXPostIds(this.#o.db, candidates);
    return candidates.find((id) => !taken.has(id)) ?? '';
  }

  async #tokenFailure(post: PostRow, e: unknown, now: number): Promise<PublishResult> {
    if (isRotorError(e, 'reauth_required')) {
      const account = await findAccount(this.#o.db, { id: post.accountId });
      return this.#final(post, 'blocked', blockedReason(account?.username ?? '?', e.reason), false);
    }
    if (isRotorError(e) && (e.transient || e.code === 'invalid_client')) {
      const at = now + Math.max(e.retryAfterMs ?? 0, this.#backoff(post.attempts));
      return this.#reschedule(post, at, `could not get a token (${e.code}); retrying`, true);
    }
    return this.#final(post, 'failed', `could not get a token: ${isRotorError(e) ? e.code : 'error'}`, true);
  }

  /**
   * Records the limits X reported that are used up: the pre-check only looks for exhausted ones,
   * and a row stops counting at its reset time, so limits with room left cost no write.
   */
  async #saveLimits(accountId: string, limits: RateLimits): Promise<void> {
    const { db } = this.#o;
    const entries: [string, LimitWindow | undefined][] = [
      [`window:${accountId}`, limits.window],
      [`user24h:${accountId}`, limits.user24h],
      ['app24h', limits.app24h],
    ];
    for (const [key, w] of entries) if (w && w.remaining <= 0) await saveLimit(db, key, w);
  }

  async #reschedule(post: PostRow, dueAt: number, reason: string, refund: boolean): Promise<PublishResult> {
    await reschedule(this.#o.db, post.id, dueAt, reason, refund);
    return { kind: 'rescheduled', dueAt, reason };
  }

  async #final(
    post: PostRow,
    status: 'failed' | 'blocked',
    reason: string,
    retryable: boolean,
  ): Promise<PublishResult> {
    await markFinal(this.#o.db, post.id, status, reason, retryable);
    return status === 'failed' ? { kind: 'failed', reason } : { kind: 'blocked', reason };
  }
}

function blockedReason(username: string, reason: string | undefined): string {
  return `@${username} needs to be reconnected: ${REAUTH_EXPLANATIONS[(reason ?? 'unknown') as keyof typeof REAUTH_EXPLANATIONS]}`;
}
