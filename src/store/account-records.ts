/**
 * @module Accounts as they move between stores (`rotor vault export` / `import`, src/vault/export.ts):
 * each with its user and its token set, ciphertexts as stored (bound to their account and field).
 */
import type { Queryable } from './db.ts';

/** One account as it moves: its user, the account and its token set (ciphertexts as stored). */
export interface AccountRecord {
  user: { id: string; provider: string; subject: string; username: string; createdAt: string };
  account: {
    id: string;
    provider: string;
    subject: string;
    username: string;
    displayName: string | null;
    status: string;
    reason: string | null;
    consentedAt: string;
    createdAt: string;
  };
  tokenSet: {
    version: number;
    accessCt: string;
    refreshCt: string | null;
    keyId: string;
    accessExpiresAt: string;
    scope: string;
    reuseSuspected: boolean;
    refreshedAt: string | null;
  };
}

/** Every account with its user and token set, oldest first. */
export async function readAccountRecords(q: Queryable): Promise<AccountRecord[]> {
  const result = await q.query<{ r: AccountRecord }>(
    `SELECT json_build_object(
       'user', json_build_object('id', u.id, 'provider', u.provider, 'subject', u.subject,
                                 'username', u.username, 'createdAt', u.created_at),
       'account', json_build_object('id', a.id, 'provider', a.provider, 'subject', a.subject,
                                    'username', a.username, 'displayName', a.display_name,
                                    'status', a.status, 'reason', a.reason,
                                    'consentedAt', a.consented_at, 'createdAt', a.created_at),
       'tokenSet', json_build_object('version', t.version, 'accessCt', t.access_ct,
                                     'refreshCt', t.refresh_ct, 'keyId', t.key_id,
                                     'accessExpiresAt', t.access_expires_at, 'scope', t.scope,
                                     'reuseSuspected', t.reuse_suspected, 'refreshedAt', t.refreshed_at)
     ) AS r
     FROM accounts a JOIN users u ON u.id = a.owner_id JOIN token_sets t ON t.account_id = a.id
     ORDER BY a.created_at, a.id`,
  );
  return result.rows.map((row) => (typeof row.r === 'string' ? (JSON.parse(row.r) as AccountRecord) : row.r));
}

/** How many accounts the store has. */
export async function countAccounts(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts')).rows[0]?.n ?? 0;
}

/** Writes one moved account (its user unless already there, the account, its token set). */
export async function insertAccountRecord(tx: Queryable, r: AccountRecord): Promise<void> {
  await tx.query(
    `INSERT INTO users (id, provider, subject, username, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING`,
    [r.user.id, r.user.provider, r.user.subject, r.user.username, r.user.createdAt],
  );
  const a = r.account;
  await tx.query(
    `INSERT INTO accounts (id, owner_id, provider, subject, username, display_name, status, reason,
                           consented_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      a.id,
      r.user.id,
      a.provider,
      a.subject,
      a.username,
      a.displayName,
      a.status,
      a.reason,
      a.consentedAt,
      a.createdAt,
    ],
  );
  const t = r.tokenSet;
  await tx.query(
    `INSERT INTO token_sets (account_id, version, access_ct, refresh_ct, key_id, access_expires_at, scope,
                             reuse_suspected, refreshed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      a.id,
      t.version,
      t.accessCt,
      t.refreshCt,
      t.keyId,
      t.accessExpiresAt,
      t.scope,
      t.reuseSuspected,
      t.refreshedAt,
    ],
  );
}
