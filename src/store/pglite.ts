/** @module The embedded default: PGlite (Postgres in WASM) in `ROTOR_DATA_DIR`, one process at a time. */
import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import type { Db, Queryable } from './db.ts';
import { lockDataDir } from './data-dir-lock.ts';

/** Opens (creating on first use) the embedded database in `dataDir`, holding its lock while open. */
export async function openPglite(dataDir: string, command = 'rotor', url?: string): Promise<Db> {
  const release = lockDataDir(dataDir, command, url);
  let pg: PGlite;
  try {
    pg = await PGlite.create(join(dataDir, 'pgdata'));
  } catch (e) {
    release();
    throw e;
  }
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T extends object>(sql: string, params?: unknown[]) => ({
      rows: (await q.query<T>(sql, params)).rows,
    }),
    exec: async (sql: string) => void (await q.exec(sql)),
  });
  const root = wrap(pg);
  return {
    kind: 'pglite',
    native: { kind: 'pglite', instance: pg },
    dataDir,
    query: (sql, params) => root.query(sql, params),
    exec: (sql) => root.exec(sql),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async close() {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}
