/**
 * @module Queries on users, accounts and their token sets as whole rows: saving a new connection
 * (or a reconnection), listing, status changes, deletion. Ciphertexts only: sealing and opening
 * is the vault's job.
 */
import { RotorError, type ReauthReason } from '../core/errors.ts';
import type { Queryable } from './db.ts';

export type { ReauthReason } from '../core/errors.ts';

export type AccountStatus = 'active' | 'reauth_required';

export interface AccountRow {
  id: string;
  ownerId: string;
  provider: string;
  subject: string;
  username: string;
  displayName: string | null;
  status: AccountStatus;
  reason: ReauthReason | null;
  consentedAt: number;
  refreshedAt: number | null;
  accessExpiresAt: number | null;
}

const ACCOUNT_COLUMNS = `
  a.id, a.owner_id AS "ownerId", a.provider, a.subject, a.username, a.display_name AS "displayName",
  a.status, a.reason, (extract(epoch FROM a.consented_at) * 1000)::float8 AS "consentedAt",
  (extract(epoch FROM t.refreshed_at) * 1000)::float8 AS "refreshedAt",
  (extract(epoch FROM t.access_expires_at) * 1000)::float8 AS "accessExpiresAt"`;

/** What a completed authorization stores. */
export interface NewConnection {
  provider: string;
  subject: string;
  username: string;
  displayName: string | undefined;
  /** The Rotor user who connects; absent → the account's own X identity becomes its owner. */
  ownerId: string | undefined;
  consentedAt: number;
  scope: string;
  accessExpiresAt: number;
  keyId: string;
}

/**
 * Saves a connection in one transaction: the owner, the account (reconnecting keeps its id, and so
 * its schedules and queue), and its first token set. `seal` receives the account id, because the
 * ciphertexts are bound to it.
 */
export async function saveConnection(
  tx: Queryable,
  c: NewConnection,
  seal: (accountId: string) => { accessCt: string; refreshCt: string | null },
): Promise<{ accountId: string; ownerId: string }> {
  let ownerId = c.ownerId;
  if (ownerId === undefined) {
    const owner = await tx.query<{ id: string }>(
      `INSERT INTO users (provider, subject, username) VALUES ($1, $2, $3)
       ON CONFLICT (provider, subject) DO UPDATE SET username = EXCLUDED.username RETURNING id`,
      [c.provider, c.subject, c.username],
    );
    ownerId = owner.rows[0]?.id;
  }
  const account = await tx.query<{ id: string }>(
    `INSERT INTO accounts (owner_id, provider, subject, username, display_name, consented_at)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
     ON CONFLICT (provider, subject) DO UPDATE SET
       username = EXCLUDED.username, display_name = EXCLUDED.display_name, status = 'active', reason = NULL,
       consented_at = EXCLUDED.consented_at, updated_at = now()
     WHERE accounts.owner_id = EXCLUDED.owner_id
     RETURNING id`,
    [ownerId, c.provider, c.subject, c.username, c.displayName ?? null, c.consentedAt],
  );
  const accountId = account.rows[0]?.id;
  if (!accountId && ownerId) {
    // An account belongs to one Rotor user: connecting it again from another one changes nothing.
    throw new RotorError(
      'authorization_failed',
      `@${c.username} is already connected to Rotor by another user. Sign in as that user to reconnect it, or ask them to disconnect it first.`,
    );
  }
  if (!accountId || !ownerId) throw new Error('saving the connection returned no row');
  const { accessCt, refreshCt } = seal(accountId);
  // A reconnection replaces the token set and takes the version forward, so that any process
  // still holding the old one fails its compare-and-swap instead of overwriting the new grant.
  await tx.query(
    `INSERT INTO token_sets (account_id, access_ct, refresh_ct, key_id, access_expires_at, scope, refreshed_at)
     VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, now())
     ON CONFLICT (account_id) DO UPDATE SET
       version = token_sets.version + 1, access_ct = EXCLUDED.access_ct, refresh_ct = EXCLUDED.refresh_ct,
       key_id = EXCLUDED.key_id, access_expires_at = EXCLUDED.access_expires_at, scope = EXCLUDED.scope,
       lease_owner = NULL, lease_until = NULL, sent_version = NULL, reuse_suspected = false,
       refreshed_at = now(), updated_at = now()`,
    [accountId, accessCt, refreshCt, c.keyId, c.accessExpiresAt, c.scope],
  );
  return { accountId, ownerId };
}

export async function listAccounts(q: Queryable, ownerId?: string): Promise<AccountRow[]> {
  const where = ownerId === undefined ? '' : 'WHERE a.owner_id = $1';
  const result = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN token_sets t ON t.account_id = a.id ${where}
     ORDER BY lower(a.username)`,
    ownerId === undefined ? [] : [ownerId],
  );
  return result.rows;
}

export async function findAccount(
  q: Queryable,
  by: { id: string } | { username: string; provider: string },
): Promise<AccountRow | undefined> {
  const result =
    'id' in by
      ? await q.query<AccountRow>(
          `SELECT ${ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN token_sets t ON t.account_id = a.id WHERE a.id = $1`,
          [by.id],
        )
      : await q.query<AccountRow>(
          `SELECT ${ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN token_sets t ON t.account_id = a.id
           WHERE a.provider = $1 AND lower(a.username) = lower($2)`,
          [by.provider, by.username.replace(/^@/, '')],
        );
  return result.rows[0];
}

/** Marks the account as needing its user, and releases any lease. Returns false if it already was. */
export async function markReauthRequired(
  q: Queryable,
  accountId: string,
  reason: ReauthReason,
): Promise<boolean> {
  const result = await q.query(
    `WITH changed AS (
       UPDATE accounts SET status = 'reauth_required', reason = $2, updated_at = now()
       WHERE id = $1 AND status = 'active' RETURNING id)
     UPDATE token_sets SET lease_owner = NULL, lease_until = NULL WHERE account_id = $1
     RETURNING (SELECT count(*) FROM changed)::int AS changed`,
    [accountId, reason],
  );
  return (result.rows[0] as { changed?: number } | undefined)?.changed === 1;
}

export async function deleteAccount(q: Queryable, accountId: string): Promise<boolean> {
  const result = await q.query('DELETE FROM accounts WHERE id = $1 RETURNING id', [accountId]);
  return result.rows.length === 1;
}
