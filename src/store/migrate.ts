/**
 * @module Numbered migrations (`migrations/NNNN_name.sql`), applied in order, each once, in a
 * transaction under an advisory lock so that many workers starting together migrate once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, Queryable } from './db.ts';

const DIR = join(import.meta.dirname, 'migrations');
const LOCK_KEY = 74_060_711; // arbitrary, fixed: "rotor migrations"

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      id: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(join(DIR, f), 'utf8'),
    }));
}

/** The ids of the migrations this database has, in order ([] before the first). */
export async function appliedMigrations(q: Queryable): Promise<number[]> {
  try {
    return (await q.query<{ id: number }>('SELECT id FROM rotor_migrations ORDER BY id')).rows.map(
      (r) => r.id,
    );
  } catch {
    return [];
  }
}

/** The newest migration this database has (0: none); fails when the database does not answer. */
export async function latestAppliedMigration(q: Queryable): Promise<number> {
  return (
    (await q.query<{ id: number | null }>('SELECT max(id) AS id FROM rotor_migrations')).rows[0]?.id ?? 0
  );
}

/** Applies every pending migration; returns the ids applied now. */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS rotor_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM rotor_migrations')).rows.map((r) => r.id),
    );
    const applied: number[] = [];
    for (const m of listMigrations()) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO rotor_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      applied.push(m.id);
    }
    return applied;
  });
}
