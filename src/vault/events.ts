/**
 * @module What the vault tells the rest of Rotor: a refresh stored, an account that needs its
 * user (with the reason), a grant nearing its ~6-month end, a suspected reuse, and X refusing
 * Rotor's client. Listeners must not throw; their errors are swallowed.
 */
import type { ReauthReason } from '../core/errors.ts';

export interface VaultEventMap {
  refreshed: { accountId: string; version: number; expiresAt: number };
  reauth_required: { accountId: string; username: string; reason: ReauthReason };
  horizon_approaching: { accountId: string; username: string; endsAt: number };
  reuse_suspected: { accountId: string };
  invalid_client: { providerId: string };
  /** A refresh that ended without a decision (5xx, 429, timeout, …). */
  refresh_failed: { accountId: string; code: string; outcomeUnknown: boolean };
  /** Every refresh sent to X, once answered (or not): what came of it and how long X took. */
  refresh_done: {
    accountId: string;
    outcome: 'rotated' | 'rejected' | 'invalid_client' | 'transient' | 'lost_race';
    durationMs: number;
  };
  /**
   * A token that wanted refreshing was handed out as it is, still valid, because no refresh could
   * happen now (property 35): the refresh problem, reported while work goes on.
   */
  refresh_degraded: { accountId: string; because: string; expiresAt: number };
  /** Giving a lease back failed (the store is down): it ends on its own at its expiry. */
  release_failed: { accountId: string; message: string };
  /**
   * A pair X gave is kept (memory and journal) to be written later: the store was down, or the
   * lease ran out before it could be stored (a frozen process).
   */
  pair_kept: { accountId: string; why: 'store_down' | 'lease_ran_out' };
  /** The journal could not be written: the pair X gave is kept in this process's memory only. */
  journal_failed: { accountId: string; message: string };
  /** A caller waited for another process's refresh of the same account. */
  lease_waited: { accountId: string; durationMs: number };
  /** A stored token did not decrypt (a key missing from ROTOR_KEYS, a wrong key, or tampering). */
  decryption_failed: { accountId: string; username: string };
  /** An account was connected (or reconnected). */
  connected: { accountId: string; username: string; ownerId: string };
  /** An account was disconnected: its tokens revoked at X (if X confirmed) and deleted. */
  disconnected: { accountId: string; username: string; revokedAtX: boolean };
}

/** A listener of one vault event. */
export type Listener<K extends keyof VaultEventMap> = (event: VaultEventMap[K]) => void;

export class VaultEvents {
  readonly #listeners = new Map<keyof VaultEventMap, Set<Listener<never>>>();

  on<K extends keyof VaultEventMap>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof VaultEventMap>(name: K, event: VaultEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch {
        // A listener's failure must never break a refresh.
      }
    }
  }
}
