/**
 * @module Both store backends for tests: PGlite in a temp folder, and a fresh database on the
 * PostgreSQL server that `npm test` starts (ROTOR_TEST_PG_URL). One shared suite runs on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPglite } from '../../src/store/pglite.ts';
import { openPostgres } from '../../src/store/postgres.ts';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

export function pgServerUrl(): string {
  const url = process.env.ROTOR_TEST_PG_URL;
  if (!url)
    throw new Error('ROTOR_TEST_PG_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  return url;
}

/**
 * Creates an empty database on the test server and returns its URL. `CREATE DATABASE` copies
 * `template1` and fails with `55006` (object in use) while another session is connected to it;
 * with test files running side by side that is retried a few times, and any other error is not.
 */
export async function createPgDatabase(): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    const admin = new pg.Client({ connectionString: pgServerUrl() });
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const url = new URL(pgServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDb {
  db: Db;
  /** For PostgreSQL: the URL other processes can use. */
  url: string | undefined;
  dir: string | undefined;
  close(): Promise<void>;
}

/** A migrated, empty database on the given backend. */
export async function openTestDb(backend: Backend): Promise<TestDb> {
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-pglite-'));
    const db = await openPglite(dir, 'test');
    await migrate(db);
    return {
      db,
      url: undefined,
      dir,
      close: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createPgDatabase();
  const db = openPostgres(url);
  await migrate(db);
  return { db, url, dir: undefined, close: () => db.close() };
}
