/**
 * @module The token vault: {@link TokenVault.getAccessToken} is the one call every other part of
 * Rotor uses to get a valid access token. The refresh critical section itself, in its named
 * steps, is `critical-section.ts`; its decisions are `decisions.ts`; pairs kept while the store is
 * down are `kept-pairs.ts`. Opening a vault recovers the journal (the open step).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { systemClock, systemTimer, type Clock, type Timer } from '../core/clock.ts';
import { RotorError } from '../core/errors.ts';
import { settledWithin } from '../core/settled.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import type { Db } from '../store/db.ts';
import { authorizedFetch, markAccessRefused } from './access-refused.ts';
import { CriticalSection, type AccessToken, type RefreshStep } from './critical-section.ts';
import { sendSlackMs } from './decisions.ts';
import { VaultEvents } from './events.ts';
import { Journal } from './journal.ts';
import type { VaultHooks } from './guard.ts';
import { KeptPairs } from './kept-pairs.ts';

export type { AccessToken, RefreshStep };

export interface VaultOptions {
  db: Db;
  provider: OAuthProvider;
  keyRing: KeyRing;
  /**
   * Where the journal lives (one folder per machine). Default: `journal/` in the database's data
   * directory (PGlite). Without one, a pair X answered while the store is down is kept in memory
   * only and lost if the process dies before the store returns. Journaled pairs are written to
   * the store when the vault opens (before its first token), whoever the caller is.
   */
  journalDir?: string;
  /** Wall time (token expiry), shared with X. Default: the system clock. */
  clock?: Clock;
  /** Monotonic time for lease life, deadlines and every wait. Default: the process's own. */
  timer?: Timer;
  fetch?: FetchLike;
  /**
   * Refresh a token with less life left than this (ms). Default: 5 minutes, but at most a quarter
   * of the token's lifetime. An explicit value is honoured as given.
   */
  refreshMarginMs?: number;
  /** The lease's lifetime (ms); must be at least twice the HTTP deadline. Default 30 s. */
  leaseTtlMs?: number;
  /** The deadline of one token request (ms). Default 15 s. */
  httpTimeoutMs?: number;
  /** How long a caller waits for another process's refresh (ms). Default: lease TTL + 5 s. */
  leaseWaitMs?: number;
  /** Retries of a transient failure within one call (not 429). Default 2. */
  maxTransientRetries?: number;
  /** The refresh-token horizon from consent (ms). Default 180 days. */
  horizonMs?: number;
  /** Warn this long before the horizon (ms). Default 14 days. */
  horizonWarningMs?: number;
  /** How long to stop refreshing after X refused the client (ms). Default 10 minutes. */
  invalidClientPauseMs?: number;
  /**
   * How long after its expiry a lease left **in doubt** by another holder (a refresh sent, no answer
   * known) stays off limits, so that a holder that got X's answer during a store outage writes it
   * first. Default 15 s. A process killed mid-refresh keeps its account waiting that long (callers
   * get the stored token meanwhile while it is valid).
   */
  doubtGraceMs?: number;
  /**
   * After taking over such a lease, how long to wait before sending (ms), so that a holder still
   * holding X's answer writes it first however long the store was down (property 36). Default 5 s;
   * less than the lease TTL minus the HTTP deadline.
   */
  takeoverSettleMs?: number;
  /**
   * After both sends of one refresh token went unanswered, how long its lease stays held against
   * everyone before it may go out again (ms). Default: 10 HTTP deadlines (150 s).
   */
  coolDownMs?: number;
  /** This process's lease holder id (default: host, pid and a random part). */
  holder?: string;
  /** Observes each step of a refresh (after it happened). */
  onStep?: (step: RefreshStep, accountId: string) => void | Promise<void>;
  // issue 18: backups, moves and copies (src/vault/guard.ts): keep the newest pair outside the
  // database, and ask before each refresh whether this installation may refresh.
  guard?: VaultHooks;
}

const DAY = 86_400_000;
/** X ends refresh tokens about 6 months after consent: the default horizon, from consent. */
export const DEFAULT_HORIZON_MS = 180 * DAY;
/** The default warning ahead of that horizon. */
export const DEFAULT_HORIZON_WARNING_MS = 14 * DAY;

export class TokenVault {
  readonly events = new VaultEvents();
  /** This process's lease holder id. */
  readonly holder: string;
  readonly #provider: OAuthProvider;
  readonly #db: Db;
  readonly #fetch: FetchLike;
  readonly #kept: KeptPairs;
  readonly #section: CriticalSection;
  #opened: Promise<number> | undefined;
  #ready = false;
  readonly #closer = new AbortController();
  #closed: Promise<void> | undefined;
  readonly #drainMs: number;
  readonly #guard: VaultHooks | undefined;

  constructor(options: VaultOptions) {
    const httpTimeoutMs = options.httpTimeoutMs ?? 15_000;
    const leaseTtlMs = options.leaseTtlMs ?? 30_000;
    if (leaseTtlMs < 2 * httpTimeoutMs) {
      // The lease outlives the HTTP deadline, or a second process would send a spent refresh token.
      throw new RotorError(
        'config_invalid',
        `the lease (${leaseTtlMs} ms) must last at least twice the HTTP deadline (${httpTimeoutMs} ms)`,
      );
    }
    if (options.refreshMarginMs !== undefined && !(options.refreshMarginMs >= 0)) {
      throw new RotorError('config_invalid', 'the refresh margin must be ≥ 0');
    }
    const settleRoom = leaseTtlMs - httpTimeoutMs - 2 * sendSlackMs(leaseTtlMs);
    const takeoverSettleMs = options.takeoverSettleMs ?? Math.min(5_000, settleRoom);
    if (!(takeoverSettleMs >= 0 && takeoverSettleMs <= settleRoom)) {
      throw new RotorError('config_invalid', `the takeover wait must be between 0 and ${settleRoom} ms`);
    }
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#provider = options.provider;
    this.#db = options.db;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#drainMs = httpTimeoutMs + sendSlackMs(leaseTtlMs);
    this.#guard = options.guard;
    const journalDir =
      options.journalDir ?? (options.db.dataDir ? join(options.db.dataDir, 'journal') : undefined);
    const journal = journalDir ? new Journal(journalDir, options.keyRing) : undefined;
    this.#kept = new KeptPairs(options.db, journal, this.events);
    this.#section = new CriticalSection({
      db: options.db,
      provider: options.provider,
      keyRing: options.keyRing,
      clock: options.clock ?? systemClock,
      timer: options.timer ?? systemTimer,
      fetch: options.fetch,
      holder: this.holder,
      events: this.events,
      kept: this.#kept,
      onStep: options.onStep,
      refreshMarginMs: options.refreshMarginMs,
      leaseTtlMs,
      httpTimeoutMs,
      leaseWaitMs: options.leaseWaitMs ?? leaseTtlMs + 5_000,
      maxTransientRetries: options.maxTransientRetries ?? 2,
      horizonMs: options.horizonMs ?? DEFAULT_HORIZON_MS,
      horizonWarningMs: options.horizonWarningMs ?? DEFAULT_HORIZON_WARNING_MS,
      invalidClientPauseMs: options.invalidClientPauseMs ?? 10 * 60_000,
      doubtGraceMs: options.doubtGraceMs ?? 15_000,
      takeoverSettleMs,
      coolDownMs: options.coolDownMs ?? 10 * httpTimeoutMs,
      guard: options.guard,
      closing: this.#closer.signal,
    });
  }

  get provider(): OAuthProvider {
    return this.#provider;
  }

  /**
   * A valid access token for the account, refreshed first if it has less than the margin left.
   * Pass `rejected` (the token X just answered 401 to) to force one single-flight refresh unless
   * another caller already replaced it (property 31). `minValidityMs` asks for a token that lives
   * at least that long (a post due soon refreshes ahead of its due time). When a refresh cannot
   * happen now (an unknown outcome, X failing, the lease elsewhere), the stored token is handed
   * out while it is still valid, and the problem reported (`refresh_degraded`, property 35).
   *
   * @throws {RotorError} `reauth_required` (with `reason`), `invalid_client`, `decryption_failed`,
   *   `account_not_found`, or a transient code (`x_unavailable`, `x_rate_limited`,
   *   `invalid_response`, `lease_timeout`, `store_unavailable`).
   * @example
   * const { accessToken } = await vault.getAccessToken(accountId);
   */
  getAccessToken(
    accountId: string,
    opts: { rejected?: string; minValidityMs?: number } = {},
  ): Promise<AccessToken> {
    const ask = { rejected: opts.rejected, minValidityMs: opts.minValidityMs ?? 0 };
    // The hot path, a token this process holds, answered without a second async layer (each one
    // costs microtask turns: the cached call is what every post and broker hand-out makes).
    if (this.#ready) {
      try {
        const hit = this.#section.cache(accountId, ask);
        if (hit) return Promise.resolve(hit);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    return this.#fromSection(accountId, ask);
  }

  async #fromSection(accountId: string, ask: { rejected: string | undefined; minValidityMs: number }) {
    if (!this.#ready) await this.open();
    return this.#section.getAccessToken(accountId, ask);
  }

  /**
   * A request to the provider's API as the account: its access token from the vault in the
   * `Authorization` header; X answering 401 → one single-flight refresh and the same request once
   * more (property 31; another caller's refresh is reused, not repeated). The answer is returned
   * as it is, whatever its status, except a 401 to the refreshed token too: the grant no longer
   * works, so the account is marked as needing its user ({@link markAccessRefused}) and
   * `reauth_required` is thrown. Uses the vault's `fetch` option when given. The body must be
   * one that can be sent twice (not a stream).
   *
   * @throws {RotorError} `reauth_required` (with `reason`), `invalid_input` (a stream body), or
   *   any error of {@link getAccessToken}.
   * @example
   * const res = await vault.authorizedFetch(accountId, 'https://api.x.com/2/users/me');
   * const { data } = await res.json();
   */
  authorizedFetch(accountId: string, input: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(this, this.#fetch, accountId, input, init);
  }

  /**
   * X refused an access token the vault had just refreshed (a 401 after the retry): marks the
   * account as needing its user (reason `unknown`), tells it once (`reauth_required` event) and
   * forgets the token this process holds. Resolves to whether the account was active until now.
   * {@link authorizedFetch} and the publisher call it; call it after your own retry-on-401.
   *
   * @throws {RotorError} `store_unavailable`.
   */
  markAccessRefused(accountId: string): Promise<boolean> {
    this.#section.forget(accountId);
    return markAccessRefused(this.#db, this.events, accountId);
  }

  /**
   * The open step: writes the pairs this machine's journal kept from an earlier run (property 13).
   * Runs once, before the vault's first token; safe to await at start. Resolves to how many were
   * settled (the others are written as soon as the store is back).
   */
  open(): Promise<number> {
    this.#opened ??= this.#kept
      .recover()
      .catch(() => 0)
      .finally(() => (this.#ready = true));
    return this.#opened;
  }

  /** Same as {@link open}, kept for callers that recovered explicitly. */
  recoverJournal(): Promise<number> {
    return this.open();
  }

  /** Forgets what this process cached (after a reconnection elsewhere, say). */
  forget(accountId?: string): void {
    this.#section.forget(accountId);
  }

  /**
   * Closes the vault (await it before closing the database): from now on no new refresh token goes
   * out — a caller gets the stored token while it is valid (`refresh_degraded`, `closing`), else
   * `refresh_fenced` — and no call waits for a lease any more; refreshes already sent are waited
   * for, bounded by the HTTP deadline, so that X's answer is stored (or journaled) rather than cut
   * off by the exit. Then background writes stop; kept pairs stay in the journal; the guard's
   * clean-up of older kept files is waited for. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closer.abort();
      await this.#section.drain(this.#drainMs);
      this.#kept.close();
      if (this.#guard?.settled) await settledWithin([this.#guard.settled()], this.#drainMs);
    })();
    return this.#closed;
  }
}
