/**
 * @module Rotor's errors: one class, a closed union of stable codes, context in typed fields,
 * the underlying error in `cause` (non-enumerable), and never a token in a message.
 *
 * Glossary (used the same way in code, UI and docs):
 * - **user**: a person signed in to Rotor, known by their X login.
 * - **account**: an X account connected to Rotor; belongs to one user.
 * - **grant**: the user's consent at X for Rotor's client; ended by revocation, expiry (~6
 *   months) or reuse. Only the user can make a new one, by reconnecting.
 * - **token set**: access token + refresh token + expiry + scope of one account, encrypted.
 * - **lease**: the right, owned by one process for a bounded time, to refresh one account.
 */
import { REASON_TEXTS } from './reason-texts.ts';

export type RotorErrorCode =
  /** The account needs its user: reconnect. See {@link RotorError.reason}. */
  | 'reauth_required'
  /** X refused Rotor's client credentials; every refresh is stopped until an operator fixes it. */
  | 'invalid_client'
  /** X did not answer usefully (5xx, network, timeout). Transient. */
  | 'x_unavailable'
  /** X said 429. Transient; see `retryAfterMs`. */
  | 'x_rate_limited'
  /** X answered something that is not a valid response. Transient. */
  | 'invalid_response'
  /** Another process held the account's refresh lease past the wait limit. Transient. */
  | 'lease_timeout'
  /** The database could not be reached. Transient. */
  | 'store_unavailable'
  /** A stored secret did not decrypt (tampered, moved, or a key missing from the ring). */
  | 'decryption_failed'
  | 'account_not_found'
  /**
   * This installation may not refresh now: its database was exported, it runs from a copy, or
   * ROTOR_REFRESH=off (docs/backups-and-moves.md). Transient: it ends when the operator decides.
   * Closing the vault reports it too, as its transient refusal: while `TokenVault.close` lets the
   * refreshes already sent drain, a call that would need a new refresh (its stored token no
   * longer usable) gets `refresh_fenced`; the next process serves it.
   */
  | 'refresh_fenced'
  /** The authorization callback was refused (state, error, exchange). */
  | 'authorization_failed'
  | 'config_invalid'
  /** A request's input is not acceptable (text too long, bad time zone, …); nothing was changed. */
  | 'invalid_input'
  /**
   * A post's media are not what X takes (kind, size, or mix: up to 4 images, or 1 GIF, or 1
   * video); nothing was saved.
   */
  | 'invalid_media'
  /** No such post, schedule, key or account — or it belongs to someone else (not told apart). */
  | 'not_found'
  /** The thing exists but cannot change now (a post already publishing, a schedule gone). */
  | 'conflict'
  /** Not signed in, or an unknown or revoked API key. */
  | 'unauthenticated'
  /** Signed in, but this API key lacks the permission, or the form's CSRF token is wrong. */
  | 'forbidden'
  /** Too many requests from this address or key (Rotor's own limit); see `retryAfterMs`. */
  | 'rate_limited';

export type ReauthReason = 'expired' | 'revoked' | 'reused' | 'lost_response' | 'restored' | 'unknown';

const TRANSIENT: ReadonlySet<RotorErrorCode> = new Set([
  'x_unavailable',
  'x_rate_limited',
  'invalid_response',
  'lease_timeout',
  'store_unavailable',
  'refresh_fenced',
]);

export interface RotorErrorDetails {
  reason?: ReauthReason;
  accountId?: string;
  retryAfterMs?: number;
  status?: number;
  cause?: unknown;
}

export class RotorError extends Error {
  override readonly name = 'RotorError';
  readonly code: RotorErrorCode;
  readonly reason: ReauthReason | undefined;
  readonly accountId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(code: RotorErrorCode, message: string, details: RotorErrorDetails = {}) {
    super(message);
    this.code = code;
    this.reason = details.reason;
    this.accountId = details.accountId;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    if (details.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: details.cause, enumerable: false, configurable: true });
    }
  }

  /** Worth trying again later without the user. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

export const isRotorError = (e: unknown, code?: RotorErrorCode): e is RotorError =>
  e instanceof RotorError && (code === undefined || e.code === code);

/** What to tell a person (English, for the command line) for each reason an account needs them. */
export const REAUTH_EXPLANATIONS: Record<ReauthReason, string> = Object.fromEntries(
  Object.entries(REASON_TEXTS.en).map(([reason, text]) => [reason, `${text}; connect the account again`]),
) as Record<ReauthReason, string>;
