/**
 * @module Debian's PostgreSQL client tools for tests of backups and restores: `pg_dump` and
 * `pg_restore` from /usr/lib/postgresql/<newest>/bin (as scripts/pg-cluster.ts finds the server).
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { pgTool as bin } from '../../scripts/pg-cluster.ts';

/** `pg_dump -Fc` of the database at `url` into `file`. */
export function dump(url: string, file: string): void {
  execFileSync(bin('pg_dump'), ['-Fc', '-f', file, '-d', url], { stdio: 'pipe' });
}

/** Restores `file` into the database at `url`, replacing what is there (`--clean`). */
export function restore(url: string, file: string): void {
  execFileSync(bin('pg_restore'), ['--clean', '--if-exists', '--no-owner', '-d', url, file], {
    stdio: 'pipe',
  });
}

/** One query on `url` (a short-lived connection). */
export async function sql<T extends object>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
