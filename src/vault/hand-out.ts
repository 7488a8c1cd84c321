/**
 * @module What a caller of the vault is given, and the small I/O helpers of the critical section
 * (`critical-section.ts`): a token handed out (cached, with the horizon warning), a still-valid
 * token handed out while no refresh can happen (degraded, property 35), an account marked as
 * needing its user, a store call whose failure is `store_unavailable`, a token field decrypted.
 */
import type { Clock } from '../core/clock.ts';
import { RotorError, type ReauthReason } from '../core/errors.ts';
import { DecryptionError, open } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding } from '../crypto/token-binding.ts';
import { markReauthRequired } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import type { TokenSetRow } from '../store/token-sets.ts';
import type { DegradeCause } from './decisions.ts';
import type { VaultEvents } from './events.ts';

/** A valid access token, as handed out. */
export interface AccessToken {
  accountId: string;
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
}

/** A token as this process holds it. */
export interface HeldToken {
  accessToken: string;
  expiresAt: number;
  scope: string;
  lifetimeMs: number;
}

export class HandOut {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #events: VaultEvents;
  readonly #horizon: { ms: number; warningMs: number };
  readonly #cache = new Map<string, { token: HeldToken; version: number }>();
  readonly #warned = new Set<string>();

  constructor(db: Db, clock: Clock, events: VaultEvents, horizon: { ms: number; warningMs: number }) {
    this.#db = db;
    this.#clock = clock;
    this.#events = events;
    this.#horizon = horizon;
  }

  cached(accountId: string): HeldToken | undefined {
    return this.#cache.get(accountId)?.token;
  }

  /** The row version the token held for `accountId` was handed out at. */
  heldVersion(accountId: string): number | undefined {
    return this.#cache.get(accountId)?.version;
  }

  forget(accountId?: string): void {
    if (accountId === undefined) this.#cache.clear();
    else this.#cache.delete(accountId);
  }

  /** Hands a token out (and keeps it); warns once when the grant nears its ~6-month end. */
  hand(row: TokenSetRow, t: HeldToken): AccessToken {
    this.#cache.set(row.accountId, { token: t, version: row.version });
    const endsAt = row.consentedAt + this.#horizon.ms;
    if (endsAt - this.#clock.now() <= this.#horizon.warningMs && !this.#warned.has(row.accountId)) {
      this.#warned.add(row.accountId);
      this.#events.emit('horizon_approaching', { accountId: row.accountId, username: row.username, endsAt });
    }
    return strip(row.accountId, t);
  }

  /** The stored token, still valid, handed out while its refresh cannot happen (property 35). */
  degrade(row: TokenSetRow, t: HeldToken, because: DegradeCause): AccessToken {
    this.#events.emit('refresh_degraded', { accountId: row.accountId, because, expiresAt: t.expiresAt });
    return strip(row.accountId, t);
  }

  /** Marks the account as needing its user (told once) and throws `reauth_required`. */
  async needsUser(row: TokenSetRow, reason: ReauthReason): Promise<never> {
    const { accountId } = row;
    this.#cache.delete(accountId);
    const changed = await storeCall('mark the account', accountId, () =>
      markReauthRequired(this.#db, accountId, reason),
    );
    if (changed) this.#events.emit('reauth_required', { accountId, username: row.username, reason });
    throw new RotorError('reauth_required', `@${row.username} needs to be connected again (${reason})`, {
      accountId,
      reason,
    });
  }
}

/** A store call; any failure that is not already a Rotor error is `store_unavailable`. */
export async function storeCall<T>(what: string, accountId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RotorError) throw e;
    throw new RotorError('store_unavailable', `the database could not ${what}`, { accountId, cause: e });
  }
}

/** Decrypts a token field of the row; a failure is the `decryption_failed` event and error. */
export function openField(
  ring: KeyRing,
  events: VaultEvents,
  row: TokenSetRow,
  field: 'access' | 'refresh',
  ct: string,
): string {
  try {
    return open(ring, ct, tokenBinding(row.accountId, field));
  } catch (e) {
    if (!(e instanceof DecryptionError)) throw e;
    events.emit('decryption_failed', { accountId: row.accountId, username: row.username });
    throw new RotorError(
      'decryption_failed',
      `the stored tokens of @${row.username} could not be decrypted`,
      {
        accountId: row.accountId,
      },
    );
  }
}

function strip(accountId: string, t: HeldToken): AccessToken {
  return { accountId, accessToken: t.accessToken, expiresAt: t.expiresAt, scope: t.scope };
}
