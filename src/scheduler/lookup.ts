/**
 * @module The lookup of an unknown outcome (property 29): a post X may or may not have published
 * is looked for among the account's recent posts. Found → published. Absent twice (looks spaced
 * by the sweep) → scheduled again. X unreachable or the account needing its user → stays unknown
 * (never a blind retry), and after `maxLookups` looks it fails for the user to check. A post
 * without text cannot be looked up: it fails at once. Writes go through the publish path's record
 * step (`publish-path.ts`), fenced by the `unknown` row's claim.
 */
import { findAccount } from '../store/accounts.ts';
import { getPost } from '../store/posts.ts';
import { noteLookup, type Fence } from '../store/post-claims.ts';
import { findOnX } from './find-on-x.ts';
import {
  afterLookupNoted,
  fenceOf,
  lookupDecision,
  lookupFailedReason,
  unlookableDecision,
  type Decision,
  type PublishResult,
} from './publish-decisions.ts';
import type { PublishDeps } from './publish-deps.ts';
import type { RecordTarget } from './publish-path.ts';

type Record = (post: RecordTarget, decision: Decision, fence: Fence) => Promise<PublishResult>;

export class Lookup {
  readonly #d: PublishDeps;
  readonly #record: Record;

  constructor(d: PublishDeps, record: Record) {
    this.#d = d;
    this.#record = record;
  }

  /** One look at X for the post, if its outcome is still unknown. */
  async resolve(postId: string): Promise<PublishResult> {
    const { db, vault } = this.#d;
    const post = await getPost(db, postId);
    if (!post || post.status !== 'unknown') return { kind: 'settled', status: post?.status ?? 'deleted' };
    const fence = fenceOf(post);
    const account = await findAccount(db, { id: post.accountId });
    if (!account) return { kind: 'settled', status: 'deleted' };
    const target = { ...post, username: account.username };
    if (post.text.trim() === '') return this.#record(target, unlookableDecision(), fence);
    let found: string | undefined;
    try {
      const token = (await vault.getAccessToken(account.id)).accessToken;
      found = await findOnX(this.#d, token, account.subject, post, post.createdAt - 5_000);
    } catch (e) {
      return this.#stillUnknown(target, lookupFailedReason(e, account.username), fence);
    }
    const policy = {
      now: this.#d.clock.now(),
      retries: post.retries,
      retryBaseMs: this.#d.retryBaseMs,
      random: this.#d.random,
    };
    const decision = lookupDecision(found, post, this.#d.maxAttempts, policy);
    if (decision.kind === 'still_unknown') return this.#stillUnknown(target, decision.reason, fence);
    return this.#record(target, decision, fence);
  }

  /** One more look noted; after `maxLookups` of them the post fails for the user to check. */
  async #stillUnknown(post: RecordTarget, reason: string, fence: Fence): Promise<PublishResult> {
    const lookups = await noteLookup(this.#d.db, post.id, reason, fence);
    const failed = afterLookupNoted(lookups, this.#d.maxLookups, post.username);
    return failed ? this.#record(post, failed, fence) : { kind: 'unknown', reason };
  }
}
