/**
 * @module The database seam: one small interface over PostgreSQL (`pg`) and PGlite, so every
 * query of Rotor runs unchanged on both. Queries are plain SQL with `$n` parameters.
 */

/** Something that runs a query: the database itself, or a transaction. */
export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** For pg-boss: the PostgreSQL URL, or the PGlite instance itself (one connection, shared). */
  readonly native: { kind: 'postgres'; url: string } | { kind: 'pglite'; instance: unknown };
  /** The data directory an embedded database lives in (PGlite); the vault keeps its journal there. */
  readonly dataDir?: string;
  /** Runs `fn` in one transaction; rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Does the database answer? Throws its error when not. */
export async function ping(q: Queryable): Promise<void> {
  await q.query('SELECT 1');
}
