/** @module PostgreSQL through `pg`: what `DATABASE_URL` selects, and what many workers share. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable } from './db.ts';

export interface PostgresOptions {
  /** Connections in this process's pool. */
  max?: number;
  /** How long to wait for a connection before failing (ms). */
  connectionTimeoutMillis?: number;
}

export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    // Statements never hang forever: a stuck lock or server surfaces as an error.
    statement_timeout: 30_000,
  });
  // An idle client losing its server (restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Named statements: each connection parses and plans a query once, then reuses the plan.
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (name === undefined)
      names.set(sql, (name = `r${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`));
    return name;
  };
  const run = async <T extends object>(q: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    const result = await q.query({ name: nameOf(sql), text: sql, values: params ?? [] });
    return { rows: result.rows as T[] };
  };
  return {
    kind: 'postgres',
    native: { kind: 'postgres', url },
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => void (await pool.query(sql)),
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: (sql, params) => run(client, sql, params),
          exec: async (sql) => void (await client.query(sql)),
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw e;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
