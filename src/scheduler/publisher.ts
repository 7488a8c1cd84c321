/**
 * @module Publishing one post, at most once (properties 28–31).
 *
 * - The claim (`scheduled → publishing`, a compare-and-swap that also bumps `claim_seq`) is the
 *   only door to X. Every later write names the claim it belongs to (a {@link Fence}), so a worker
 *   taken for dead can never overwrite what happened after it.
 * - The claim holder confirms its claim (and restarts the stale clock) just before each call to
 *   X, with a deadline well under the stale time: a claim cannot be taken over while its send runs.
 * - An outcome X did not tell us becomes `unknown`. It is looked up on the account's recent posts
 *   no sooner than the stale time later, twice before it is called absent, and never resent
 *   blindly: a post that cannot be looked up (no text) fails for the user to check.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { isRotorError, REAUTH_EXPLANATIONS } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { findAccount, markReauthRequired } from '../store/accounts.ts';
import { getPostMedia } from '../store/post-media.ts';
import {
  claimForPublishing,
  confirmClaim,
  getPost,
  markFinal,
  markPublished,
  markStaleAsUnknown,
  noteLookup,
  recordedXPostIds,
  reschedule,
  type ClaimedPost,
  type Fence,
  type PostRow,
} from '../store/posts.ts';
import { saveLimit } from '../store/x-limits.ts';
import type { TokenVault } from '../vault/vault.ts';
import { postUrl, type XClient } from '../x/client.ts';
import { retryAt, type LimitWindow, type RateLimits } from '../x/limits.ts';
import { mediaCategory, sniffMedia } from './media.ts';

export type PublishResult =
  | { kind: 'published'; xPostId: string }
  /** Nothing to do: published already, deleted, failed, a draft… */
  | { kind: 'settled'; status: string }
  /** Another worker holds it right now. */
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
  /** A post `publishing` (or `unknown`) for longer than this is looked at again (ms). Default 90 s. */
  staleMs?: number;
  /** Sends without an answer before a post fails for good. Default 5. */
  maxAttempts?: number;
  /** Reschedules of any kind before a post fails for good. Default 20. */
  maxRetries?: number;
  /** Looks at X for an unknown outcome before it fails for the user to check. Default 10. */
  maxLookups?: number;
  /** First retry delay (ms), doubling with each retry. Default 30 s. */
  retryBaseMs?: number;
  random?: () => number;
  /** Told every result of {@link Publisher.publish} and of a lookup, and X's rate limits (metrics, audit, notifications). */
  observer?: PublishObserver;
}

/** What the publisher reports; must not throw (errors are swallowed). */
export interface PublishObserver {
  result(postId: string, result: PublishResult, source: 'publish' | 'lookup'): void;
  limits?(accountId: string, limits: RateLimits): void;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/**
 * The same text as X keeps it: NFC, HTML entities decoded (X answers `&amp;`), links as
 * placeholders (X rewrites them to t.co, and appends one for attached media), leading @mentions
 * of a reply dropped, spaces folded.
 */
export const comparable = (text: string) =>
  text
    .normalize('NFC')
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
    .replace(/^(@\w+\s+)+/, '')
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/(\s*<url>)+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();

const fenceOf = (post: PostRow): Fence => ({
  status: post.status === 'unknown' ? 'unknown' : 'publishing',
  claimSeq: post.claimSeq,
});

export class Publisher {
  readonly #o: Required<Omit<PublisherOptions, 'clock' | 'random' | 'observer'>> & {
    clock: Clock;
    random: () => number;
    observer: PublishObserver | undefined;
  };

  constructor(o: PublisherOptions) {
    this.#o = {
      staleMs: 90_000,
      maxAttempts: 5,
      maxRetries: 20,
      maxLookups: 10,
      retryBaseMs: 30_000,
      ...o,
      clock: o.clock ?? systemClock,
      random: o.random ?? Math.random,
      observer: o.observer,
    };
  }

  #tell(postId: string, result: PublishResult, source: 'publish' | 'lookup'): PublishResult {
    try {
      this.#o.observer?.result(postId, result, source);
    } catch {
      // an observer's failure must never change a post's fate
    }
    return result;
  }

  /** How long a post may stay `publishing` before it is taken as abandoned (ms). */
  get staleMs(): number {
    return this.#o.staleMs;
  }

  /** Every call to X by a claim holder ends well before its claim could be taken over. */
  get #deadline(): number {
    return Math.max(1000, Math.floor(this.#o.staleMs / 3));
  }

  #backoff(retries: number): number {
    return (
      Math.min(this.#o.retryBaseMs * 2 ** Math.max(0, retries), 60 * 60_000) * (0.75 + this.#o.random() / 2)
    );
  }

  /**
   * Publishes the post if it is due and nobody else is; safe to call any number of times.
   * `claimed`: the claim this caller already won for it (a batch claim), instead of claiming here.
   */
  async publish(postId: string, claimed?: ClaimedPost): Promise<PublishResult> {
    return this.#tell(postId, await this.#publish(postId, claimed), 'publish');
  }

  async #publish(postId: string, claimed?: ClaimedPost): Promise<PublishResult> {
    const { db } = this.#o;
    const post = claimed ?? (await claimForPublishing(db, postId));
    if (!post) return this.#notClaimed(postId);
    const account = { id: post.accountId, username: post.username };
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
      return this.#tokenFailure(post, e);
    }
    // Images are uploaded now (X's media ids live 24 hours); repeating an upload is harmless.
    let mediaIds: string[] | undefined;
    if (post.mediaCount > 0) {
      const uploaded = await this.#uploadMedia(post, account.id, token);
      if ('result' in uploaded) return uploaded.result;
      ({ mediaIds, token } = uploaded);
    }
    const request = { text: post.text, replyTo: post.replyTo ?? undefined, mediaIds };
    if (!(await confirmClaim(db, post.id, post.claimSeq))) return { kind: 'busy' };
    let outcome = await this.#o.x.createPost(token, request, this.#deadline);
    if (outcome.kind === 'unauthorized') {
      // Property 31: a 401 on an unexpired token → one single-flight refresh, then one more try.
      try {
        token = (await this.#o.vault.getAccessToken(account.id, { rejected: token })).accessToken;
      } catch (e) {
        return this.#tokenFailure(post, e);
      }
      if (!(await confirmClaim(db, post.id, post.claimSeq))) return { kind: 'busy' };
      outcome = await this.#o.x.createPost(token, request, this.#deadline);
    }
    if (outcome.kind === 'created') {
      await markPublished(db, post.id, outcome.id, postUrl(account.username, outcome.id));
      await this.#saveLimits(account.id, outcome.limits).catch(() => undefined);
      return { kind: 'published', xPostId: outcome.id };
    }
    if ('limits' in outcome) await this.#saveLimits(account.id, outcome.limits).catch(() => undefined);
    switch (outcome.kind) {
      case 'rate_limited':
        return this.#reschedule(
          post,
          retryAt(this.#o.clock.now(), outcome.limits, post.retries, this.#o.random),
          'X rate limit (429)',
          true,
        );
      case 'unauthorized':
        return this.#accessRefused(
          post,
          'X refused the access token even after a refresh; reconnect the account',
        );
      case 'duplicate': {
        // Not retried. But if the earlier post with this text is this very post (an answer lost
        // before), it is published: look.
        const mine = await this.#findOnX(token, post.subject, post, post.createdAt - 5_000).catch(
          () => undefined,
        );
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
        // Looked up later (after the stale time), when X has surely finished with the request.
        await markFinal(
          db,
          post.id,
          'unknown',
          `X did not answer (${outcome.detail}); will look whether it was posted`,
          true,
          fenceOf(post),
        );
        return { kind: 'unknown', reason: outcome.detail };
    }
  }

  async #notClaimed(postId: string): Promise<PublishResult> {
    const current = await getPost(this.#o.db, postId);
    if (!current) return { kind: 'settled', status: 'deleted' };
    if (current.status === 'scheduled') return { kind: 'not_due', dueAt: current.dueAt ?? 0 };
    if (current.status === 'unknown') return this.#resolveUnknown(postId);
    if (current.status === 'publishing') {
      const stale = await markStaleAsUnknown(this.#o.db, postId, this.#o.staleMs);
      return stale
        ? { kind: 'unknown', reason: 'its worker stopped; will look whether it was posted' }
        : { kind: 'busy' };
    }
    return { kind: 'settled', status: current.status };
  }

  /**
   * Property 29: a post whose outcome is unknown is looked for among the account's recent posts.
   * Found → published. Absent twice (looks spaced by the sweep) → scheduled again. X unreachable or
   * the account needing its user → stays unknown (never a blind retry), and after `maxLookups`
   * looks it fails for the user to check. A post without text cannot be looked up: it fails at once.
   */
  async resolveUnknown(postId: string): Promise<PublishResult> {
    return this.#tell(postId, await this.#resolveUnknown(postId), 'lookup');
  }

  async #resolveUnknown(postId: string): Promise<PublishResult> {
    const { db } = this.#o;
    const post = await getPost(db, postId);
    if (!post || post.status !== 'unknown') return { kind: 'settled', status: post?.status ?? 'deleted' };
    const fence = fenceOf(post);
    const account = await findAccount(db, { id: post.accountId });
    if (!account) return { kind: 'settled', status: 'deleted' };
    const stillUnknown = async (reason: string): Promise<PublishResult> => {
      const lookups = await noteLookup(db, post.id, reason, fence);
      if (lookups !== undefined && lookups >= this.#o.maxLookups) {
        return this.#final(
          post,
          'failed',
          `X did not say whether it was posted after ${lookups} looks; check @${account.username} on X before retrying`,
          true,
          fence,
        );
      }
      return { kind: 'unknown', reason };
    };
    if (post.text.trim() === '') {
      return this.#final(
        post,
        'failed',
        'X did not answer and a post without text cannot be looked up; check X before retrying',
        true,
        fence,
      );
    }
    let found: string | undefined;
    try {
      const token = (await this.#o.vault.getAccessToken(account.id)).accessToken;
      found = await this.#findOnX(token, account.subject, post, post.createdAt - 5_000);
    } catch (e) {
      // The account needing its user does not make the outcome known: look once it is reconnected.
      return stillUnknown(
        isRotorError(e, 'reauth_required')
          ? `X may have posted it; @${account.username} needs to be reconnected before Rotor can check`
          : 'could not reach X to check; will look again',
      );
    }
    if (found === undefined) return stillUnknown('X did not list the recent posts; will look again');
    if (found) {
      await markPublished(db, post.id, found, postUrl(account.username, found));
      return { kind: 'published', xPostId: found };
    }
    // Absent. Once is not enough (X may still have been working on it): look again later.
    if (post.lookups === 0) return stillUnknown('not on X yet; will look again before retrying');
    if (post.attempts >= this.#o.maxAttempts) {
      return this.#final(
        post,
        'failed',
        `X did not answer ${post.attempts} times; gave up (you can retry it)`,
        true,
        fence,
      );
    }
    return this.#reschedule(
      post,
      this.#o.clock.now() + this.#backoff(post.retries),
      'X did not answer; not posted; retrying',
      false,
      fence,
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
      if (!(await confirmClaim(this.#o.db, post.id, post.claimSeq))) return { result: { kind: 'busy' } };
      let outcome = await this.#o.x.uploadMedia(token, media, this.#deadline);
      if (outcome.kind === 'unauthorized') {
        try {
          token = (await this.#o.vault.getAccessToken(accountId, { rejected: token })).accessToken;
        } catch (e) {
          return { result: await this.#tokenFailure(post, e) };
        }
        outcome = await this.#o.x.uploadMedia(token, media, this.#deadline);
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
              retryAt(this.#o.clock.now(), outcome.limits, post.retries, this.#o.random),
              'X rate limit on media upload (429)',
              true,
            ),
          };
        case 'unauthorized':
          return {
            result: await this.#accessRefused(
              post,
              'X refused the access token for media upload; reconnect the account (media.write)',
            ),
          };
        case 'failed':
          return {
            result: await this.#reschedule(
              post,
              this.#o.clock.now() + this.#backoff(post.retries),
              `media upload failed (${outcome.detail}); retrying`,
              true,
            ),
          };
      }
    }
    return { mediaIds: ids, token };
  }

  /**
   * X's id of the account's post matching this one since `since`: '' if none, undefined if X did
   * not say. A post X has that another of our posts already owns is that one's, not this one's.
   */
  async #findOnX(token: string, subject: string, post: PostRow, since: number): Promise<string | undefined> {
    let recent = await this.#o.x.recentPosts(token, subject, since);
    if (recent === 'unauthorized') {
      // Property 31 here too: one refresh (a refusal surfaces as reauth_required to the caller).
      const fresh = await this.#o.vault.getAccessToken(post.accountId, { rejected: token });
      recent = await this.#o.x.recentPosts(fresh.accessToken, subject, since);
    }
    if (!recent || recent === 'unauthorized') return undefined;
    const wanted = comparable(post.text);
    const candidates = recent.filter((p) => comparable(p.text) === wanted).map((p) => p.id);
    const taken = await recordedXPostIds(this.#o.db, candidates);
    return candidates.find((id) => !taken.has(id)) ?? '';
  }

  /**
   * X refused a token that was just refreshed: the grant no longer works for this (revoked scope,
   * suspended app access…). The post waits as `blocked`, and the account is marked as needing its
   * user, so that the person is told and the post resumes after the reconnect.
   */
  async #accessRefused(post: ClaimedPost, reason: string): Promise<PublishResult> {
    const result = await this.#final(post, 'blocked', reason, false);
    if (await markReauthRequired(this.#o.db, post.accountId, 'unknown').catch(() => false)) {
      this.#o.vault.events.emit('reauth_required', {
        accountId: post.accountId,
        username: post.username,
        reason: 'unknown',
      });
    }
    return result;
  }

  async #tokenFailure(post: PostRow, e: unknown): Promise<PublishResult> {
    if (isRotorError(e, 'reauth_required')) {
      const account = await findAccount(this.#o.db, { id: post.accountId });
      return this.#final(post, 'blocked', blockedReason(account?.username ?? '?', e.reason), false);
    }
    if (isRotorError(e) && (e.transient || e.code === 'invalid_client')) {
      const at = this.#o.clock.now() + Math.max(e.retryAfterMs ?? 0, this.#backoff(post.retries));
      return this.#reschedule(post, at, `could not get a token (${e.code}); retrying`, true);
    }
    return this.#final(post, 'failed', `could not get a token: ${isRotorError(e) ? e.code : 'error'}`, true);
  }

  /**
   * Records the limits X reported that are used up: the pre-check only looks for exhausted ones,
   * and a row stops counting at its reset time. A reset more than a day away is not believed.
   */
  async #saveLimits(accountId: string, limits: RateLimits): Promise<void> {
    try {
      this.#o.observer?.limits?.(accountId, limits);
    } catch {
      // metrics only
    }
    const horizon = this.#o.clock.now() + 25 * 3_600_000;
    const entries: [string, LimitWindow | undefined][] = [
      [`window:${accountId}`, limits.window],
      [`user24h:${accountId}`, limits.user24h],
      ['app24h', limits.app24h],
    ];
    for (const [key, w] of entries) {
      if (w && w.remaining <= 0 && w.resetAt <= horizon) await saveLimit(this.#o.db, key, w);
    }
  }

  async #reschedule(
    post: PostRow,
    dueAt: number,
    reason: string,
    refund: boolean,
    fence = fenceOf(post),
  ): Promise<PublishResult> {
    if (post.retries + 1 >= this.#o.maxRetries) {
      return this.#final(
        post,
        'failed',
        `${reason}; gave up after ${post.retries + 1} tries (you can retry it)`,
        true,
        fence,
      );
    }
    if (!(await reschedule(this.#o.db, post.id, dueAt, reason, refund, fence))) return { kind: 'busy' };
    return { kind: 'rescheduled', dueAt, reason };
  }

  async #final(
    post: PostRow,
    status: 'failed' | 'blocked',
    reason: string,
    retryable: boolean,
    fence = fenceOf(post),
  ): Promise<PublishResult> {
    if (!(await markFinal(this.#o.db, post.id, status, reason, retryable, fence))) return { kind: 'busy' };
    return status === 'failed' ? { kind: 'failed', reason } : { kind: 'blocked', reason };
  }
}

function blockedReason(username: string, reason: string | undefined): string {
  return `@${username} needs to be reconnected: ${REAUTH_EXPLANATIONS[(reason ?? 'unknown') as keyof typeof REAUTH_EXPLANATIONS]}`;
}
