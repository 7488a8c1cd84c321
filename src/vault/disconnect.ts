/**
 * @module Disconnecting (property 18): revoke the tokens at X (RFC 7009), then delete the local
 * ciphertexts whatever X answered.
 */
import { open } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import { revokeToken } from '../oauth/token-client.ts';
import type { Db } from '../store/db.ts';
import { deleteAccount } from '../store/accounts.ts';
import { readTokenSet } from '../store/token-sets.ts';

export interface DisconnectResult {
  /** Whether X confirmed the revocation. */
  revokedAtX: boolean;
  deleted: boolean;
}

export async function disconnectAccount(
  o: { db: Db; provider: OAuthProvider; keyRing: KeyRing; fetch?: FetchLike },
  accountId: string,
): Promise<DisconnectResult> {
  const row = await readTokenSet(o.db, accountId);
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
        const token = open(o.keyRing, ct, { table: 'token_sets', row: accountId, field });
        revokedAtX = (await revokeToken(o.provider, token, hint, opts)) || revokedAtX;
      } catch {
        // undecryptable: cannot be revoked; deleted below all the same
      }
    }
  }
  return { revokedAtX, deleted: await deleteAccount(o.db, accountId) };
}
