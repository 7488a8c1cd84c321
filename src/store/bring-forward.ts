/**
 * @module Bringing a restored row forward to the newest pair kept outside the database
 * (`src/vault/newest-pair.ts`): only ever forward (compare on the version), never back.
 */
import type { Queryable } from './db.ts';

/** What the reconciliation needs of a row. */
export interface RowState {
  accountId: string;
  username: string;
  status: string;
  version: number;
  consentedAt: number;
}

export async function readRowStates(q: Queryable): Promise<RowState[]> {
  const result = await q.query<RowState>(
    `SELECT t.account_id::text AS "accountId", a.username, a.status, t.version,
            (extract(epoch FROM a.consented_at) * 1000)::float8 AS "consentedAt"
     FROM token_sets t JOIN accounts a ON a.id = t.account_id`,
  );
  return result.rows;
}

/** A token set as kept outside the database, to bring an older row forward to. */
export interface ForwardPair {
  /** The row version this pair is (or becomes) in the store. */
  version: number;
  /** The grant's consent (epoch ms): tells a reconnection's pairs from the grant before it. */
  consentedAt: number;
  accessCt: string;
  /** Sealed as in `token_sets.refresh_ct` (null: the grant has no refresh token). */
  refreshCt: string | null;
  keyId: string;
  accessExpiresAt: number;
  scope: string;
  /** Epoch ms. */
  keptAt: number;
}

/**
 * Writes the pair over a row that is older (`version` below the pair's), clearing the lease and
 * the in-doubt mark. A pair of a later consent (the backup predates a reconnection) also brings
 * the consent forward and makes the account active again. Returns whether the row moved.
 */
export async function bringForward(q: Queryable, accountId: string, p: ForwardPair): Promise<boolean> {
  const result = await q.query<{ moved: number }>(
    `WITH moved AS (
       UPDATE token_sets SET version = $2, access_ct = $3, refresh_ct = $4, key_id = $5,
         access_expires_at = to_timestamp($6 / 1000.0), scope = $7, lease_owner = NULL, lease_until = NULL,
         sent_version = NULL, refreshed_at = to_timestamp($8 / 1000.0), updated_at = now()
       WHERE account_id = $1 AND version < $2 RETURNING account_id),
     consent AS (
       UPDATE accounts SET consented_at = to_timestamp($9 / 1000.0), status = 'active', reason = NULL,
         updated_at = now()
       WHERE id = $1 AND EXISTS (SELECT 1 FROM moved)
         AND consented_at < to_timestamp($9 / 1000.0) - interval '1 millisecond' RETURNING id)
     SELECT (SELECT count(*) FROM moved)::int + 0 * (SELECT count(*) FROM consent)::int AS moved`,
    [
      accountId,
      p.version,
      p.accessCt,
      p.refreshCt,
      p.keyId,
      p.accessExpiresAt,
      p.scope,
      p.keptAt,
      p.consentedAt,
    ],
  );
  return result.rows[0]?.moved === 1;
}

/**
 * Puts an in-doubt mark kept outside the database back on a row at `version` that lacks it (a
 * restore, or a bring-forward, cleared it): the refresh token of that version went out `sentCount`
 * times with no answer known. Returns whether the row changed.
 */
export async function restoreSentMark(
  q: Queryable,
  accountId: string,
  version: number,
  sentCount: number,
): Promise<boolean> {
  const result = await q.query(
    `UPDATE token_sets SET sent_version = version, sent_count = $3
     WHERE account_id = $1 AND version = $2 AND sent_version IS DISTINCT FROM version
     RETURNING account_id`,
    [accountId, version, Math.max(1, sentCount)],
  );
  return result.rows.length > 0;
}
