/**
 * @module The refresh critical section, as its named steps, read top to bottom. Each step does
 * its I/O and leaves the deciding to `decisions.ts` (pure, unit-tested without a database):
 *
 * 1. {@link CriticalSection.cache}: fresh in this process → hand it out.
 * 2. {@link CriticalSection.flight}: one in-process promise per account; other callers await it.
 * 3. {@link CriticalSection.read}: the row (after writing any pair kept for it); fresh → hand it
 *    out; no refresh possible now but the token still valid → hand it out anyway (degraded). A
 *    token this process handed out goes to step 4 first ({@link CriticalSection.leaseKnown}): the
 *    lease at its version returns the row, one read fewer.
 * 4. {@link CriticalSection.lease}: take the account's lease, or wait for its end (backoff); with
 *    nothing in doubt the same statement marks the send (write-ahead).
 * 5. {@link CriticalSection.refresh}: mark the send (unless the lease did), confirm by the
 *    monotonic clock that the lease is well inside its life, send one token request.
 * 6. interpret ({@link interpret}): what X's answer means for the account.
 * 7. {@link CriticalSection.persist}: store the new pair before handing it out; the store down, or
 *    the lease run out meanwhile → keep it (memory and journal) and write it later.
 * 8. {@link CriticalSection.release}: the one way a lease is given back, held, or unmarked; its
 *    failure is reported.
 *
 * A refusal is settled in `refusal.ts`; what a caller is handed, in `hand-out.ts`.
 */
import { clientRefusedText } from '../core/client-refused.ts';
import { isRotorError, RotorError } from '../core/errors.ts';
import { refreshTokens, type IssuedTokens, type RefreshOutcome } from '../oauth/token-client.ts';
import {
  acquireLease,
  markSent,
  readTokenSet,
  storeRotation,
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
  tokenLifetime,
  type TokenFacts,
} from './decisions.ts';
import { settledWithin } from '../core/settled.ts';
import { releaseStep, sealedRotation, type ReleaseHow } from './section-writes.ts';
import { HandOut, openField, storeCall, type AccessToken } from './hand-out.ts';
import { guardBeforeSend, guardKeepPair, guardSendMarked } from './guard-steps.ts';
import { settleRefusal, suspectReuse, waitForLease } from './refusal.ts';
import type { Ask, Lease, RefreshStep, SectionDeps } from './section-deps.ts';
import { transientError } from './transient.ts';

export type { AccessToken, RefreshStep, SectionDeps };

/** How long a caller with a still-valid token waits for another process's refresh (ms). */
const PATIENCE_MS = 2_000;

type Sent = { kind: 'sent'; outcome: RefreshOutcome; sentCount: number } | { kind: 'not_sent' };

export class CriticalSection {
  readonly #d: SectionDeps;
  readonly #out: HandOut;
  readonly #flights = new Map<string, Promise<AccessToken>>();
  /** Per account, after a known transient failure: the next try waits until `until`. */
  readonly #backoff = new Map<string, { until: number; failures: number }>();
  /** `account:version` pairs this process sent and has no answer for. */
  readonly #sentHere = new Set<string>();
  #clientRefusedUntil = 0;

  constructor(deps: SectionDeps) {
    this.#d = deps;
    this.#out = new HandOut(deps.db, deps.clock, deps.events, {
      ms: deps.horizonMs,
      warningMs: deps.horizonWarningMs,
    });
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
    this.#out.forget(accountId);
  }

  /**
   * Resolves once every call under way has ended — a refresh already sent with its answer stored
   * or kept — or after `boundMs`, whichever comes first. With {@link SectionDeps.closing} aborted,
   * none sends anew, so each ends within one HTTP deadline and a store write.
   */
  drain(boundMs: number): Promise<void> {
    return settledWithin([...this.#flights.values()], boundMs);
  }

  /** Step 1: a token this process holds, still fresh for this caller. */
  cache(accountId: string, ask: Ask): AccessToken | undefined {
    const c = this.#out.cached(accountId);
    if (!c || !isFresh(this.#facts(c.expiresAt, c.lifetimeMs, ask, c.accessToken))) return undefined;
    return { accountId, accessToken: c.accessToken, expiresAt: c.expiresAt, scope: c.scope };
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
    const patientUntil = this.#d.timer.monotonic() + Math.min(this.#d.leaseWaitMs, PATIENCE_MS);
    let transientTries = 0;
    let known = this.#out.heldVersion(accountId);
    for (;;) {
      // A token this process handed out, now stale for this caller: lease its version straight
      // away (the lease returns the row); moved on, or held elsewhere → read as usual.
      const early = known === undefined ? undefined : await this.leaseKnown(accountId, known);
      known = undefined;
      const row = early?.row ?? (await this.read(accountId));
      const access = openField(this.#d.keyRing, this.#d.events, row, 'access', row.accessCt);
      const lifetimeMs = tokenLifetime(row.accessExpiresAt, row.refreshedAt);
      const facts = this.#facts(row.accessExpiresAt, lifetimeMs, ask, access);
      const decision = decideAfterRead(facts, {
        hasRefreshToken: row.refreshCt !== null,
        sentCount: row.sentCount,
        clientPaused: this.#clientRefusedUntil > this.#d.clock.now(),
        backoffUntil: this.#backoff.get(accountId)?.until ?? 0,
        leased: early ? false : row.leased,
      });
      // The early lease serves only a refresh that goes ahead; otherwise its mark is taken away.
      if (early && (decision.kind !== 'refresh' || this.#d.closing.aborted)) {
        await this.release(early, 'unsent');
      }
      const stored = { accessToken: access, expiresAt: row.accessExpiresAt, scope: row.scope, lifetimeMs };
      switch (decision.kind) {
        case 'hand_out':
          return this.#out.hand(row, stored);
        case 'degrade':
          return this.#out.degrade(row, stored, decision.because);
        case 'client_refused':
          throw clientRefused(accountId, 'X refused Rotor’s client credentials; refreshing is paused');
        case 'needs_user':
          return this.#out.needsUser(row, decision.reason);
        case 'refresh':
          break;
      }
      if (this.#d.closing.aborted) {
        // Closing: no new refresh token goes out (an answer could be cut off by the exit).
        if (isUsable(facts)) return this.#out.degrade(row, stored, 'closing');
        throw new RotorError('refresh_fenced', 'this process is stopping: it sends no new refresh', {
          accountId,
        });
      }
      const lease = early ?? (await this.lease(row));
      if (!lease) {
        // A refresh running elsewhere usually ends within moments: its token is worth a short wait.
        if (isUsable(facts) && this.#d.timer.monotonic() >= patientUntil) {
          return this.#out.degrade(row, stored, 'lease_elsewhere');
        }
        if (isUsable(facts)) {
          await waitForLease(this.#d, accountId, row.version, patientUntil).catch((e: unknown) => {
            if (!isRotorError(e, 'lease_timeout')) throw e;
          });
          continue;
        }
        if (row.sentCount >= MAX_SENDS) {
          throw new RotorError(
            'x_unavailable',
            'X answered neither of the last two refreshes; retrying later',
            {
              accountId,
            },
          );
        }
        await waitForLease(this.#d, accountId, row.version, waitUntil);
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
          await settleRefusal(this.#d, this.#out, lease.row, lease.row.inDoubt);
          continue;
        case 'client_refused':
          await this.release(lease, 'give_back');
          this.#clientRefusedUntil = this.#d.clock.now() + this.#d.invalidClientPauseMs;
          this.#d.events.emit('invalid_client', { providerId: this.#d.provider.id });
          if (isUsable(facts)) return this.#out.degrade(row, stored, 'client_refused');
          throw clientRefused(accountId, clientRefusedText('en', this.#d.provider.clientId));
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
          if (isUsable(facts)) return this.#out.degrade(row, stored, 'refresh_failed');
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
    let row = await storeCall('read the token set', accountId, () => readTokenSet(this.#d.db, accountId));
    if (row && (row.inDoubt || this.#d.kept.has(accountId))) {
      const settled = await storeCall('write the kept rotation', accountId, () =>
        this.#d.kept.settle(accountId, row?.inDoubt ?? false),
      );
      if (settled)
        row = await storeCall('read the token set', accountId, () => readTokenSet(this.#d.db, accountId));
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

  /**
   * Step 4: the account's lease at the version read, or undefined (someone else holds it). With
   * nothing in doubt, the same statement marks the send (write-ahead, step 5's mark): a refresh
   * then costs one round trip fewer.
   */
  async lease(row: Pick<TokenSetRow, 'accountId' | 'version' | 'inDoubt'>): Promise<Lease | undefined> {
    const takenAt = this.#d.timer.monotonic(); // the lease ends no earlier than this + its TTL
    const marked = !row.inDoubt;
    const leased = await storeCall('take the lease', row.accountId, () =>
      acquireLease(
        this.#d.db,
        row.accountId,
        this.#d.holder,
        row.version,
        this.#d.leaseTtlMs,
        this.#d.doubtGraceMs,
        marked,
      ),
    );
    if (!leased) return undefined;
    await this.#d.onStep?.('lease_taken', row.accountId);
    return { row: leased, takenAt, marked };
  }

  /**
   * Step 4 before step 3: the lease at the version this process last handed out, with the send
   * marked, or undefined (the row moved on, is in doubt or leased elsewhere; or a pair is kept for
   * it, which the read writes first). The caller decides on the row it returns, as on a read.
   */
  async leaseKnown(accountId: string, version: number): Promise<Lease | undefined> {
    if (this.#d.kept.has(accountId)) return undefined;
    return this.lease({ accountId, version, inDoubt: false });
  }

  /**
   * Step 5: one token request, only while the lease is safely ours. The send is marked first
   * (write-ahead: with the lease, or here for a lease taken over from a send in doubt). A lease
   * taken over from another holder's unanswered send waits `takeoverSettleMs` first, so that an
   * holder holding X's answer (a long store outage) writes it before the spent token could go out
   * (property 36).
   */
  async refresh(lease: Lease): Promise<Sent> {
    const { row } = lease;
    const { accountId } = row;
    const d = this.#d;
    const unsent: ReleaseHow = lease.marked ? 'unsent' : 'give_back'; // nothing went out
    let refreshToken: string;
    try {
      refreshToken = openField(this.#d.keyRing, this.#d.events, row, 'refresh', row.refreshCt ?? '');
    } catch (e) {
      await this.release(lease, unsent);
      throw e;
    }
    if ((await guardBeforeSend(d, row, () => this.release(lease, unsent))) === 'reread') {
      return { kind: 'not_sent' };
    }
    const key = `${accountId}:${row.version}`;
    if (row.inDoubt && !this.#sentHere.has(key)) await d.timer.sleep(d.takeoverSettleMs);
    if (d.closing.aborted) {
      await this.release(lease, unsent); // the vault closed meanwhile: nothing goes out
      return { kind: 'not_sent' };
    }
    const sentCount = lease.marked
      ? 1
      : await storeCall('mark the refresh as sent', accountId, () =>
          markSent(d.db, accountId, d.holder, row.version, d.httpTimeoutMs),
        );
    if (sentCount === undefined) {
      await this.release(lease, 'give_back'); // not ours any more, or too little of it left
      return { kind: 'not_sent' };
    }
    this.#sentHere.add(key);
    await guardSendMarked(d, row, sentCount);
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
    const rotation = sealedRotation(d.keyRing, row, tokens, expiresAt);
    await guardKeepPair(d, row, rotation);
    const entry = { accountId, fromVersion: row.version, rotation };
    const late = !mayStoreAsOwner(leaseLeft(lease.takenAt, d.leaseTtlMs, d.timer.monotonic()), d.leaseTtlMs);
    if (late) d.kept.keep(entry, 'lease_ran_out'); // property 33: never dropped, whoever holds the lease now
    let version: number | undefined;
    let reuseSuspected = late;
    try {
      if (late) version = await d.kept.apply(entry);
      else {
        version = await storeRotation(d.db, accountId, d.holder, row.version, rotation);
        if (version === undefined) {
          // Our lease was lost. If nobody stored anything since, our pair is X's newest: store it,
          // and flag the account (someone may be sending the old token).
          version = await storeRotation(d.db, accountId, null, row.version, rotation);
          reuseSuspected = true;
        }
      }
    } catch {
      // The store is down after X rotated: keep the pair (once), then write it when it is back.
      if (!late) d.kept.keep(entry, 'store_down');
      d.kept.flushLater(entry);
      version = row.version + 1;
      reuseSuspected = false;
    }
    this.#sentHere.delete(`${accountId}:${row.version}`);
    this.#backoff.delete(accountId);
    await d.onStep?.('stored', accountId);
    if (version === undefined) {
      this.#out.forget(accountId);
      return undefined;
    }
    if (reuseSuspected) await suspectReuse(this.#d, accountId);
    if (!late) d.events.emit('refreshed', { accountId, version, expiresAt });
    return this.#out.hand(
      { ...row, version },
      { accessToken: tokens.accessToken, expiresAt, scope: rotation.scope, lifetimeMs },
    );
  }

  /** Step 8, the one release path ({@link releaseStep}): its failure is reported, not swallowed. */
  release(lease: Lease, how: ReleaseHow): Promise<void> {
    return releaseStep(this.#d, lease, how);
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
}

function clientRefused(accountId: string, message: string): RotorError {
  return new RotorError('invalid_client', message, { accountId });
}
