/**
 * @module The refresh critical section's decisions, without I/O: each function takes what the
 * steps in `critical-section.ts` read or measured and says what to do. What a token response
 * *is* (rotated, refused, client refused, nothing decided) is classified once, in
 * `oauth/token-client.ts`; what it *means* for the account is decided once, here.
 */
import type { ReauthReason } from '../core/errors.ts';
import type { RefreshOutcome } from '../oauth/token-client.ts';
import { backoffMs as sharedBackoffMs, type Backoff } from '../core/backoff.ts';

/** A token's margins, all derived from its lifetime and the configured refresh margin. */
export interface Margins {
  /** Refresh when less than this is left. */
  refreshMs: number;
  /** Hand a token out only with more than this left (the small safety margin of a degraded hand-out). */
  usableMs: number;
  /**
   * After a send with an unknown outcome, its one retry waits (handing the valid token out) until
   * the token has less than this left, so that a stumbling X gets time to recover first.
   */
  retryDueMs: number;
}

/** Default refresh margin: 5 minutes, at most a quarter of the token's life; `configured` as given. */
export function margins(lifetimeMs: number, configured?: number): Margins {
  const refreshMs = configured ?? Math.min(5 * 60_000, lifetimeMs / 4);
  return { refreshMs, usableMs: Math.min(60_000, lifetimeMs / 20), retryDueMs: refreshMs / 2 };
}

/** A stored token's lifetime: from its refresh to its expiry (2 h when never refreshed). */
export function tokenLifetime(accessExpiresAt: number, refreshedAt: number | null): number {
  return refreshedAt === null ? 2 * 3_600_000 : Math.max(0, accessExpiresAt - refreshedAt);
}

/** What a decision needs to know about the stored access token. */
export interface TokenFacts {
  now: number;
  expiresAt: number;
  margins: Margins;
  /** The caller asks for a token that lives at least this long. */
  minValidityMs: number;
  /** It is the token X just refused (401). */
  refused: boolean;
}

/** Fresh: no refresh needed. */
export function isFresh(t: TokenFacts): boolean {
  return !t.refused && t.expiresAt - t.now > Math.max(t.margins.refreshMs, t.minValidityMs);
}

/** Usable: may be handed out while a refresh cannot happen (property 35). */
export function isUsable(t: TokenFacts): boolean {
  return !t.refused && t.expiresAt - t.now > Math.max(t.margins.usableMs, t.minValidityMs);
}

/** Why a token that wants refreshing is handed out as it is. */
export type DegradeCause =
  | 'client_refused'
  | 'in_doubt'
  | 'sends_exhausted'
  | 'backoff'
  | 'no_refresh_token'
  | 'lease_elsewhere'
  | 'refresh_failed'
  /** The vault is closing: it sends no new refresh (those already sent are waited for). */
  | 'closing';

export type ReadDecision =
  | { kind: 'hand_out' }
  | { kind: 'degrade'; because: DegradeCause }
  | { kind: 'refresh' }
  | { kind: 'client_refused' }
  | { kind: 'needs_user'; reason: ReauthReason };

/** What the read step found, beyond the token. */
export interface RowFacts {
  hasRefreshToken: boolean;
  /** Sends of this version's refresh token with no answer known (0, 1 or 2). */
  sentCount: number;
  /** X refused Rotor's client a moment ago: refreshing is paused. */
  clientPaused: boolean;
  /** A known transient failure a moment ago: the next try waits until then. */
  backoffUntil: number;
  /**
   * Someone holds an unexpired lease. A send counted while the lease is held may still be in
   * flight, not unanswered: its answer is worth the lease step's short wait.
   */
  leased: boolean;
}

/** One refresh token goes out at most this many times in all: the first send and one retry. */
export const MAX_SENDS = 2;

/**
 * The read step's decision: hand the stored token out, refresh it, or — when no refresh can
 * happen now — hand it out anyway while it is usable, and only then fail.
 */
export function decideAfterRead(t: TokenFacts, r: RowFacts): ReadDecision {
  if (isFresh(t)) return { kind: 'hand_out' };
  const usable = isUsable(t);
  const degradeOr = (because: DegradeCause, otherwise: ReadDecision): ReadDecision =>
    usable ? { kind: 'degrade', because } : otherwise;
  // Without offline.access there is no refresh token: only the user can renew the grant.
  if (!r.hasRefreshToken) return degradeOr('no_refresh_token', { kind: 'needs_user', reason: 'expired' });
  if (r.clientPaused) return degradeOr('client_refused', { kind: 'client_refused' });
  // Property 16: both sends of this refresh token went unanswered; the lease is held for the
  // cool-down, against everyone (the lease step enforces it).
  // A send counted under a lease still held may be in flight: the lease step waits for its answer.
  if (r.leased) return { kind: 'refresh' };
  if (r.sentCount >= MAX_SENDS) return degradeOr('sends_exhausted', { kind: 'refresh' });
  if (r.sentCount > 0 && usable && t.expiresAt - t.now > t.margins.retryDueMs) {
    return { kind: 'degrade', because: 'in_doubt' };
  }
  if (r.backoffUntil > t.now) return degradeOr('backoff', { kind: 'refresh' });
  return { kind: 'refresh' };
}

/** How much of a lease taken at `takenAt` (monotonic ms, measured before asking) is left at `now`. */
export function leaseLeft(takenAt: number, ttlMs: number, now: number): number {
  return ttlMs - (now - takenAt);
}

/** Slack kept on top of the HTTP deadline: the whole request must end inside the lease. */
export function sendSlackMs(ttlMs: number): number {
  return Math.min(1_000, ttlMs / 10);
}

/**
 * Right before the bytes go out (property 33): only with the request's whole deadline, and some
 * slack, still inside the lease. A process frozen after taking the lease fails this and sends
 * nothing: another may have taken over.
 */
export function maySend(leftMs: number, httpTimeoutMs: number, ttlMs: number): boolean {
  return leftMs > httpTimeoutMs + sendSlackMs(ttlMs);
}

/** Before storing X's answer: still inside the lease, or the pair is journaled first. */
export function mayStoreAsOwner(leftMs: number, ttlMs: number): boolean {
  return leftMs > sendSlackMs(ttlMs);
}

/** What X's answer to a refresh means. */
export type Interpretation =
  | { kind: 'store' }
  /** X refused the grant: a lost race (someone rotated meanwhile) or the user's. */
  | { kind: 'check_race' }
  | { kind: 'client_refused' }
  | {
      kind: 'transient';
      /**
       * `hold`: keep the lease (and its doubt) until the request has surely ended at X;
       * `cool_down`: both sends unanswered, keep it much longer; `clear`: give it back.
       */
      release: 'hold' | 'cool_down' | 'clear';
      /** Another send within this call is allowed (after the hold, or after `delayMs`). */
      retry: boolean;
      delayMs: number;
    };

/**
 * Interprets a refresh outcome. `sentCount`: how many times this refresh token has now gone out
 * unanswered; `transientTries`: known transient failures so far in this call.
 */
export function interpret(
  o: RefreshOutcome,
  c: { sentCount: number; transientTries: number; maxTransientRetries: number; random: number },
): Interpretation {
  switch (o.kind) {
    case 'rotated':
      return { kind: 'store' };
    case 'rejected':
      return { kind: 'check_race' };
    case 'invalid_client':
      return { kind: 'client_refused' };
    case 'transient':
      if (o.outcomeUnknown) {
        const retry = c.sentCount < MAX_SENDS;
        return { kind: 'transient', release: retry ? 'hold' : 'cool_down', retry, delayMs: 0 };
      }
      return {
        kind: 'transient',
        release: 'clear',
        retry: o.code !== 'x_rate_limited' && c.transientTries < c.maxTransientRetries,
        delayMs: o.retryAfterMs ?? backoffMs(c.transientTries, c.random),
      };
  }
}

/** The refresh retries' backoff: from 200 ms, at most 5 s, between half and all of it. */
export const REFRESH_BACKOFF: Backoff = { baseMs: 200, capMs: 5_000, below: 0.5 };

/** The backoff after the `attempt`-th known transient failure (ms), jittered by `random` ∈ [0, 1). */
export function backoffMs(attempt: number, random: number): number {
  return sharedBackoffMs(REFRESH_BACKOFF, attempt, () => random);
}

/** A waiter's next look at the lease: backoff from 50 ms to 1 s, never past the lease's end. */
export function waitStepMs(attempt: number, takeableInMs: number, leftMs: number): number {
  return Math.max(1, Math.min(50 * 2 ** Math.min(attempt, 5), 1_000, takeableInMs + 5, leftMs));
}

/** Facts about a refused refresh (property 14). X answers the same body for a spent, revoked or expired grant. */
export interface ReasonFacts {
  /** The refresh token sent had been sent before with no known answer. */
  inDoubt: boolean;
  /** A process presented a spent token (a lost lease, or a copy outside Rotor). */
  reuseSuspected: boolean;
  /** The ~6-month refresh horizon, counted from the user's consent, has passed. */
  pastHorizon: boolean;
  /** The still-unexpired access token was refused too (`unauthorized`), accepted (`ok`), or not checked. */
  accessProbe: 'unauthorized' | 'ok' | 'not_checked';
}

/** Why a refused refresh needs the user, from what Rotor itself knows. */
export function reauthReason(f: ReasonFacts): ReauthReason {
  if (f.inDoubt) return 'lost_response';
  if (f.reuseSuspected) return 'reused';
  if (f.pastHorizon) return 'expired';
  if (f.accessProbe === 'unauthorized') return 'revoked';
  return 'unknown';
}
