/**
 * @module Disconnecting (property 18): hold the account's refresh lease, revoke the tokens at X
 * (RFC 7009), then delete the local ciphertexts whatever X answered.
 */
import { open } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding } from '../crypto/token-binding.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import { revokeToken } from '../oauth/token-client.ts';
import type { Db } from '../store/db.ts';
import { deleteAccount } from '../store/accounts.ts';
import { acquireLease, readTokenSet, type TokenSetRow } from '../store/token-sets.ts';
import { randomBytes } from 'node:crypto';
import type { VaultEvents } from './events.ts';
import { pollUntil } from '../core/poll.ts';

export interface DisconnectResult {
  /** Whether X confirmed the revocation. */
  revokedAtX: boolean;
  deleted: boolean;
}

/**
 * Takes the account's refresh lease first, so that no refresh running elsewhere mints a pair
 * this would not revoke; waits up to `leaseWaitMs` for a running one to finish (then proceeds).
 */
async function quiesce(db: Db, accountId: string, leaseWaitMs: number): Promise<TokenSetRow | undefined> {
  const holder = `disconnect:${process.pid}:${randomBytes(4).toString('hex')}`;
  const quiet = await pollUntil(
    async () => {
      const row = await readTokenSet(db, accountId);
      if (!row || row.status !== 'active') return { row }; // nothing refreshes an inactive account
      const leased = await acquireLease(db, accountId, holder, row.version, leaseWaitMs + 60_000, 0);
      return leased ? { row: leased } : undefined;
    },
    { timeoutMs: leaseWaitMs, stepMs: 100 },
  );
  return quiet ? quiet.row : readTokenSet(db, accountId);
}

export async function disconnectAccount(
  o: {
    db: Db;
    provider: OAuthProvider;
    keyRing: KeyRing;
    fetch?: FetchLike;
    leaseWaitMs?: number;
    /** Told `disconnected` (audit log). */
    events?: VaultEvents;
  },
  accountId: string,
): Promise<DisconnectResult> {
  const row = await quiesce(o.db, accountId, o.leaseWaitMs ?? 40_000);
  let revokedAtX = false;
  if (row) {
    const opts = o.fetch ? { fetch: o.fetch } : {};
    // Each token on its own: one that does not decrypt must not stop the other's revocation.
    for (const [field, hint] of [
      ['refresh', 'refresh_token'],
      ['access', 'access_token'],
    ] as const) {
      const ct = field === 'refresh' ? row.refreshCt : row.accessCt;
      if (!ct) continue;
      try {
        const token = open(o.keyRing, ct, tokenBinding(accountId, field));
        revokedAtX = (await revokeToken(o.provider, token, hint, opts)) || revokedAtX;
      } catch {
        // undecryptable: cannot be revoked; deleted below all the same
      }
    }
  }
  const deleted = await deleteAccount(o.db, accountId);
  if (deleted) o.events?.emit('disconnected', { accountId, username: row?.username ?? '', revokedAtX });
  return { revokedAtX, deleted };
}
