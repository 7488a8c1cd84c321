/**
 * @module Cookie-mode sessions that were forgotten ("forget this browser's tokens"): refused
 * until their sealed expiry, after which the sealed value is refused anyway and the row goes.
 */
import type { Queryable } from './db.ts';

/** Remembers a forgotten session (by the hash of its id) until `untilMs` (epoch ms). */
export async function forgetCookieSession(q: Queryable, idHash: string, untilMs: number): Promise<void> {
  await q.query('DELETE FROM cookie_sessions_forgotten WHERE expires_at < now()');
  await q.query(
    `INSERT INTO cookie_sessions_forgotten (id_hash, expires_at) VALUES ($1, to_timestamp($2 / 1000.0))
     ON CONFLICT (id_hash) DO NOTHING`,
    [idHash, untilMs],
  );
}

export async function isCookieSessionForgotten(q: Queryable, idHash: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM cookie_sessions_forgotten WHERE id_hash = $1', [idHash]);
  return r.rows.length > 0;
}
