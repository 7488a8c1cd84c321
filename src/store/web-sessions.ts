/**
 * @module Signed-in browser sessions. The cookie carries a random value; the database keeps only
 * its SHA-256, so a copy of the database signs nobody in. Each session has its own CSRF secret.
 */
import type { Queryable } from './db.ts';

export interface SessionUser {
  userId: string;
  username: string;
  csrf: string;
  locale: 'en' | 'ja' | null;
  timeZone: string | null;
}

export async function insertSession(
  q: Queryable,
  s: { idHash: string; userId: string; csrf: string; ttlMs: number },
): Promise<void> {
  await q.query('DELETE FROM web_sessions WHERE expires_at < now()');
  await q.query(
    `INSERT INTO web_sessions (id_hash, user_id, csrf, expires_at)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
    [s.idHash, s.userId, s.csrf, s.ttlMs],
  );
}

/** The live session with this hash and its user, or undefined (unknown or expired). */
export async function findSession(q: Queryable, idHash: string): Promise<SessionUser | undefined> {
  const result = await q.query<SessionUser>(
    `SELECT u.id AS "userId", u.username, s.csrf, u.locale, u.time_zone AS "timeZone"
     FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > now()`,
    [idHash],
  );
  return result.rows[0];
}

export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.query('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
}

/** A user's language and time zone (null: from the browser). */
export async function setPreferences(
  q: Queryable,
  userId: string,
  p: { locale?: 'en' | 'ja' | null; timeZone?: string | null },
): Promise<void> {
  await q.query(
    `UPDATE users SET locale = CASE WHEN $2 THEN $3 ELSE locale END,
       time_zone = CASE WHEN $4 THEN $5 ELSE time_zone END WHERE id = $1`,
    [userId, p.locale !== undefined, p.locale ?? null, p.timeZone !== undefined, p.timeZone ?? null],
  );
}

/** The Rotor user known by an X identity, if any. */
export async function findUserBySubject(
  q: Queryable,
  provider: string,
  subject: string,
): Promise<{ id: string } | undefined> {
  return (
    await q.query<{ id: string }>('SELECT id FROM users WHERE provider = $1 AND subject = $2', [
      provider,
      subject,
    ])
  ).rows[0];
}
