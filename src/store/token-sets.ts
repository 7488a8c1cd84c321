/**
 * @module The refresh critical section's SQL: read, take the lease, store a rotation
 * (compare-and-swap on the version, and on the holder unless a journaled pair is being written
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
  leaseHolder: string | null;
  /** Whether someone holds an unexpired lease, by the database clock. */
  leased: boolean;
  /** The refresh token of this version was sent and its answer is unknown. */
  inDoubt: boolean;
  /** How many times the refresh token of this version was sent with no answer known (0 when not in doubt). */
  sentCount: number;
  reuseSuspected: boolean;
  refreshedAt: number | null;
}

const IN_DOUBT = '(t.sent_version IS NOT NULL AND t.sent_version = t.version)';

/**
 * The row's columns; `leased` differs between a plain read and the lease's RETURNING, `inDoubt`
 * for a lease that marked the send itself (the row as it was: nothing in doubt).
 */
const rowColumns = (
  leased: string,
  inDoubt = IN_DOUBT,
) => `t.account_id AS "accountId", a.username, a.status, a.reason,
       (extract(epoch FROM a.consented_at) * 1000)::float8 AS "consentedAt",
       t.version, t.access_ct AS "accessCt", t.refresh_ct AS "refreshCt", t.key_id AS "keyId",
       (extract(epoch FROM t.access_expires_at) * 1000)::float8 AS "accessExpiresAt", t.scope,
       t.lease_owner AS "leaseHolder", ${leased} AS leased, ${inDoubt} AS "inDoubt",
       CASE WHEN ${inDoubt} THEN t.sent_count ELSE 0 END AS "sentCount",
       t.reuse_suspected AS "reuseSuspected",
       (extract(epoch FROM t.refreshed_at) * 1000)::float8 AS "refreshedAt"`;

const READ_COLUMNS = rowColumns('(t.lease_owner IS NOT NULL AND t.lease_until > now())');
const LEASED_COLUMNS = rowColumns('true');
const MARKED_COLUMNS = rowColumns('true', 'false');

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
 * never taken, or expired. Nobody retakes an unexpired lease, its holder included (after an
 * unknown outcome the holder keeps it against itself too). A lease left **in doubt** (a refresh
 * sent, no answer known) is taken over by another holder only `doubtGraceMs` after it expired, so
 * that a holder who got X's answer during a store outage can write it first. Returns the row as it
 * is now (the re-read after acquiring, in the same statement), or undefined.
 *
 * `markSend`: the lease also sets the write-ahead mark of {@link markSent} (sent once), in the same
 * statement — one round trip fewer on every refresh. Only for a row with nothing in doubt (an
 * in-doubt row is not taken this way: undefined); the row returned is the row as it was before the
 * mark. Without it, taking the lease marks nothing: {@link markSent} does, where a refresh is sent.
 */
export async function acquireLease(
  q: Queryable,
  accountId: string,
  holder: string,
  version: number,
  ttlMs: number,
  doubtGraceMs = 0,
  markSend = false,
): Promise<TokenSetRow | undefined> {
  const mark = markSend ? ', sent_count = 1, sent_version = t.version' : '';
  const result = await q.query<TokenSetRow>(
    `UPDATE token_sets t SET lease_owner = $2, lease_until = now() + $4 * interval '1 millisecond'${mark}
     FROM accounts a
     WHERE t.account_id = $1 AND a.id = t.account_id AND a.status = 'active' AND t.version = $3
       AND (t.lease_owner IS NULL
            OR (t.lease_until <= now() AND (t.lease_owner = $2 OR NOT ${IN_DOUBT}
                                            OR t.lease_until <= now() - $5 * interval '1 millisecond')))
       ${markSend ? `AND NOT ${IN_DOUBT}` : ''}
     RETURNING ${markSend ? MARKED_COLUMNS : LEASED_COLUMNS}`,
    [accountId, holder, version, ttlMs, doubtGraceMs],
  );
  return result.rows[0];
}

/**
 * Write-ahead mark, right before a refresh token goes out: this version's token is sent, its
 * answer unknown until stored (a crash after this leaves the trace the next holder reads as
 * "outcome unknown"; a send after the cool-down of two unanswered ones counts from 1 again). Only if this holder holds the lease at `version` with more than
 * `minRemainingMs` of it left by the database clock. Returns how many times this version's token
 * has now been sent, or undefined (the lease is not safely ours: send nothing).
 */
export async function markSent(
  q: Queryable,
  accountId: string,
  holder: string,
  version: number,
  minRemainingMs: number,
): Promise<number | undefined> {
  const result = await q.query<{ sentCount: number }>(
    `UPDATE token_sets t SET sent_count = CASE WHEN ${IN_DOUBT} AND t.sent_count < 2 THEN t.sent_count + 1
                                          ELSE 1 END,
       sent_version = t.version
     WHERE t.account_id = $1 AND t.lease_owner = $2 AND t.version = $3
       AND t.lease_until > now() + $4 * interval '1 millisecond'
     RETURNING t.sent_count AS "sentCount"`,
    [accountId, holder, version, minRemainingMs],
  );
  return result.rows[0]?.sentCount;
}

/**
 * Keeps the lease (this holder's) for `ms` more, with the in-doubt mark: after a refresh whose
 * outcome is unknown, nobody — this process included — sends that refresh token again before the
 * first request has surely ended at X.
 */
export async function holdLease(q: Queryable, accountId: string, holder: string, ms: number): Promise<void> {
  await q.query(
    `UPDATE token_sets SET lease_until = now() + $3 * interval '1 millisecond'
     WHERE account_id = $1 AND lease_owner = $2`,
    [accountId, holder, ms],
  );
}

/**
 * Undoes {@link markSent} for a send that was marked but never made (the lease ran out before the
 * bytes went out), and gives the lease back — only if this holder still holds it at `version`.
 */
export async function unmarkSent(
  q: Queryable,
  accountId: string,
  holder: string,
  version: number,
): Promise<void> {
  await q.query(
    `UPDATE token_sets t SET sent_count = GREATEST(0, t.sent_count - 1),
       sent_version = CASE WHEN t.sent_count > 1 THEN t.sent_version ELSE NULL END,
       lease_owner = NULL, lease_until = NULL
     WHERE t.account_id = $1 AND t.lease_owner = $2 AND t.version = $3 AND ${IN_DOUBT}`,
    [accountId, holder, version],
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
  holder: string | null,
  fromVersion: number,
  r: Rotation,
): Promise<number | undefined> {
  const result = await q.query<{ version: number }>(
    `UPDATE token_sets SET version = version + 1, access_ct = $4, refresh_ct = COALESCE($5, refresh_ct),
       key_id = $6, access_expires_at = to_timestamp($7 / 1000.0), scope = $8,
       lease_owner = NULL, lease_until = NULL, sent_version = NULL, sent_count = 0, refreshed_at = now(),
       updated_at = now()
     WHERE account_id = $1 AND version = $3 AND ($2::text IS NULL OR lease_owner = $2)
     RETURNING version`,
    [accountId, holder, fromVersion, r.accessCt, r.refreshCt, r.keyId, r.accessExpiresAt, r.scope],
  );
  return result.rows[0]?.version;
}

/**
 * The same secrets under another key (key rotation): replaced only while the row is still at
 * `version` with exactly the ciphertexts read (compare-and-swap). The version stays, so a refresh
 * holding the lease still stores its new pair. False: the row changed meanwhile; read it again.
 */
export async function resealTokenSet(
  q: Queryable,
  row: { accountId: string; version: number; accessCt: string; refreshCt: string | null },
  sealed: { accessCt: string; refreshCt: string | null; keyId: string },
): Promise<boolean> {
  const r = await q.query(
    `UPDATE token_sets SET access_ct = $4, refresh_ct = $5, key_id = $6
     WHERE account_id = $1 AND version = $2 AND access_ct = $3 AND refresh_ct IS NOT DISTINCT FROM $7
     RETURNING 1`,
    [
      row.accountId,
      row.version,
      row.accessCt,
      sealed.accessCt,
      sealed.refreshCt,
      sealed.keyId,
      row.refreshCt,
    ],
  );
  return r.rows.length === 1;
}

/**
 * Gives the lease back (only if this process owns it). `keepDoubt`: the refresh token was sent
 * and no answer is known, so the next holder must treat a rejection as a lost response.
 */
export async function releaseLease(
  q: Queryable,
  accountId: string,
  holder: string,
  keepDoubt: boolean,
): Promise<void> {
  await q.query(
    `UPDATE token_sets SET lease_owner = NULL, lease_until = NULL,
       sent_version = CASE WHEN $3 THEN sent_version ELSE NULL END,
       sent_count = CASE WHEN $3 THEN sent_count ELSE 0 END
     WHERE account_id = $1 AND lease_owner = $2`,
    [accountId, holder, keepDoubt],
  );
}

/** What a waiter needs: the row's version, and in how long `holder` could take its lease. */
export interface LeaseState {
  version: number;
  /** 0 when the lease is free for `holder` now (an in-doubt lease: for another holder, after the grace). */
  takeableInMs: number;
}

/** The version and lease of a row, for waiters (one query). */
export async function readLeaseState(
  q: Queryable,
  accountId: string,
  holder: string,
  doubtGraceMs: number,
): Promise<LeaseState | undefined> {
  const result = await q.query<LeaseState>(
    `SELECT t.version, GREATEST(0, CASE
         WHEN t.lease_owner IS NULL THEN 0
         WHEN t.lease_owner = $2 OR NOT ${IN_DOUBT} THEN extract(epoch FROM t.lease_until - now()) * 1000
         ELSE extract(epoch FROM t.lease_until - now()) * 1000 + $3 END)::float8 AS "takeableInMs"
     FROM token_sets t WHERE t.account_id = $1`,
    [accountId, holder, doubtGraceMs],
  );
  return result.rows[0];
}

export async function markReuseSuspected(q: Queryable, accountId: string): Promise<void> {
  await q.query('UPDATE token_sets SET reuse_suspected = true WHERE account_id = $1', [accountId]);
}
