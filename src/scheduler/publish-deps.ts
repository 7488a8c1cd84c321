/** @module What the publish path is given (`publish-path.ts`, `lookup.ts`): its options and their defaults. */
import { systemClock, type Clock } from '../core/clock.ts';
import type { Db } from '../store/db.ts';
import type { TokenVault } from '../vault/vault.ts';
import type { XClient } from '../x/client.ts';
import type { RateLimits } from '../x/limits.ts';
import type { PublishResult } from './publish-decisions.ts';

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
  /** Observes each step of a publish (after it happened); awaited, so a test can act in between. */
  onStep?: (step: PublishStep, postId: string) => void | Promise<void>;
}

/**
 * The publish path's observable steps: `claimed` (the post is this caller's), `confirmed` (the
 * claim confirmed just before a call to X), `answered` (X answered the post, or never will),
 * `recorded` (the outcome written).
 */
export type PublishStep = 'claimed' | 'confirmed' | 'answered' | 'recorded';

/** What the publisher reports; must not throw (errors are swallowed). */
export interface PublishObserver {
  result(postId: string, result: PublishResult, source: 'publish' | 'lookup'): void;
  limits?(accountId: string, limits: RateLimits): void;
}

export type PublishDeps = Required<Omit<PublisherOptions, 'clock' | 'random' | 'observer' | 'onStep'>> & {
  clock: Clock;
  random: () => number;
  observer: PublishObserver | undefined;
  onStep: PublisherOptions['onStep'];
};

export function publishDeps(o: PublisherOptions): PublishDeps {
  return {
    staleMs: 90_000,
    maxAttempts: 5,
    maxRetries: 20,
    maxLookups: 10,
    retryBaseMs: 30_000,
    ...o,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    observer: o.observer,
    onStep: o.onStep,
  };
}
