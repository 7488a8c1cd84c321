/**
 * @module Where the sealed values are, by key: what key rotation (src/ops/key-rotation.ts) and
 * `rotor doctor` read, and the compare-and-swap that rewrites a pending authorization's verifier.
 * Sealed columns: `token_sets.access_ct`/`refresh_ct` and `oauth_transactions.verifier_ct`; the key
 * id is a ciphertext's second dot-part. (A token set is rewritten by `resealTokenSet`, token-sets.ts.)
 */
import type { Queryable } from './db.ts';

/** A token set's ciphertexts, as key rotation reads them. */
export interface SealedTokenSet {
  accountId: string;
  username: string;
  version: number;
  accessCt: string;
  refreshCt: string | null;
}

const SEALED_TOKEN_SET = `SELECT t.account_id AS "accountId", a.username, t.version, t.access_ct AS "accessCt",
  t.refresh_ct AS "refreshCt" FROM token_sets t JOIN accounts a ON a.id = t.account_id`;

/** A token set with a ciphertext under another key than $1. */
const notUnder = (t = '') =>
  `(split_part(${t}access_ct, '.', 2) <> $1 OR split_part(coalesce(${t}refresh_ct, ''), '.', 2) NOT IN ('', $1))`;

/** How many ciphertexts each key seals, across every sealed column (live authorizations only). */
export async function countByKey(q: Queryable): Promise<{ keyId: string; n: number }[]> {
  const r = await q.query<{ keyId: string; n: number }>(
    `SELECT key_id AS "keyId", count(*)::int AS n FROM (
       SELECT split_part(access_ct, '.', 2) AS key_id FROM token_sets
       UNION ALL SELECT split_part(refresh_ct, '.', 2) FROM token_sets WHERE refresh_ct IS NOT NULL
       UNION ALL SELECT split_part(verifier_ct, '.', 2) FROM oauth_transactions WHERE expires_at > now()
     ) k GROUP BY key_id ORDER BY key_id`,
  );
  return r.rows;
}

/** An expired authorization is useless and only pins its key. */
export async function deleteExpiredTransactions(q: Queryable): Promise<void> {
  await q.query('DELETE FROM oauth_transactions WHERE expires_at < now()');
}

/** How many token sets, and how many authorizations, hold a ciphertext under another key than `keyId`. */
export async function countNotUnder(
  q: Queryable,
  keyId: string,
): Promise<{ tokenSets: number; transactions: number }> {
  const t = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM token_sets WHERE ${notUnder()}`, [
    keyId,
  ]);
  const x = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM oauth_transactions WHERE split_part(verifier_ct, '.', 2) <> $1`,
    [keyId],
  );
  return { tokenSets: t.rows[0]?.n ?? 0, transactions: x.rows[0]?.n ?? 0 };
}

/** Up to `limit` token sets not all under `keyId`, after account `after`, in account order. */
export async function tokenSetsNotUnder(
  q: Queryable,
  keyId: string,
  after: string,
  limit: number,
): Promise<SealedTokenSet[]> {
  const r = await q.query<SealedTokenSet>(
    `${SEALED_TOKEN_SET} WHERE t.account_id > $2 AND ${notUnder('t.')} ORDER BY t.account_id LIMIT $3`,
    [keyId, after, limit],
  );
  return r.rows;
}

/** One account's token set, as key rotation reads it. */
export async function readSealedTokenSet(
  q: Queryable,
  accountId: string,
): Promise<SealedTokenSet | undefined> {
  return (await q.query<SealedTokenSet>(`${SEALED_TOKEN_SET} WHERE t.account_id = $1`, [accountId])).rows[0];
}

/** One token set with its access token sealed under `keyId` (does the key in the ring open it?). */
export async function oneAccessSealedWith(
  q: Queryable,
  keyId: string,
): Promise<{ accountId: string; accessCt: string } | undefined> {
  const r = await q.query<{ accountId: string; accessCt: string }>(
    `SELECT account_id AS "accountId", access_ct AS "accessCt" FROM token_sets
     WHERE split_part(access_ct, '.', 2) = $1 LIMIT 1`,
    [keyId],
  );
  return r.rows[0];
}

/** Pending authorizations whose verifier is under another key than `keyId`. */
export async function transactionsNotUnder(
  q: Queryable,
  keyId: string,
): Promise<{ stateHash: string; verifierCt: string }[]> {
  const r = await q.query<{ stateHash: string; verifierCt: string }>(
    `SELECT state_hash AS "stateHash", verifier_ct AS "verifierCt" FROM oauth_transactions
     WHERE split_part(verifier_ct, '.', 2) <> $1`,
    [keyId],
  );
  return r.rows;
}

/** Replaces a verifier still at `fromCt`; false when the authorization was taken (used) meanwhile. */
export async function resealTransaction(
  q: Queryable,
  stateHash: string,
  fromCt: string,
  toCt: string,
): Promise<boolean> {
  const r = await q.query(
    'UPDATE oauth_transactions SET verifier_ct = $3 WHERE state_hash = $1 AND verifier_ct = $2 RETURNING 1',
    [stateHash, fromCt, toCt],
  );
  return r.rows.length === 1;
}
