/**
 * @module The refresh critical section's SQL: read, take the lease, store a rotation
 * (compare-and-swap on the version, and on the owner unless a journaled pair is being written
 * after a restart), release. Lease times come from the
 * database clock (`now()`), so machines with skewed clocks still agree.
 */
import type { Queryable } from './db.ts';
import type { AccountStatus, ReauthReason } from './accounts.ts';

export interface TokenSetRow {
  accountId: string;
  username: string;
  status: AccountStatus;
  reason: ReauthReason | null;
  consentedAt: number;
  version: number;
  accessCt: string;
  refreshCt: string | null;
  keyId: string;
  accessExpiresAt: number;
  scope: string;
  leaseOwner: string | null;
  /** Whether someone holds an unexpired lease, by the database clock. */
  leased: boolean;
  /** The refresh token of this version was sent and its answer is unknown. */
  inDoubt: boolean;
  reuseSuspected: boolean;
  refreshedAt: number | null;
}

/** The row's columns; `inDoubt` and `leased` differ between a plain read and the lease's RETURNING. */
const rowColumns = (
  inDoubt: string,
  leased: string,
) => `t.account_id AS "accountId", a.username, a.status, a.reason,
       (extract(epoch FROM a.consented_at) * 1000)::float8 AS "consentedAt",
       t.version, t.access_ct AS "accessCt", t.refresh_ct AS "refreshCt", t.key_id AS "keyId",
       (extract(epoch FROM t.access_expires_at) * 1000)::float8 AS "accessExpiresAt", t.scope,
       t.lease_owner AS "leaseOwner", ${leased} AS leased, ${inDoubt} AS "inDoubt",
       t.reuse_suspected AS "reuseSuspected",
       (extract(epoch FROM t.refreshed_at) * 1000)::float8 AS "refreshedAt"`;

const READ_COLUMNS = rowColumns(
  '(t.sent_version IS NOT NULL AND t.sent_version = t.version)',
  '(t.lease_owner IS NOT NULL AND t.lease_until > now())',
);
const LEASED_COLUMNS = rowColumns(
  '(prev.sent_version IS NOT NULL AND prev.sent_version = t.version)',
  'true',
);

export async function readTokenSet(q: Queryable, accountId: string): Promise<TokenSetRow | undefined> {
  const result = await q.query<TokenSetRow>(
    `SELECT ${READ_COLUMNS}
     FROM token_sets t JOIN accounts a ON a.id = t.account_id WHERE t.account_id = $1`,
    [accountId],
  );
  return result.rows[0];
}

/**
 * Takes the lease if the row is still at `version`, the account is active and the lease is free:
 * never taken, expired, or this owner's own. A lease its owner left **in doubt** (a refresh sent,
 * no answer known) is taken over by another owner only `doubtGraceMs` after it expired, so that an
 * owner who got X's answer during a store outage can write it first. Returns the row as it is now
 * (the re-read after acquiring, in the same statement). Marks the refresh as sent-in-doubt at once
 * (write-ahead): a crash after this leaves a trace that the next owner reads as "outcome unknown".
 * Undefined when the lease was not taken.
 */
export async function acquireLease(
  q: Queryable,
  accountId: string,
  owner: string,
  version: number,
  ttlMs: number,
  doubtGraceMs = 0,
): Promise<TokenSetRow | undefined> {
  const result = await q.query<TokenSetRow>(
    `WITH prev AS (SELECT sent_version FROM token_sets WHERE account_id = $1 FOR UPDATE)
     UPDATE token_sets t SET lease_owner = $2, lease_until = now() + $4 * interval '1 millisecond',
       sent_version = t.version
     FROM prev, accounts a
     WHERE t.account_id = $1 AND a.id = t.account_id AND a.status = 'active' AND t.version = $3
       AND (t.lease_owner IS NULL OR t.lease_owner = $2
            OR (t.lease_until <= now() AND (t.sent_version IS DISTINCT FROM t.version
                                            OR t.lease_until <= now() - $5 * interval '1 millisecond')))
     RETURNING ${LEASED_COLUMNS}`,
    [accountId, owner, version, ttlMs, doubtGraceMs],
  );
  return result.rows[0];
}

/**
 * Keeps the lease (this owner's) for `ms` more, with the in-doubt mark: after a refresh whose
 * outcome is unknown, nobody — this process included — sends that refresh token again before the
 * first request has surely ended at X.
 */
export async function holdLease(q: Queryable, accountId: string, owner: string, ms: number): Promise<void> {
  await q.query(
    `UPDATE token_sets SET lease_until = now() + $3 * interval '1 millisecond'
     WHERE account_id = $1 AND lease_owner = $2`,
    [accountId, owner, ms],
  );
}

/** A rotation to store: new ciphertexts, bound to the account. */
export interface Rotation {
  accessCt: string;
  /** Null when the server sent no new refresh token: the current one stays. */
  refreshCt: string | null;
  keyId: string;
  accessExpiresAt: number;
  scope: string;
}

/**
 * Stores a rotation if this process still owns the lease and the row is still at `fromVersion`
 * (compare-and-swap). Clears the lease and the in-doubt mark. Returns the new version, or undefined.
 */
export async function storeRotation(
  q: Queryable,
  accountId: string,
  owner: string | null,
  fromVersion: number,
  r: Rotation,
): Promise<number | undefined> {
  const result = await q.query<{ version: number }>(
    `UPDATE token_sets SET version = version + 1, access_ct = $4, refresh_ct = COALESCE($5, refresh_ct),
       key_id = $6, access_expires_at = to_timestamp($7 / 1000.0), scope = $8,
       lease_owner = NULL, lease_until = NULL, sent_version = NULL, refreshed_at = now(), updated_at = now()
     WHERE account_id = $1 AND version = $3 AND ($2::text IS NULL OR lease_owner = $2)
     RETURNING version`,
    [accountId, owner, fromVersion, r.accessCt, r.refreshCt, r.keyId, r.accessExpiresAt, r.scope],
  );
  return result.rows[0]?.version;
}

/**
 * Gives the lease back (only if this process owns it). `keepDoubt`: the refresh token was sent
 * and no answer is known, so the next owner must treat a rejection as a lost response.
 */
export async function releaseLease(
  q: Queryable,
  accountId: string,
  owner: string,
  keepDoubt: boolean,
): Promise<void> {
  await q.query(
    `UPDATE token_sets SET lease_owner = NULL, lease_until = NULL,
       sent_version = CASE WHEN $3 THEN sent_version ELSE NULL END
     WHERE account_id = $1 AND lease_owner = $2`,
    [accountId, owner, keepDoubt],
  );
}

/** The version and lease of a row, for waiters. */
export async function readVersion(
  q: Queryable,
  accountId: string,
): Promise<{ version: number; leased: boolean } | undefined> {
  const result = await q.query<{ version: number; leased: boolean }>(
    `SELECT version, (lease_owner IS NOT NULL AND lease_until > now()) AS leased FROM token_sets WHERE account_id = $1`,
    [accountId],
  );
  return result.rows[0];
}

export async function markReuseSuspected(q: Queryable, accountId: string): Promise<void> {
  await q.query('UPDATE token_sets SET reuse_suspected = true WHERE account_id = $1', [accountId]);
}
