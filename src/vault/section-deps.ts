/**
 * @module What the refresh critical section (`critical-section.ts`) is given and passes between
 * its steps: its settings and collaborators, a caller's ask, a lease held, the steps `onStep` hears.
 */
import type { Clock, Timer } from '../core/clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import type { Db } from '../store/db.ts';
import type { TokenSetRow } from '../store/token-sets.ts';
import type { VaultEvents } from './events.ts';
import type { VaultHooks } from './guard.ts';
import type { KeptPairs } from './kept-pairs.ts';

/** The steps of a refresh, reported to `onStep` (after each happened): metrics, crash and freeze tests. */
export type RefreshStep = 'lease_taken' | 'send_marked' | 'request_sent' | 'response_received' | 'stored';

/** What a caller asks for: see {@link TokenVault.getAccessToken}. */
export interface Ask {
  rejected?: string | undefined;
  minValidityMs: number;
}

export interface SectionDeps {
  db: Db;
  provider: OAuthProvider;
  keyRing: KeyRing;
  /** Wall time, shared with X: token expiry. */
  clock: Clock;
  /** Monotonic time: lease life, waits and sleeps. */
  timer: Timer;
  fetch: FetchLike | undefined;
  holder: string;
  events: VaultEvents;
  kept: KeptPairs;
  onStep: ((step: RefreshStep, accountId: string) => void | Promise<void>) | undefined;
  refreshMarginMs: number | undefined;
  leaseTtlMs: number;
  httpTimeoutMs: number;
  leaseWaitMs: number;
  maxTransientRetries: number;
  horizonMs: number;
  horizonWarningMs: number;
  invalidClientPauseMs: number;
  doubtGraceMs: number;
  takeoverSettleMs: number;
  coolDownMs: number;
  /** The installation's guard (issue 18), if any. */
  guard: VaultHooks | undefined;
  /** Aborted when the vault closes: no new refresh token goes out, and no wait goes on. */
  closing: AbortSignal;
}

/** A lease this process holds: the row as taken, and when (monotonic, measured before asking). */
export interface Lease {
  row: TokenSetRow;
  takenAt: number;
  /**
   * The lease was taken with the send's write-ahead mark (nothing was in doubt): ended before the
   * bytes go out, it is released `unsent`, which takes the mark away again.
   */
  marked: boolean;
}
