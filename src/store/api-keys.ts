/**
 * @module API keys: shown once, kept as SHA-256 only, each with its own permissions; and the audit
 * log of access tokens the token broker handed out (never the token itself).
 */
import type { Queryable } from './db.ts';

export interface ApiKeyRow {
  id: string;
  ownerId: string;
  name: string;
  prefix: string;
  permissions: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const ms = (col: string, as: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS "${as}"`;
const COLUMNS = `id, owner_id AS "ownerId", name, prefix, permissions, ${ms('created_at', 'createdAt')},
  ${ms('last_used_at', 'lastUsedAt')}, ${ms('revoked_at', 'revokedAt')}`;

export async function insertApiKey(
  q: Queryable,
  k: { ownerId: string; name: string; prefix: string; hash: string; permissions: string[] },
): Promise<ApiKeyRow> {
  const result = await q.query<ApiKeyRow>(
    `INSERT INTO api_keys (owner_id, name, prefix, hash, permissions) VALUES ($1, $2, $3, $4, $5::text[])
     RETURNING ${COLUMNS}`,
    [k.ownerId, k.name, k.prefix, k.hash, k.permissions],
  );
  const row = result.rows[0];
  if (!row) throw new Error('inserting the API key returned no row');
  return row;
}

/** The live (not revoked) key with this hash, marking it used. */
export async function useApiKey(q: Queryable, hash: string): Promise<ApiKeyRow | undefined> {
  const result = await q.query<ApiKeyRow>(
    `UPDATE api_keys SET last_used_at = now() WHERE hash = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [hash],
  );
  return result.rows[0];
}

export async function listApiKeys(q: Queryable, ownerId: string): Promise<ApiKeyRow[]> {
  return (
    await q.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE owner_id = $1 ORDER BY created_at DESC`, [
      ownerId,
    ])
  ).rows;
}

export async function revokeApiKey(q: Queryable, ownerId: string, id: string): Promise<boolean> {
  const result = await q.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND owner_id = $2 AND revoked_at IS NULL RETURNING id',
    [id, ownerId],
  );
  return result.rows.length === 1;
}

export interface HandoutRow {
  apiKeyName: string | null;
  username: string;
  expiresAt: number;
  at: number;
}

export async function recordHandout(
  q: Queryable,
  h: { apiKeyId: string | null; ownerId: string; accountId: string; username: string; expiresAt: number },
): Promise<void> {
  await q.query(
    `INSERT INTO token_handouts (api_key_id, owner_id, account_id, username, expires_at)
     VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))`,
    [h.apiKeyId, h.ownerId, h.accountId, h.username, h.expiresAt],
  );
}

export async function listHandouts(q: Queryable, ownerId: string, limit = 50): Promise<HandoutRow[]> {
  return (
    await q.query<HandoutRow>(
      `SELECT k.name AS "apiKeyName", h.username, ${ms('h.expires_at', 'expiresAt')}, ${ms('h.at', 'at')}
       FROM token_handouts h LEFT JOIN api_keys k ON k.id = h.api_key_id
       WHERE h.owner_id = $1 ORDER BY h.at DESC LIMIT $2`,
      [ownerId, limit],
    )
  ).rows;
}
