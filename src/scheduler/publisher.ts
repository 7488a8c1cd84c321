/**
 * @module The publisher: publishing one post at most once (properties 28–31), and looking up a
 * post whose outcome X did not tell. Its steps, read top to bottom, are `publish-path.ts`; their
 * decisions are `publish-decisions.ts`; the lookup is `lookup.ts`.
 */
import type { ClaimedPost } from '../store/post-claims.ts';
import type { PublishResult } from './publish-decisions.ts';
import { publishDeps, type PublishDeps, type PublisherOptions } from './publish-deps.ts';
import { PublishPath } from './publish-path.ts';

export { comparable, type PublishResult } from './publish-decisions.ts';
export type { PublishObserver, PublisherOptions, PublishStep } from './publish-deps.ts';

export class Publisher {
  readonly #d: PublishDeps;
  readonly #path: PublishPath;

  constructor(options: PublisherOptions) {
    this.#d = publishDeps(options);
    this.#path = new PublishPath(this.#d);
  }

  /** How long a post may stay `publishing` before it is taken as abandoned (ms). */
  get staleMs(): number {
    return this.#d.staleMs;
  }

  /**
   * Publishes the post if it is due and nobody else is; safe to call any number of times (the
   * claim lets one caller through). A post found `unknown` is looked up instead. `claimed`: the
   * claim this caller already won for it (the engine's batch claim), instead of claiming here.
   */
  async publish(postId: string, claimed?: ClaimedPost): Promise<PublishResult> {
    return this.#tell(postId, await this.#path.publish(postId, claimed), 'publish');
  }

  /**
   * {@link publish}, then, for a thread, each later part that a publication released, in order, in
   * this same call (each part still claimed on its own: a second caller gets `busy`). It stops at
   * the first part that is not published (rescheduled, unknown, failed…): what happens to that
   * part, and to the thread after it, is that part's own fate.
   * @returns the last part tried and its result (the one to enqueue again if it was rescheduled).
   */
  async publishOnward(
    postId: string,
    claimed?: ClaimedPost,
  ): Promise<{ postId: string; result: PublishResult }> {
    let id = postId;
    let result = await this.publish(id, claimed);
    while (result.kind === 'published' && result.next !== undefined) {
      id = result.next;
      result = await this.publish(id);
    }
    return { postId: id, result };
  }

  /**
   * Property 29: a post whose outcome is unknown is looked for among the account's recent posts.
   * Found → published. Absent twice (looks spaced by the sweep) → scheduled again. X unreachable
   * or the account needing its user → stays unknown (never a blind retry), and after
   * `maxLookups` looks it fails for the user to check.
   */
  async resolveUnknown(postId: string): Promise<PublishResult> {
    return this.#tell(postId, await this.#path.lookup.resolve(postId), 'lookup');
  }

  #tell(postId: string, result: PublishResult, source: 'publish' | 'lookup'): PublishResult {
    try {
      this.#d.observer?.result(postId, result, source);
    } catch {
      // an observer's failure must never change a post's fate
    }
    return result;
  }
}
