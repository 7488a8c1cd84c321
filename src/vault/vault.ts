/**
 * @module The token vault: {@link TokenVault.getAccessToken} is the one call every other part of
 * Rotor uses to get a valid access token. The refresh critical section, in named steps:
 *
 * 1. **cache**: fresh in this process → return it.
 * 2. **flight**: one in-process promise per account; other callers await it.
 * 3. **read**: the row from the store; not active → `reauth_required`; fresh → return.
 * 4. **lease**: take the account's lease (owned, expiring, compare-and-swap on the version),
 *    or wait for the owner's new version and return that — waiters never call X.
 * 5. **refresh**: one token request with a deadline shorter than the lease.
 * 6. **persist**: store the new pair (compare-and-swap) before handing the access token out;
 *    the store down → the local encrypted journal, written to the store when it is back.
 * 7. **classify**: refused → re-read (a lost race uses the winner's token), else the account
 *    needs its user, with a reason; transient → release the lease and report it.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientRefusedText } from '../core/client-refused.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { RotorError } from '../core/errors.ts';
import { DecryptionError, open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import {
  fetchProfile,
  refreshTokens,
  type IssuedTokens,
  type RefreshOutcome,
} from '../oauth/token-client.ts';
import type { Db } from '../store/db.ts';
import { markReauthRequired } from '../store/accounts.ts';
import {
  acquireLease,
  markReuseSuspected,
  readTokenSet,
  readVersion,
  holdLease,
  releaseLease,
  storeRotation,
  type Rotation,
  type TokenSetRow,
} from '../store/token-sets.ts';
import { VaultEvents, type VaultEventMap } from './events.ts';
import type { VaultHooks } from './guard.ts';
import { Journal } from './journal.ts';
import { reauthReason } from './reason.ts';

/** A valid access token, as handed out. */
export interface AccessToken {
  accountId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
}

/** The steps of a refresh, reported to {@link VaultOptions.onStep} (metrics, crash tests). */
export type RefreshStep = 'lease_taken' | 'request_sent' | 'response_received' | 'stored';

export interface VaultOptions {
  db: Db;
  provider: OAuthProvider;
  keyRing: KeyRing;
  /**
   * Where the journal lives (one folder per machine). Without it, a pair X answered while the store
   * is down is kept in memory only and lost if the process dies before the store returns.
   */
  journalDir?: string;
  clock?: Clock;
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
   * How long after its expiry a lease left **in doubt** by another owner (a refresh sent, no answer
   * known) stays off limits, so that an owner that got X's answer during a store outage writes it
   * first. Default 15 s. An outage longer than lease TTL + this can still lose the account; a process
   * killed mid-refresh keeps its account waiting that long.
   */
  doubtGraceMs?: number;
  /** This process's lease owner id (default: host, pid and a random part). */
  owner?: string;
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

interface Cached extends AccessToken {
  lifetimeMs: number;
  /** The row version this token came from: lets a refresh take the lease without reading first. */
  version: number;
}

interface PendingRotation {
  accountId: string;
  fromVersion: number;
  rotation: Rotation;
}

const binding = (accountId: string, field: 'access' | 'refresh') => ({
  table: 'token_sets',
  row: accountId,
  field,
});

export class TokenVault {
  readonly events = new VaultEvents();
  readonly owner: string;
  readonly #o: Required<
    Omit<VaultOptions, 'journalDir' | 'fetch' | 'refreshMarginMs' | 'onStep' | 'owner' | 'guard'>
  > &
    Pick<VaultOptions, 'fetch' | 'refreshMarginMs' | 'onStep' | 'guard'>;
  readonly #journal: Journal | undefined;
  readonly #cache = new Map<string, Cached>();
  readonly #flights = new Map<string, Promise<AccessToken>>();
  readonly #warned = new Set<string>();
  /** Rotations X answered that the store has not taken yet (memory; the journal too, if configured). */
  readonly #pending = new Map<string, PendingRotation>();
  #clientRefusedUntil = 0;
  #closed = false;

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
    this.#o = {
      db: options.db,
      provider: options.provider,
      keyRing: options.keyRing,
      clock: options.clock ?? systemClock,
      fetch: options.fetch,
      refreshMarginMs: options.refreshMarginMs,
      leaseTtlMs,
      httpTimeoutMs,
      leaseWaitMs: options.leaseWaitMs ?? leaseTtlMs + 5_000,
      maxTransientRetries: options.maxTransientRetries ?? 2,
      horizonMs: options.horizonMs ?? DEFAULT_HORIZON_MS,
      horizonWarningMs: options.horizonWarningMs ?? DEFAULT_HORIZON_WARNING_MS,
      invalidClientPauseMs: options.invalidClientPauseMs ?? 10 * 60_000,
      doubtGraceMs: options.doubtGraceMs ?? 15_000,
      onStep: options.onStep,
      guard: options.guard, // issue 18
    };
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#journal = options.journalDir ? new Journal(options.journalDir, options.keyRing) : undefined;
  }

  get provider(): OAuthProvider {
    return this.#o.provider;
  }

  /**
   * A valid access token for the account, refreshed first if it has less than the margin left.
   * Pass `rejected` (the token X just answered 401 to) to force one single-flight refresh unless
   * another caller already replaced it (property 31). `minValidityMs` asks for a token that lives
   * at least that long (a post due soon refreshes ahead of its due time).
   *
   * @throws {RotorError} `reauth_required` (with `reason`), `invalid_client`, `decryption_failed`,
   *   `account_not_found`, or a transient code (`x_unavailable`, `x_rate_limited`,
   *   `invalid_response`, `lease_timeout`, `store_unavailable`).
   * @example
   * const { accessToken } = await vault.getAccessToken(accountId);
   */
  async getAccessToken(
    accountId: string,
    opts: { rejected?: string; minValidityMs?: number } = {},
  ): Promise<AccessToken> {
    const cached = this.#cache.get(accountId);
    const minValidity = opts.minValidityMs ?? 0;
    if (
      cached &&
      cached.accessToken !== opts.rejected &&
      this.#fresh(cached.expiresAt, cached.lifetimeMs, minValidity)
    ) {
      return strip(cached);
    }
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let flight = this.#flights.get(accountId);
      if (!flight) {
        flight = this.#obtain(accountId, opts.rejected, minValidity).finally(() =>
          this.#flights.delete(accountId),
        );
        this.#flights.set(accountId, flight);
      }
      const token = await flight;
      if (token.accessToken !== opts.rejected) return token;
    }
    throw new RotorError('x_unavailable', 'X refused a freshly obtained access token', { accountId });
  }

  /** Forgets what this process cached (after a reconnection elsewhere, say). */
  forget(accountId?: string): void {
    if (accountId === undefined) this.#cache.clear();
    else this.#cache.delete(accountId);
  }

  #margin(lifetimeMs: number): number {
    return this.#o.refreshMarginMs ?? Math.min(5 * 60_000, lifetimeMs / 4);
  }

  #fresh(expiresAt: number, lifetimeMs: number, minValidityMs = 0): boolean {
    return expiresAt - this.#o.clock.now() > Math.max(this.#margin(lifetimeMs), minValidityMs);
  }

  async #store<T>(what: string, accountId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RotorError) throw e;
      throw new RotorError('store_unavailable', `the database could not ${what}`, { accountId, cause: e });
    }
  }

  #open(row: TokenSetRow, field: 'access' | 'refresh', ct: string): string {
    try {
      return open(this.#o.keyRing, ct, binding(row.accountId, field));
    } catch (e) {
      if (e instanceof DecryptionError) {
        this.events.emit('decryption_failed', { accountId: row.accountId, username: row.username });
        throw new RotorError(
          'decryption_failed',
          `the stored tokens of @${row.username} could not be decrypted`,
          {
            accountId: row.accountId,
          },
        );
      }
      throw e;
    }
  }

  async #obtain(
    accountId: string,
    rejected: string | undefined,
    minValidityMs: number,
  ): Promise<AccessToken> {
    const waitUntil = this.#o.clock.now() + this.#o.leaseWaitMs;
    let transientTries = 0;
    let unknownTries = 0;
    // Fast path: this process holds the token it wants replaced, at a known version. Taking the
    // lease at that version is the re-read: it succeeds only if nothing changed since.
    let known = this.#cache.get(accountId);
    for (;;) {
      // A pair X gave this process that the store has not taken yet comes first: never send its
      // (spent) predecessor.
      const pending = this.#pending.get(accountId);
      if (pending) await this.#store('write the kept rotation', accountId, () => this.#applyPending(pending));
      let lease: TokenSetRow | undefined;
      if (known && this.#clientRefusedUntil <= this.#o.clock.now()) {
        const version = known.version;
        lease = await this.#store('take the lease', accountId, () =>
          acquireLease(this.#o.db, accountId, this.owner, version, this.#o.leaseTtlMs, this.#o.doubtGraceMs),
        );
      }
      known = undefined;
      if (!lease) {
        const row = await this.#store('read the token set', accountId, () =>
          readTokenSet(this.#o.db, accountId),
        );
        if (!row) throw new RotorError('account_not_found', 'no such account', { accountId });
        if (row.status !== 'active') {
          throw new RotorError('reauth_required', `@${row.username} needs to be connected again`, {
            accountId,
            reason: row.reason ?? 'unknown',
          });
        }
        const access = this.#open(row, 'access', row.accessCt);
        const lifetimeMs = row.refreshedAt
          ? Math.max(0, row.accessExpiresAt - row.refreshedAt)
          : 2 * 3_600_000;
        if (access !== rejected && this.#fresh(row.accessExpiresAt, lifetimeMs, minValidityMs)) {
          return this.#hand(row, {
            accessToken: access,
            expiresAt: row.accessExpiresAt,
            scope: row.scope,
            lifetimeMs,
          });
        }
        if (this.#clientRefusedUntil > this.#o.clock.now()) {
          throw new RotorError(
            'invalid_client',
            'X refused Rotor’s client credentials; refreshing is paused',
            { accountId },
          );
        }
        lease = await this.#store('take the lease', accountId, () =>
          acquireLease(
            this.#o.db,
            accountId,
            this.owner,
            row.version,
            this.#o.leaseTtlMs,
            this.#o.doubtGraceMs,
          ),
        );
        if (!lease) {
          const waitStart = performance.now();
          try {
            await this.#waitForChange(accountId, row.version, waitUntil);
          } finally {
            this.events.emit('lease_waited', { accountId, durationMs: performance.now() - waitStart });
          }
          continue;
        }
      }
      if (lease.refreshCt === null) {
        // Without offline.access there is no refresh token: only the user can renew the grant.
        await this.#needsUser(lease, 'expired');
      }
      const result = await this.#refreshUnderLease(lease, lease.inDoubt);
      if ('accessToken' in result) return result;
      if (result.kind === 'lost_race') {
        known = undefined;
        continue;
      }
      const outcome = result.outcome;
      this.events.emit('refresh_failed', {
        accountId,
        code: outcome.code,
        outcomeUnknown: outcome.outcomeUnknown,
      });
      // Property 16: after an unknown outcome, one retry at most (and none if this send was itself
      // the retry of an earlier unknown outcome).
      const canRetry =
        outcome.code !== 'x_rate_limited' &&
        (outcome.outcomeUnknown
          ? unknownTries < 1 && !lease.inDoubt
          : transientTries < this.#o.maxTransientRetries);
      if (!canRetry) throw transientError(accountId, outcome);
      if (outcome.outcomeUnknown) unknownTries += 1;
      else transientTries += 1;
      // After an unknown outcome the first request may still be in flight at X: this process keeps
      // the lease (held in #refreshUnderLease) for a deadline's length before its one retry, so
      // that no two sends of the same refresh token race.
      await sleep(outcome.outcomeUnknown ? this.#o.httpTimeoutMs : backoff(transientTries));
    }
  }

  async #refreshUnderLease(
    row: TokenSetRow,
    inDoubt: boolean,
  ): Promise<
    | AccessToken
    | { kind: 'lost_race' }
    | { kind: 'transient'; outcome: Extract<RefreshOutcome, { kind: 'transient' }> }
  > {
    const { accountId } = row;
    await this.#o.onStep?.('lease_taken', accountId);
    let refreshToken: string;
    try {
      refreshToken = this.#open(row, 'refresh', row.refreshCt ?? '');
    } catch (e) {
      await releaseLease(this.#o.db, accountId, this.owner, inDoubt).catch(() => undefined);
      throw e;
    }
    // issue 18: may this installation refresh (not fenced, not a copy), and is this row still the
    // newest pair (a database restored under a running process)? Else no token is sent.
    if (this.#o.guard) {
      let verdict: 'send' | 'reread';
      try {
        verdict = await this.#o.guard.beforeRefresh(accountId, row.version);
      } catch (e) {
        await releaseLease(this.#o.db, accountId, this.owner, inDoubt).catch(() => undefined);
        throw e;
      }
      if (verdict === 'reread') return { kind: 'lost_race' };
    }
    const sent = refreshTokens(this.#o.provider, refreshToken, {
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
      limits: { timeoutMs: this.#o.httpTimeoutMs },
    });
    const sentAt = performance.now();
    await this.#o.onStep?.('request_sent', accountId);
    const outcome = await sent;
    await this.#o.onStep?.('response_received', accountId);
    const done = (o: VaultEventMap['refresh_done']['outcome']) =>
      this.events.emit('refresh_done', { accountId, outcome: o, durationMs: performance.now() - sentAt });
    switch (outcome.kind) {
      case 'rotated': {
        const persisted = await this.#persist(row, outcome.tokens);
        done('accessToken' in persisted ? 'rotated' : 'lost_race');
        return persisted;
      }
      case 'rejected': {
        const again = await this.#store('re-read the token set', accountId, () =>
          readTokenSet(this.#o.db, accountId),
        );
        if (again && again.version !== row.version) {
          // Someone else rotated while we held an expired lease: we presented a spent token.
          done('lost_race');
          this.events.emit('reuse_suspected', { accountId });
          await markReuseSuspected(this.#o.db, accountId).catch(() => undefined);
          return { kind: 'lost_race' };
        }
        done('rejected');
        const reason = reauthReason({
          inDoubt,
          reuseSuspected: row.reuseSuspected,
          pastHorizon: this.#o.clock.now() >= row.consentedAt + this.#o.horizonMs,
          accessProbe: await this.#probe(row),
        });
        return this.#needsUser(row, reason);
      }
      case 'invalid_client':
        done('invalid_client');
        await releaseLease(this.#o.db, accountId, this.owner, inDoubt).catch(() => undefined);
        this.#clientRefusedUntil = this.#o.clock.now() + this.#o.invalidClientPauseMs;
        this.events.emit('invalid_client', { providerId: this.#o.provider.id });
        throw new RotorError('invalid_client', clientRefusedText('en', this.#o.provider.clientId), {
          accountId,
        });
      case 'transient':
        done('transient');
        if (outcome.outcomeUnknown) {
          // Keep the lease (and the doubt) until the request has surely ended at X; a retry of a
          // retry waits longer still.
          await holdLease(this.#o.db, accountId, this.owner, this.#o.httpTimeoutMs * (inDoubt ? 5 : 1)).catch(
            () => undefined,
          );
        } else {
          await releaseLease(this.#o.db, accountId, this.owner, inDoubt).catch(() => undefined);
        }
        return { kind: 'transient', outcome };
    }
  }

  /** Is the (unexpired) access token still accepted? Tells a revoked grant from other refusals. */
  async #probe(row: TokenSetRow): Promise<'unauthorized' | 'ok' | 'not_checked'> {
    if (row.accessExpiresAt <= this.#o.clock.now()) return 'not_checked';
    const access = this.#open(row, 'access', row.accessCt);
    const result = await fetchProfile(this.#o.provider, access, {
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
      limits: { timeoutMs: this.#o.httpTimeoutMs },
    });
    return result.kind === 'unauthorized' ? 'unauthorized' : result.kind === 'ok' ? 'ok' : 'not_checked';
  }

  async #needsUser(row: TokenSetRow, reason: NonNullable<TokenSetRow['reason']>): Promise<never> {
    const { accountId } = row;
    this.#cache.delete(accountId);
    const changed = await this.#store('mark the account', accountId, () =>
      markReauthRequired(this.#o.db, accountId, reason),
    );
    if (changed) this.events.emit('reauth_required', { accountId, username: row.username, reason });
    throw new RotorError('reauth_required', `@${row.username} needs to be connected again (${reason})`, {
      accountId,
      reason,
    });
  }

  /**
   * Step 6: the new pair is stored before the access token is handed out. The store down → the
   * pair is kept (memory, and the fsynced journal if configured) and written as soon as it is back.
   * The row moved on meanwhile (a reconnection, or a lost lease and someone else's rotation) → a
   * lost race: the caller re-reads and uses what is stored.
   */
  async #persist(row: TokenSetRow, tokens: IssuedTokens): Promise<AccessToken | { kind: 'lost_race' }> {
    const { accountId } = row;
    const lifetimeMs = (tokens.expiresIn ?? 7200) * 1000;
    const expiresAt = this.#o.clock.now() + lifetimeMs;
    const rotation: Rotation = {
      accessCt: seal(this.#o.keyRing, tokens.accessToken, binding(accountId, 'access')),
      refreshCt:
        tokens.refreshToken === undefined
          ? null
          : seal(this.#o.keyRing, tokens.refreshToken, binding(accountId, 'refresh')),
      keyId: this.#o.keyRing.active.id,
      accessExpiresAt: expiresAt,
      scope: tokens.scope ?? row.scope,
    };
    // issue 18: keep the newest pair outside the database before the store takes it.
    this.#o.guard?.keepPair({
      accountId,
      version: row.version + 1,
      consentedAt: row.consentedAt,
      rotation,
      refreshCt: rotation.refreshCt ?? row.refreshCt,
    });
    let version: number | undefined;
    try {
      version = await storeRotation(this.#o.db, accountId, this.owner, row.version, rotation);
      if (version === undefined) {
        // Our lease was lost (it expired while X answered). If nobody stored anything since, our
        // pair is X's newest: store it, and flag the account (someone may be sending the old token).
        version = await storeRotation(this.#o.db, accountId, null, row.version, rotation);
        if (version !== undefined) {
          this.events.emit('reuse_suspected', { accountId });
          await markReuseSuspected(this.#o.db, accountId);
        }
      }
    } catch {
      // The store is down after X rotated: keep the pair, then write it when the store is back.
      const entry = { accountId, fromVersion: row.version, rotation };
      this.#pending.set(accountId, entry);
      try {
        this.#journal?.write(entry);
      } catch {
        // the journal failed too: the pair is still kept in memory
      }
      this.#flushLater(entry);
      version = row.version + 1;
    }
    await this.#o.onStep?.('stored', accountId);
    if (version === undefined) {
      this.#cache.delete(accountId);
      return { kind: 'lost_race' };
    }
    this.events.emit('refreshed', { accountId, version, expiresAt });
    return this.#hand(
      { ...row, version },
      { accessToken: tokens.accessToken, expiresAt, scope: rotation.scope, lifetimeMs },
    );
  }

  #hand(
    row: TokenSetRow,
    t: { accessToken: string; expiresAt: number; scope: string; lifetimeMs: number },
  ): AccessToken {
    const cached: Cached = { accountId: row.accountId, version: row.version, ...t };
    this.#cache.set(row.accountId, cached);
    const endsAt = row.consentedAt + this.#o.horizonMs;
    if (endsAt - this.#o.clock.now() <= this.#o.horizonWarningMs && !this.#warned.has(row.accountId)) {
      this.#warned.add(row.accountId);
      this.events.emit('horizon_approaching', { accountId: row.accountId, username: row.username, endsAt });
    }
    return strip(cached);
  }

  async #waitForChange(accountId: string, version: number, until: number): Promise<void> {
    for (let i = 0; ; i += 1) {
      if (this.#o.clock.now() >= until) {
        throw new RotorError('lease_timeout', 'another process is still refreshing this account', {
          accountId,
        });
      }
      await sleep(Math.min(25 * 2 ** Math.min(i, 3), 200) + Math.random() * 10);
      const current = await this.#store('read the version', accountId, () =>
        readVersion(this.#o.db, accountId),
      );
      if (!current || current.version !== version || !current.leased) return;
    }
  }

  /** Writes a kept rotation to the store as soon as it answers again (quickly: the lease is running). */
  #flushLater(entry: PendingRotation): void {
    void (async () => {
      while (!this.#closed && this.#pending.get(entry.accountId) === entry) {
        await sleep(200, undefined, { ref: false });
        try {
          await this.#applyPending(entry);
        } catch {
          // still down
        }
      }
    })();
  }

  /** Writes a kept rotation (compare-and-swap on the version it came from), then forgets it. */
  async #applyPending(entry: PendingRotation): Promise<void> {
    const version = await storeRotation(this.#o.db, entry.accountId, null, entry.fromVersion, entry.rotation);
    if (this.#pending.get(entry.accountId) === entry) this.#pending.delete(entry.accountId);
    this.#journal?.remove(entry);
    if (version !== undefined) {
      this.events.emit('refreshed', {
        accountId: entry.accountId,
        version,
        expiresAt: entry.rotation.accessExpiresAt,
      });
    }
  }

  /** Stops background writes (call before closing the database); kept rotations stay in the journal. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Writes every journaled rotation left by an earlier run of this machine (call at start).
   * Returns how many were applied or settled; entries stay while the store is down.
   */
  async recoverJournal(): Promise<number> {
    let settled = 0;
    for (const entry of this.#journal?.list() ?? []) {
      try {
        await this.#applyPending(entry);
        settled += 1;
      } catch {
        this.#pending.set(entry.accountId, entry);
        this.#flushLater(entry);
      }
    }
    return settled;
  }
}

function transientError(
  accountId: string,
  outcome: Extract<RefreshOutcome, { kind: 'transient' }>,
): RotorError {
  return new RotorError(outcome.code, describeTransient(outcome), {
    accountId,
    ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
  });
}

function strip(c: Cached): AccessToken {
  return { accountId: c.accountId, accessToken: c.accessToken, expiresAt: c.expiresAt, scope: c.scope };
}

function backoff(attempt: number): number {
  return Math.min(200 * 2 ** attempt, 5_000) * (0.5 + Math.random() / 2);
}

function describeTransient(o: Extract<RefreshOutcome, { kind: 'transient' }>): string {
  const status = o.status ? ` (HTTP ${o.status})` : '';
  switch (o.code) {
    case 'x_rate_limited':
      return `X is rate limiting token requests${status}; try again later`;
    case 'invalid_response':
      return `X answered the token request with something that is not a token response${status}`;
    case 'x_unavailable':
      return `X could not be reached or failed${status}${o.outcomeUnknown ? '; the outcome is unknown' : ''}`;
  }
}
