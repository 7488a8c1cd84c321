/**
 * @module Signed-in browser sessions. The cookie carries a random value; the database keeps only
 * its SHA-256, so a copy of the database signs nobody in. Each session has its own CSRF secret.
 */
import type { Locale } from '../core/locale.ts';
import type { Queryable } from './db.ts';

export interface SessionUser {
  userId: string;
  username: string;
  csrf: string;
  locale: Locale | null;
  timeZone: string | null;
  /** The X account the user signs in with is connected here and needs reconnecting (revoked, …). */
  signinNeedsReconnect: boolean;
}

export async function insertSession(
  q: Queryable,
  s: { idHash: string; userId: string; csrf: string; ttlMs: number; userAgent?: string | undefined },
): Promise<void> {
  await q.query('DELETE FROM web_sessions WHERE expires_at < now()');
  await q.query(
    `INSERT INTO web_sessions (id_hash, user_id, csrf, expires_at, user_agent)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond', $5)`,
    [s.idHash, s.userId, s.csrf, s.ttlMs, s.userAgent ?? null],
  );
}

/** How often a session's "last used" time is written (not on every request). */
const TOUCH_EVERY_MS = 60_000;

/**
 * The live session with this hash and its user, or undefined (unknown, past its absolute
 * expiry, or unused for longer than `idleMs`). Marks it used.
 */
export async function findSession(
  q: Queryable,
  idHash: string,
  idleMs: number,
): Promise<SessionUser | undefined> {
  const result = await q.query<SessionUser & { stale: boolean }>(
    `SELECT u.id AS "userId", u.username, s.csrf, u.locale, u.time_zone AS "timeZone",
       EXISTS (SELECT 1 FROM accounts a WHERE a.provider = u.provider AND a.subject = u.subject
         AND a.status = 'reauth_required') AS "signinNeedsReconnect",
       s.last_seen_at < now() - $3 * interval '1 millisecond' AS stale
     FROM web_sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - $2 * interval '1 millisecond'`,
    [idHash, idleMs, TOUCH_EVERY_MS],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  if (row.stale) await q.query('UPDATE web_sessions SET last_seen_at = now() WHERE id_hash = $1', [idHash]);
  const { stale: _stale, ...session } = row;
  return session;
}

/** One of a user's live sessions, for the list in Settings. */
export interface SessionListing {
  idHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
}

/** A user's live sessions, most recently used first. */
export async function listSessions(q: Queryable, userId: string, idleMs: number): Promise<SessionListing[]> {
  const result = await q.query<SessionListing>(
    `SELECT id_hash AS "idHash", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
       user_agent AS "userAgent"
     FROM web_sessions WHERE user_id = $1 AND expires_at > now()
       AND last_seen_at > now() - $2 * interval '1 millisecond'
     ORDER BY last_seen_at DESC`,
    [userId, idleMs],
  );
  return result.rows;
}

/** Ends every session of a user ("sign out everywhere"); returns how many there were. */
export async function deleteUserSessions(q: Queryable, userId: string): Promise<number> {
  const result = await q.query('DELETE FROM web_sessions WHERE user_id = $1 RETURNING 1', [userId]);
  return result.rows.length;
}

export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.query('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
}

/** A user's language and time zone (null: from the browser). */
export async function setPreferences(
  q: Queryable,
  userId: string,
  p: { locale?: Locale | null; timeZone?: string | null },
): Promise<void> {
  await q.query(
    `UPDATE users SET locale = CASE WHEN $2 THEN $3 ELSE locale END,
       time_zone = CASE WHEN $4 THEN $5 ELSE time_zone END WHERE id = $1`,
    [userId, p.locale !== undefined, p.locale ?? null, p.timeZone !== undefined, p.timeZone ?? null],
  );
}
