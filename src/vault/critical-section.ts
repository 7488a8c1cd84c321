/**
 * @module The refresh critical section, as its named steps, read top to bottom. Each step does
 * its I/O and leaves the deciding to `decisions.ts` (pure, unit-tested without a database):
 *
 * 1. {@link CriticalSection.cache}: fresh in this process → hand it out.
 * 2. {@link CriticalSection.flight}: one in-process promise per account; other callers await it.
 * 3. {@link CriticalSection.read}: the row (after writing any pair kept for it); fresh → hand it
 *    out; no refresh possible now but the token still valid → hand it out anyway (degraded).
 * 4. {@link CriticalSection.lease}: take the account's lease, or wait for its end (backoff).
 * 5. {@link CriticalSection.refresh}: mark the send (write-ahead), confirm by the monotonic clock
 *    that the lease is well inside its life, send one token request.
 * 6. interpret ({@link interpret}): what X's answer means for the account.
 * 7. {@link CriticalSection.persist}: store the new pair before handing it out; the store down, or
 *    the lease run out meanwhile → keep it (memory and journal) and write it later.
 * 8. {@link CriticalSection.release}: the one way a lease is given back, held, or unmarked; its
 *    failure is reported.
 */
import type { Clock, Timer } from '../core/clock.ts';
import { RotorError, type ReauthReason } from '../core/errors.ts';
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
import { markReauthRequired } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import {
  acquireLease,
  holdLease,
  markReuseSuspected,
  markSent,
  readLeaseState,
  readTokenSet,
  releaseLease,
  storeRotation,
  unmarkSent,
  type TokenSetRow,
} from '../store/token-sets.ts';
import {
  decideAfterRead,
  interpret,
  isFresh,
  isUsable,
  leaseLeft,
  MAX_SENDS,
  margins,
  mayStoreAsOwner,
  maySend,
  reauthReason,
  tokenLifetime,
  waitStepMs,
  type DegradeCause,
  type TokenFacts,
} from './decisions.ts';
import type { VaultEvents } from './events.ts';
import type { KeptPairs } from './kept-pairs.ts';
import { transientError } from './transient.ts';

/** A valid access token, as handed out. */
export interface AccessToken {
  accountId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
}

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
  owner: string;
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
}

interface Cached extends AccessToken {
  lifetimeMs: number;
}

/** A lease this process holds: the row as taken, and when (monotonic, measured before asking). */
interface Lease {
  row: TokenSetRow;
  takenAt: number;
}

type Sent = { kind: 'sent'; outcome: RefreshOutcome; sentCount: number } | { kind: 'not_sent' };

const binding = (accountId: string, field: 'access' | 'refresh') => ({
  table: 'token_sets',
  row: accountId,
  field,
});

export class CriticalSection {
  readonly #d: SectionDeps;
  readonly #cache = new Map<string, Cached>();
  readonly #flights = new Map<string, Promise<AccessToken>>();
  readonly #warned = new Set<string>();
  /** Per account, after a known transient failure: the next try waits until `until`. */
  readonly #backoff = new Map<string, { until: number; failures: number }>();
  /** `account:version` pairs this process sent and has no answer for. */
  readonly #sentHere = new Set<string>();
  #clientRefusedUntil = 0;

  constructor(deps: SectionDeps) {
    this.#d = deps;
  }

  /** The whole section for one call. */
  async getAccessToken(accountId: string, ask: Ask): Promise<AccessToken> {
    const hit = this.cache(accountId, ask);
    if (hit) return hit;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = await this.flight(accountId, ask);
      if (token.accessToken !== ask.rejected) return token;
    }
    throw new RotorError('x_unavailable', 'X refused a freshly obtained access token', { accountId });
  }

  forget(accountId?: string): void {
    if (accountId === undefined) this.#cache.clear();
    else this.#cache.delete(accountId);
  }

  /** Step 1: a token this process holds, still fresh for this caller. */
  cache(accountId: string, ask: Ask): AccessToken | undefined {
    const c = this.#cache.get(accountId);
    if (!c) return undefined;
    const facts = this.#facts(c.expiresAt, c.lifetimeMs, ask, c.accessToken);
    return isFresh(facts) ? strip(c) : undefined;
  }

  /** Step 2: one refresh per account in this process; other callers await it. */
  flight(accountId: string, ask: Ask): Promise<AccessToken> {
    let flight = this.#flights.get(accountId);
    if (!flight) {
      flight = this.#run(accountId, ask).finally(() => this.#flights.delete(accountId));
      this.#flights.set(accountId, flight);
    }
    return flight;
  }

  /** Steps 3 to 8, looped until a token is handed out or the account's fate is known. */
  async #run(accountId: string, ask: Ask): Promise<AccessToken> {
    const waitUntil = this.#d.timer.monotonic() + this.#d.leaseWaitMs;
    let transientTries = 0;
    for (;;) {
      const row = await this.read(accountId);
      const access = this.#open(row, 'access', row.accessCt);
      const lifetimeMs = tokenLifetime(row.accessExpiresAt, row.refreshedAt);
      const facts = this.#facts(row.accessExpiresAt, lifetimeMs, ask, access);
      const decision = decideAfterRead(facts, {
        hasRefreshToken: row.refreshCt !== null,
        sentCount: row.sentCount,
        clientPaused: this.#clientRefusedUntil > this.#d.clock.now(),
        backoffUntil: this.#backoff.get(accountId)?.until ?? 0,
      });
      const stored = { accessToken: access, expiresAt: row.accessExpiresAt, scope: row.scope, lifetimeMs };
      switch (decision.kind) {
        case 'hand_out':
          return this.#hand(row, stored);
        case 'degrade':
          return this.#degrade(row, stored, decision.because);
        case 'client_refused':
          throw clientRefused(accountId, 'X refused Rotor’s client credentials; refreshing is paused');
        case 'needs_user':
          return this.#needsUser(row, decision.reason);
        case 'refresh':
          break;
      }
      const lease = await this.lease(row);
      if (!lease) {
        if (isUsable(facts)) return this.#degrade(row, stored, 'lease_elsewhere');
        if (row.sentCount >= MAX_SENDS) {
          throw new RotorError(
            'x_unavailable',
            'X answered neither of the last two refreshes; retrying later',
            {
              accountId,
            },
          );
        }
        await this.#waitForLease(accountId, row.version, waitUntil);
        continue;
      }
      const sent = await this.refresh(lease);
      if (sent.kind === 'not_sent') continue;
      const meaning = interpret(sent.outcome, {
        sentCount: sent.sentCount,
        transientTries,
        maxTransientRetries: this.#d.maxTransientRetries,
        random: Math.random(),
      });
      switch (meaning.kind) {
        case 'store': {
          if (sent.outcome.kind !== 'rotated') break;
          const token = await this.persist(lease, sent.outcome.tokens);
          if (token) return token;
          continue; // a lost race: re-read and use what is stored
        }
        case 'check_race':
          await this.#refused(lease, lease.row.inDoubt);
          continue;
        case 'client_refused':
          await this.release(lease, 'give_back');
          this.#clientRefusedUntil = this.#d.clock.now() + this.#d.invalidClientPauseMs;
          this.#d.events.emit('invalid_client', { providerId: this.#d.provider.id });
          if (isUsable(facts)) return this.#degrade(row, stored, 'client_refused');
          throw clientRefused(
            accountId,
            'X refused Rotor’s client credentials (check X_CLIENT_ID / X_CLIENT_SECRET)',
          );
        case 'transient': {
          if (sent.outcome.kind !== 'transient') break;
          const outcome = sent.outcome;
          await this.release(lease, meaning.release === 'clear' ? 'give_back' : meaning.release);
          this.#d.events.emit('refresh_failed', {
            accountId,
            code: outcome.code,
            outcomeUnknown: outcome.outcomeUnknown,
          });
          if (!outcome.outcomeUnknown) this.#noteBackoff(accountId, meaning.delayMs);
          if (isUsable(facts)) return this.#degrade(row, stored, 'refresh_failed');
          if (!meaning.retry) throw transientError(accountId, outcome);
          if (outcome.outcomeUnknown) continue; // the retry waits for the hold's end
          transientTries += 1;
          await this.#d.timer.sleep(meaning.delayMs);
          continue;
        }
      }
    }
  }

  /** Step 3: the row, active, with any pair kept for it written first (its predecessor is spent). */
  async read(accountId: string): Promise<TokenSetRow> {
    let row = await this.#storeCall('read the token set', accountId, () =>
      readTokenSet(this.#d.db, accountId),
    );
    if (row && (row.inDoubt || this.#d.kept.has(accountId))) {
      const settled = await this.#storeCall('write the kept rotation', accountId, () =>
        this.#d.kept.settle(accountId, row?.inDoubt ?? false),
      );
      if (settled)
        row = await this.#storeCall('read the token set', accountId, () =>
          readTokenSet(this.#d.db, accountId),
        );
    }
    if (!row) throw new RotorError('account_not_found', 'no such account', { accountId });
    if (row.status !== 'active') {
      throw new RotorError('reauth_required', `@${row.username} needs to be connected again`, {
        accountId,
        reason: row.reason ?? 'unknown',
      });
    }
    return row;
  }

  /** Step 4: the account's lease at the version read, or undefined (someone else holds it). */
  async lease(row: TokenSetRow): Promise<Lease | undefined> {
    const takenAt = this.#d.timer.monotonic(); // the lease ends no earlier than this + its TTL
    const leased = await this.#storeCall('take the lease', row.accountId, () =>
      acquireLease(
        this.#d.db,
        row.accountId,
        this.#d.owner,
        row.version,
        this.#d.leaseTtlMs,
        this.#d.doubtGraceMs,
      ),
    );
    if (!leased) return undefined;
    await this.#d.onStep?.('lease_taken', row.accountId);
    return { row: leased, takenAt };
  }

  /**
   * Step 5: one token request, only while the lease is safely ours. A lease taken over from
   * another owner's unanswered send waits `takeoverSettleMs` first, so that an owner holding X's
   * answer (a long store outage) writes it before the spent token could go out (property 36).
   */
  async refresh(lease: Lease): Promise<Sent> {
    const { row } = lease;
    const { accountId } = row;
    const d = this.#d;
    let refreshToken: string;
    try {
      refreshToken = this.#open(row, 'refresh', row.refreshCt ?? '');
    } catch (e) {
      await this.release(lease, 'give_back');
      throw e;
    }
    const key = `${accountId}:${row.version}`;
    if (row.inDoubt && !this.#sentHere.has(key)) await d.timer.sleep(d.takeoverSettleMs);
    const sentCount = await this.#storeCall('mark the refresh as sent', accountId, () =>
      markSent(d.db, accountId, d.owner, row.version, d.httpTimeoutMs),
    );
    if (sentCount === undefined) {
      await this.release(lease, 'give_back'); // not ours any more, or too little of it left
      return { kind: 'not_sent' };
    }
    this.#sentHere.add(key);
    await d.onStep?.('send_marked', accountId);
    // Property 33: the last look before the bytes go out, by the monotonic clock.
    if (
      !maySend(leaseLeft(lease.takenAt, d.leaseTtlMs, d.timer.monotonic()), d.httpTimeoutMs, d.leaseTtlMs)
    ) {
      await this.release(lease, 'unsent');
      return { kind: 'not_sent' };
    }
    const sentAt = d.timer.monotonic();
    const answer = refreshTokens(d.provider, refreshToken, {
      ...(d.fetch ? { fetch: d.fetch } : {}),
      limits: { timeoutMs: d.httpTimeoutMs },
    });
    await d.onStep?.('request_sent', accountId);
    const outcome = await answer;
    await d.onStep?.('response_received', accountId);
    d.events.emit('refresh_done', {
      accountId,
      outcome: outcome.kind,
      durationMs: d.timer.monotonic() - sentAt,
    });
    return { kind: 'sent', outcome, sentCount };
  }

  /**
   * Step 7: the new pair is stored before the access token is handed out. The lease run out
   * meanwhile (a freeze) → the pair is journaled first, then written if nothing was stored since.
   * The store down → kept (memory and journal), written as soon as it is back. The row moved on →
   * a lost race (undefined): the caller re-reads.
   */
  async persist(lease: Lease, tokens: IssuedTokens): Promise<AccessToken | undefined> {
    const { row } = lease;
    const { accountId } = row;
    const d = this.#d;
    const lifetimeMs = (tokens.expiresIn ?? 7200) * 1000;
    const expiresAt = d.clock.now() + lifetimeMs;
    const rotation = {
      accessCt: seal(d.keyRing, tokens.accessToken, binding(accountId, 'access')),
      refreshCt:
        tokens.refreshToken === undefined
          ? null
          : seal(d.keyRing, tokens.refreshToken, binding(accountId, 'refresh')),
      keyId: d.keyRing.active.id,
      accessExpiresAt: expiresAt,
      scope: tokens.scope ?? row.scope,
    };
    const entry = { accountId, fromVersion: row.version, rotation };
    const late = !mayStoreAsOwner(leaseLeft(lease.takenAt, d.leaseTtlMs, d.timer.monotonic()), d.leaseTtlMs);
    if (late) d.kept.keep(entry, 'lease_ran_out'); // property 33: never dropped, whoever holds the lease now
    let version: number | undefined;
    let suspectReuse = late;
    try {
      if (late) version = await d.kept.apply(entry);
      else {
        version = await storeRotation(d.db, accountId, d.owner, row.version, rotation);
        if (version === undefined) {
          // Our lease was lost. If nobody stored anything since, our pair is X's newest: store it,
          // and flag the account (someone may be sending the old token).
          version = await storeRotation(d.db, accountId, null, row.version, rotation);
          suspectReuse = true;
        }
      }
    } catch {
      // The store is down after X rotated: keep the pair (once), then write it when it is back.
      if (!late) d.kept.keep(entry, 'store_down');
      d.kept.flushLater(entry);
      version = row.version + 1;
      suspectReuse = false;
    }
    this.#sentHere.delete(`${accountId}:${row.version}`);
    this.#backoff.delete(accountId);
    await d.onStep?.('stored', accountId);
    if (version === undefined) {
      this.#cache.delete(accountId);
      return undefined;
    }
    if (suspectReuse) await this.#suspectReuse(accountId);
    if (!late) d.events.emit('refreshed', { accountId, version, expiresAt });
    return this.#hand(
      { ...row, version },
      { accessToken: tokens.accessToken, expiresAt, scope: rotation.scope, lifetimeMs },
    );
  }

  /**
   * Step 8, the one release path. `give_back`: nothing new went out (the doubt there was stays);
   * `hold`: keep the lease, and its doubt, until a request with an unknown outcome has surely
   * ended at X — against everyone, this process included; `cool_down`: the same, much longer,
   * after both sends went unanswered; `unsent`: the send was marked but
   * never made. A failure is reported (`release_failed`); the lease then ends at its expiry.
   */
  async release(lease: Lease, how: 'give_back' | 'hold' | 'cool_down' | 'unsent'): Promise<void> {
    const { db, owner, httpTimeoutMs, coolDownMs } = this.#d;
    const { accountId, version, inDoubt } = lease.row;
    try {
      if (how === 'give_back') await releaseLease(db, accountId, owner, inDoubt);
      else if (how === 'hold') await holdLease(db, accountId, owner, httpTimeoutMs);
      else if (how === 'cool_down') await holdLease(db, accountId, owner, coolDownMs);
      else await unmarkSent(db, accountId, owner, version);
    } catch (e) {
      this.#d.events.emit('release_failed', { accountId, message: (e as Error).message });
    }
  }

  /** X refused the grant: a lost race (someone rotated meanwhile) or the account needs its user. */
  async #refused(lease: Lease, sentBefore: boolean): Promise<void> {
    const { row } = lease;
    const { accountId } = row;
    const again = await this.#storeCall('re-read the token set', accountId, () =>
      readTokenSet(this.#d.db, accountId),
    );
    if (again && again.version !== row.version) {
      await this.#suspectReuse(accountId); // we presented a spent token
      return;
    }
    const reason = reauthReason({
      inDoubt: sentBefore,
      reuseSuspected: row.reuseSuspected,
      pastHorizon: this.#d.clock.now() >= row.consentedAt + this.#d.horizonMs,
      accessProbe: await this.#probe(row),
    });
    await this.#needsUser(row, reason);
  }

  async #waitForLease(accountId: string, version: number, until: number): Promise<void> {
    const { timer, db, owner, doubtGraceMs } = this.#d;
    const start = timer.monotonic();
    try {
      for (let i = 0; ; i += 1) {
        const s = await this.#storeCall('read the lease', accountId, () =>
          readLeaseState(db, accountId, owner, doubtGraceMs),
        );
        if (!s || s.version !== version || s.takeableInMs <= 0) return;
        const left = until - timer.monotonic();
        if (left <= 0) {
          throw new RotorError('lease_timeout', 'another process is still refreshing this account', {
            accountId,
          });
        }
        await timer.sleep(waitStepMs(i, s.takeableInMs, left));
      }
    } finally {
      this.#d.events.emit('lease_waited', { accountId, durationMs: timer.monotonic() - start });
    }
  }

  #facts(expiresAt: number, lifetimeMs: number, ask: Ask, access: string): TokenFacts {
    return {
      now: this.#d.clock.now(),
      expiresAt,
      margins: margins(lifetimeMs, this.#d.refreshMarginMs),
      minValidityMs: ask.minValidityMs,
      refused: access === ask.rejected,
    };
  }

  #noteBackoff(accountId: string, delayMs: number): void {
    const failures = (this.#backoff.get(accountId)?.failures ?? 0) + 1;
    this.#backoff.set(accountId, { until: this.#d.clock.now() + delayMs, failures });
  }

  async #suspectReuse(accountId: string): Promise<void> {
    this.#d.events.emit('reuse_suspected', { accountId });
    await markReuseSuspected(this.#d.db, accountId).catch(() => undefined); // the event is the report
  }

  /** Is the (unexpired) access token still accepted? Tells a revoked grant from other refusals. */
  async #probe(row: TokenSetRow): Promise<'unauthorized' | 'ok' | 'not_checked'> {
    if (row.accessExpiresAt <= this.#d.clock.now()) return 'not_checked';
    const access = this.#open(row, 'access', row.accessCt);
    const result = await fetchProfile(this.#d.provider, access, {
      ...(this.#d.fetch ? { fetch: this.#d.fetch } : {}),
      limits: { timeoutMs: this.#d.httpTimeoutMs },
    });
    return result.kind === 'unauthorized' ? 'unauthorized' : result.kind === 'ok' ? 'ok' : 'not_checked';
  }

  async #needsUser(row: TokenSetRow, reason: ReauthReason): Promise<never> {
    const { accountId } = row;
    this.#cache.delete(accountId);
    const changed = await this.#storeCall('mark the account', accountId, () =>
      markReauthRequired(this.#d.db, accountId, reason),
    );
    if (changed) this.#d.events.emit('reauth_required', { accountId, username: row.username, reason });
    throw new RotorError('reauth_required', `@${row.username} needs to be connected again (${reason})`, {
      accountId,
      reason,
    });
  }

  /** The stored token, still valid, handed out while its refresh cannot happen (property 35). */
  #degrade(row: TokenSetRow, t: Omit<Cached, 'accountId'>, because: DegradeCause): AccessToken {
    this.#d.events.emit('refresh_degraded', { accountId: row.accountId, because, expiresAt: t.expiresAt });
    return { accountId: row.accountId, accessToken: t.accessToken, expiresAt: t.expiresAt, scope: t.scope };
  }

  #hand(row: TokenSetRow, t: Omit<Cached, 'accountId'>): AccessToken {
    const cached: Cached = { accountId: row.accountId, ...t };
    this.#cache.set(row.accountId, cached);
    const endsAt = row.consentedAt + this.#d.horizonMs;
    if (endsAt - this.#d.clock.now() <= this.#d.horizonWarningMs && !this.#warned.has(row.accountId)) {
      this.#warned.add(row.accountId);
      this.#d.events.emit('horizon_approaching', {
        accountId: row.accountId,
        username: row.username,
        endsAt,
      });
    }
    return strip(cached);
  }

  /** A store call; any failure that is not already a Rotor error is `store_unavailable`. */
  async #storeCall<T>(what: string, accountId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RotorError) throw e;
      throw new RotorError('store_unavailable', `the database could not ${what}`, { accountId, cause: e });
    }
  }

  #open(row: TokenSetRow, field: 'access' | 'refresh', ct: string): string {
    try {
      return open(this.#d.keyRing, ct, binding(row.accountId, field));
    } catch (e) {
      if (!(e instanceof DecryptionError)) throw e;
      this.#d.events.emit('decryption_failed', { accountId: row.accountId, username: row.username });
      throw new RotorError(
        'decryption_failed',
        `the stored tokens of @${row.username} could not be decrypted`,
        {
          accountId: row.accountId,
        },
      );
    }
  }
}

function clientRefused(accountId: string, message: string): RotorError {
  return new RotorError('invalid_client', message, { accountId });
}

function strip(c: Cached): AccessToken {
  return { accountId: c.accountId, accessToken: c.accessToken, expiresAt: c.expiresAt, scope: c.scope };
}
