/**
 * @module Pending authorizations: a state (stored only as its hash) and its PKCE verifier
 * (sealed), for at most ten minutes, taken exactly once. One started in a browser also keeps
 * the hash of that browser's nonce and its mode (property 38): only that browser can take it.
 */
import type { Queryable } from './db.ts';

/** How a browser started an authorization: sign in, connect an account, or cookie mode. */
export type AuthorizationMode = 'signin' | 'connect' | 'cookie';

export interface TransactionRow {
  verifierCt: string;
  redirectUri: string;
  provider: string;
  ownerId: string | null;
  returnTo: string | null;
  /** Null when started outside a browser. */
  mode: AuthorizationMode | null;
}

export async function insertTransaction(
  q: Queryable,
  t: Omit<TransactionRow, 'mode'> & {
    mode?: AuthorizationMode | null;
    stateHash: string;
    browserHash?: string | null;
    ttlMs: number;
  },
): Promise<void> {
  await q.query('DELETE FROM oauth_transactions WHERE expires_at < now()');
  await q.query(
    `INSERT INTO oauth_transactions (state_hash, verifier_ct, redirect_uri, provider, owner_id, return_to,
       mode, browser_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + $9 * interval '1 millisecond')`,
    [
      t.stateHash,
      t.verifierCt,
      t.redirectUri,
      t.provider,
      t.ownerId,
      t.returnTo,
      t.mode ?? null,
      t.browserHash ?? null,
      t.ttlMs,
    ],
  );
}

/**
 * Takes (deletes and returns) an unexpired transaction: a state works once. `browserHash` must
 * be the one it was started with (null: started outside a browser); a wrong one takes nothing,
 * so someone else's attempt does not burn the rightful browser's state.
 */
export async function takeTransaction(
  q: Queryable,
  stateHash: string,
  browserHash: string | null = null,
): Promise<TransactionRow | undefined> {
  const result = await q.query<TransactionRow & { live: boolean }>(
    `DELETE FROM oauth_transactions WHERE state_hash = $1 AND browser_hash IS NOT DISTINCT FROM $2
     RETURNING verifier_ct AS "verifierCt", redirect_uri AS "redirectUri", provider, owner_id AS "ownerId",
       return_to AS "returnTo", mode, expires_at > now() AS live`,
    [stateHash, browserHash],
  );
  const row = result.rows[0];
  return row?.live ? row : undefined;
}
