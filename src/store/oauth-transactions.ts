/**
 * @module Pending authorizations: a state (stored only as its hash) and its PKCE verifier
 * (sealed), for at most ten minutes, taken exactly once.
 */
import type { Queryable } from './db.ts';

export interface TransactionRow {
  verifierCt: string;
  redirectUri: string;
  provider: string;
  ownerId: string | null;
  returnTo: string | null;
}

export async function insertTransaction(
  q: Queryable,
  t: TransactionRow & { stateHash: string; ttlMs: number },
): Promise<void> {
  await q.query('DELETE FROM oauth_transactions WHERE expires_at < now()');
  await q.query(
    `INSERT INTO oauth_transactions (state_hash, verifier_ct, redirect_uri, provider, owner_id, return_to, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond')`,
    [t.stateHash, t.verifierCt, t.redirectUri, t.provider, t.ownerId, t.returnTo, t.ttlMs],
  );
}

/** Takes (deletes and returns) an unexpired transaction: a state works once. */
export async function takeTransaction(q: Queryable, stateHash: string): Promise<TransactionRow | undefined> {
  const result = await q.query<TransactionRow & { live: boolean }>(
    `DELETE FROM oauth_transactions WHERE state_hash = $1
     RETURNING verifier_ct AS "verifierCt", redirect_uri AS "redirectUri", provider, owner_id AS "ownerId",
       return_to AS "returnTo", expires_at > now() AS live`,
    [stateHash],
  );
  const row = result.rows[0];
  return row?.live ? row : undefined;
}
