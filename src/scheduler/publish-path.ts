/**
 * @module Publishing one post, at most once (properties 28–31), as its named steps, read top to
 * bottom. Each step does its I/O and leaves the deciding to `publish-decisions.ts` (pure,
 * unit-tested without a database):
 *
 * 1. {@link PublishPath.claim}: `scheduled → publishing`, a compare-and-swap that also bumps
 *    `claim_seq`: the only door to X. Every later write names the claim it belongs to (a fence),
 *    so a worker taken for dead can never overwrite what happened after it. Not claimed → what
 *    the row says (settled, not due, busy; a claim gone stale becomes `unknown`).
 * 2. {@link PublishPath.prepare}: X's caps respected, an access token from the vault, the images
 *    uploaded (one call: {@link prepareMedia}).
 * 3. {@link PublishPath.send}: the post sent as the claim holder ({@link PublishPath.asHolder}: the
 *    claim confirmed, and the stale clock restarted, just before each call, with a deadline well
 *    under the stale time; a 401 → one refresh and one more try, the retry-on-401 written once in
 *    `vault/token-call.ts`).
 * 4. {@link PublishPath.interpret}: what X's answer means for the post (a duplicate: is it this
 *    very post, whose answer was lost before?).
 * 5. {@link PublishPath.record}: the decision written under the claim's fence, and X's used-up
 *    limits saved. X refusing even a refreshed token → the post waits as `blocked` and the vault
 *    marks the account (the vault alone marks accounts and emits account events).
 *
 * An outcome X did not tell is `unknown`: looked up later (`lookup.ts`, through the same record
 * step), never resent blindly.
 *
 * Threads (property 40): a thread is one row per part, and each part goes through these same
 * steps with its own claim and fence, replying to the part before it. Only the record step knows
 * threads at all: publishing a part releases the next one (`markPublished`, one statement), a part
 * that fails for good ends the rest (`markFinal`), any other outcome leaves the later parts
 * waiting, and {@link Publisher.publishOnward} goes on to the part released.
 */
import { saveLimit } from '../store/x-limits.ts';
import { getPost, type PostRow } from '../store/posts.ts';
import {
  claimForPublishing,
  confirmClaim,
  markFinal,
  markPublished,
  markStaleAsUnknown,
  reschedule,
  STALE_CLAIM_REASON,
  type ClaimedPost,
  type Fence,
} from '../store/post-claims.ts';
import { callWithToken } from '../vault/token-call.ts';
import { postUrl, type CreatePostOutcome } from '../x/client.ts';
import type { RateLimits } from '../x/limits.ts';
import { findOnX } from './find-on-x.ts';
import { Lookup } from './lookup.ts';
import {
  callDeadlineMs,
  capDecision,
  duplicateDecision,
  fenceOf,
  interpretCreate,
  limitsToSave,
  noAnswerReason,
  notClaimedDecision,
  settleReschedule,
  tokenFailureDecision,
  type Decision,
  type PublishResult,
  type RetryPolicy,
} from './publish-decisions.ts';
import type { PublishDeps } from './publish-deps.ts';
import { prepareMedia, type HolderAnswer } from './publish-media.ts';

/** A post and the username its X URL is made of: what the record step writes for. */
export type RecordTarget = PostRow & { username: string };

type Claim = { kind: 'claimed'; post: ClaimedPost } | { kind: 'not_claimed'; result: PublishResult };
type Ready =
  { kind: 'ready'; token: string; mediaIds: string[] | undefined } | { kind: 'stop'; decision: Decision };
type Sent =
  { kind: 'answered'; outcome: CreatePostOutcome; token: string } | { kind: 'stop'; decision: Decision };

/** The path's steps; {@link Publisher} is its public face. */
export class PublishPath {
  readonly #d: PublishDeps;
  readonly #lookup: Lookup;

  constructor(deps: PublishDeps) {
    this.#d = deps;
    this.#lookup = new Lookup(deps, (post, decision, fence) => this.record(post, decision, undefined, fence));
  }

  /** The lookup of unknown outcomes (`lookup.ts`), writing through {@link record}. */
  get lookup(): Lookup {
    return this.#lookup;
  }

  /** The whole path for one post: steps 1 to 5 (`claimed`: step 1 already done, by a batch claim). */
  async publish(postId: string, claimed?: ClaimedPost): Promise<PublishResult> {
    if (claimed) await this.#d.onStep?.('claimed', postId);
    const claim: Claim = claimed ? { kind: 'claimed', post: claimed } : await this.claim(postId);
    if (claim.kind === 'not_claimed') return claim.result;
    const { post } = claim;
    const ready = await this.prepare(post);
    if (ready.kind === 'stop') return this.record(post, ready.decision);
    const sent = await this.send(post, ready);
    if (sent.kind === 'stop') return this.record(post, sent.decision);
    const decision = await this.interpret(post, sent);
    return this.record(post, decision, 'limits' in sent.outcome ? sent.outcome.limits : undefined);
  }

  /** Step 1: the post is this caller's to send, or what its row says instead. */
  async claim(postId: string): Promise<Claim> {
    const { db } = this.#d;
    const post = await claimForPublishing(db, postId);
    if (post) {
      await this.#d.onStep?.('claimed', postId);
      return { kind: 'claimed', post };
    }
    const then = notClaimedDecision(await getPost(db, postId));
    const not = (result: PublishResult): Claim => ({ kind: 'not_claimed', result });
    switch (then.kind) {
      case 'result':
        return not(then.result);
      case 'look_up':
        return not(await this.#lookup.resolve(postId));
      case 'check_stale':
        return not(
          (await markStaleAsUnknown(db, postId, this.#d.staleMs))
            ? { kind: 'unknown', reason: STALE_CLAIM_REASON }
            : { kind: 'busy' },
        );
    }
  }

  /** Step 2: X's caps respected, a token that outlives the send, the images uploaded. */
  async prepare(post: ClaimedPost): Promise<Ready> {
    const capped = capDecision(post, this.#d.random);
    if (capped) return { kind: 'stop', decision: capped };
    let token: string;
    try {
      token = (await this.#d.vault.getAccessToken(post.accountId, { minValidityMs: 60_000 })).accessToken;
    } catch (e) {
      return { kind: 'stop', decision: tokenFailureDecision(e, post.username, this.#policy(post)) };
    }
    if (post.mediaCount === 0) return { kind: 'ready', token, mediaIds: undefined };
    const media = await prepareMedia(
      { db: this.#d.db, x: this.#d.x, deadlineMs: this.#deadline, policy: () => this.#policy(post) },
      post,
      token,
      (t, call) => this.asHolder(post, t, call),
    );
    return media.kind === 'stop' ? media : { kind: 'ready', token: media.token, mediaIds: media.mediaIds };
  }

  /** Step 3: the post sent to X, once (twice only after a 401 and a refresh). */
  async send(post: ClaimedPost, ready: Extract<Ready, { kind: 'ready' }>): Promise<Sent> {
    const request = { text: post.text, replyTo: post.replyTo ?? undefined, mediaIds: ready.mediaIds };
    const answer = await this.asHolder(post, ready.token, (t) =>
      this.#d.x.createPost(t, request, this.#deadline),
    );
    if (answer.kind === 'stop') return answer;
    await this.#d.onStep?.('answered', post.id);
    if (answer.kind === 'refused')
      return { kind: 'answered', outcome: { kind: 'unauthorized' }, token: answer.token };
    return { kind: 'answered', outcome: answer.result, token: answer.token };
  }

  /**
   * One call to X as the claim holder: the claim confirmed (and the stale clock restarted) just
   * before it, so a claim cannot be taken over while its call runs; a 401 → one refresh, once more.
   */
  async asHolder<T extends { kind: string }>(
    post: ClaimedPost,
    token: string,
    call: (accessToken: string) => Promise<T>,
  ): Promise<HolderAnswer<T>> {
    const answer = await callWithToken(this.#d.vault, post.accountId, call, {
      token,
      unauthorized: (r) => r.kind === 'unauthorized',
      beforeCall: async () => {
        if (!(await confirmClaim(this.#d.db, post.id, post.claimSeq))) return false;
        await this.#d.onStep?.('confirmed', post.id);
        return true;
      },
    });
    switch (answer.kind) {
      case 'stopped':
        return { kind: 'stop', decision: { kind: 'busy' } };
      case 'no_token':
        return {
          kind: 'stop',
          decision: tokenFailureDecision(answer.error, post.username, this.#policy(post)),
        };
      default:
        return answer;
    }
  }

  /** Step 4: what X's answer means for the post. */
  async interpret(post: ClaimedPost, sent: Extract<Sent, { kind: 'answered' }>): Promise<Decision> {
    const meaning = interpretCreate(sent.outcome, this.#policy(post));
    if (meaning.kind !== 'check_duplicate') return meaning;
    const mine = await findOnX(this.#d, sent.token, post.subject, post, post.createdAt - 5_000).catch(
      () => undefined,
    );
    return duplicateDecision(mine);
  }

  /**
   * Step 5: the decision written, if the row is still as the claim left it (`fence`), then the
   * limits X reported. A reschedule past `maxRetries` fails for good instead.
   */
  async record(
    post: RecordTarget,
    decision: Decision,
    limits?: RateLimits,
    fence: Fence = fenceOf(post),
  ): Promise<PublishResult> {
    const result = await this.#write(
      post,
      settleReschedule(decision, post.retries, this.#d.maxRetries),
      fence,
    );
    if (limits) await this.#saveLimits(post.accountId, limits).catch(() => undefined);
    await this.#d.onStep?.('recorded', post.id);
    return result;
  }

  async #write(post: RecordTarget, d: Decision, fence: Fence): Promise<PublishResult> {
    const { db } = this.#d;
    switch (d.kind) {
      case 'busy':
        return { kind: 'busy' };
      case 'published': {
        // X's id is the truth, whatever state the row moved to meanwhile: no fence here. A thread's
        // next part is released by the same write.
        const { released } = await markPublished(db, post.id, d.xPostId, postUrl(post.username, d.xPostId));
        return { kind: 'published', xPostId: d.xPostId, ...(released ? { next: released } : {}) };
      }
      case 'reschedule':
        if (!(await reschedule(db, post.id, d.dueAt, d.reason, d.refund, fence))) return { kind: 'busy' };
        return { kind: 'rescheduled', dueAt: d.dueAt, reason: d.reason };
      case 'final':
        if (!(await markFinal(db, post.id, d.status, d.reason, d.retryable, fence))) return { kind: 'busy' };
        return d.status === 'failed'
          ? { kind: 'failed', reason: d.reason }
          : { kind: 'blocked', reason: d.reason };
      case 'unknown': {
        await markFinal(db, post.id, 'unknown', noAnswerReason(d.detail), true, fence);
        return { kind: 'unknown', reason: d.detail };
      }
      case 'access_refused': {
        // The grant no longer works for this (revoked scope, suspended app access…): the post
        // waits, and the vault marks the account so that the person is told; it resumes after
        // the reconnect.
        const blocked = { kind: 'final', status: 'blocked', reason: d.reason, retryable: false } as const;
        const result = await this.#write(post, blocked, fence);
        await this.#d.vault.markAccessRefused(post.accountId).catch(() => undefined);
        return result;
      }
    }
  }

  /** Records the limits X reported that are used up (and tells the observer all of them). */
  async #saveLimits(accountId: string, limits: RateLimits): Promise<void> {
    try {
      this.#d.observer?.limits?.(accountId, limits);
    } catch {
      // metrics only
    }
    for (const [key, w] of limitsToSave(accountId, limits, this.#d.clock.now())) {
      await saveLimit(this.#d.db, key, w);
    }
  }

  get #deadline(): number {
    return callDeadlineMs(this.#d.staleMs);
  }

  #policy(post: PostRow): RetryPolicy {
    return {
      now: this.#d.clock.now(),
      retries: post.retries,
      retryBaseMs: this.#d.retryBaseMs,
      random: this.#d.random,
    };
  }
}
