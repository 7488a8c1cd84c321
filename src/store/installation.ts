/**
 * @module The installation row's SQL (migration 0011): this installation's identity, where it is
 * live (`home`), and the fence `rotor vault export` puts up. See `src/vault/installation.ts` for
 * what the vault decides from it.
 */
import type { Queryable } from './db.ts';

export interface InstallationRow {
  id: string;
  /** Where the database is live (a fingerprint), or null before the first open. */
  home: string | null;
  /** Epoch ms when `rotor vault export` fenced this database, or null. */
  fencedAt: number | null;
  fencedNote: string | null;
  claimedAt: number | null;
}

const COLUMNS = `id::text AS id, home,
  (extract(epoch FROM fenced_at) * 1000)::float8 AS "fencedAt", fenced_note AS "fencedNote",
  (extract(epoch FROM claimed_at) * 1000)::float8 AS "claimedAt"`;

/** The row (the migration creates it; a database from before 0011 gets one here). */
export async function readInstallation(q: Queryable): Promise<InstallationRow> {
  await q.query('INSERT INTO rotor_installation (singleton) VALUES (true) ON CONFLICT DO NOTHING');
  const result = await q.query<InstallationRow>(`SELECT ${COLUMNS} FROM rotor_installation`);
  const row = result.rows[0];
  if (!row) throw new Error('the installation row is missing');
  return row;
}

/** Records `home` if none is recorded yet (first open); returns the row as it is now. */
export async function adoptHome(q: Queryable, home: string): Promise<InstallationRow> {
  await readInstallation(q);
  await q.query('UPDATE rotor_installation SET home = $1 WHERE home IS NULL', [home]);
  return readInstallation(q);
}

/** `rotor vault claim`: this place is where the installation is live; lifts an export's fence. */
export async function claimHome(q: Queryable, home: string): Promise<InstallationRow> {
  await readInstallation(q);
  await q.query(
    'UPDATE rotor_installation SET home = $1, fenced_at = NULL, fenced_note = NULL, claimed_at = now()',
    [home],
  );
  return readInstallation(q);
}

/** Fences the database: from now on no process refreshes from it (until a claim). */
export async function fenceInstallation(q: Queryable, note: string): Promise<void> {
  await readInstallation(q);
  await q.query('UPDATE rotor_installation SET fenced_at = now(), fenced_note = $1', [note]);
}

/** An import takes the exported installation's identity, and is live where it is imported. */
export async function adoptIdentity(q: Queryable, id: string, home: string): Promise<void> {
  await readInstallation(q);
  await q.query(
    'UPDATE rotor_installation SET id = $1::uuid, home = $2, fenced_at = NULL, fenced_note = NULL',
    [id, home],
  );
}

/** How many leases are held now (by the database clock): an export waits for them to end. */
export async function heldLeases(q: Queryable): Promise<number> {
  const result = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM token_sets WHERE lease_owner IS NOT NULL AND lease_until > now()',
  );
  return result.rows[0]?.n ?? 0;
}

/**
 * What identifies a PostgreSQL database where it runs: the cluster's system identifier (kept by a
 * physical replica or failover, new for a restore into another server) and the database name.
 * Where `pg_control_system()` is not allowed, the server's port stands in for the cluster.
 */
export async function postgresFingerprint(q: Queryable): Promise<string> {
  const name = (await q.query<{ name: string }>('SELECT current_database() AS name')).rows[0]?.name ?? '';
  let cluster: string;
  try {
    const r = await q.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
    cluster = `system ${r.rows[0]?.id ?? '?'}`;
  } catch {
    const r = await q.query<{ port: number | null }>('SELECT inet_server_port() AS port');
    cluster = `port ${r.rows[0]?.port ?? '?'}`;
  }
  return `postgres ${cluster} database ${name}`;
}
