/**
 * @module Browser sessions and CSRF (properties 22 and 25). The session cookie holds 32 random
 * bytes; the database keeps only their SHA-256. Cookies are `__Host-` (Secure, Path=/, no Domain),
 * `HttpOnly`, `SameSite=Lax`; only plain-http loopback in demo mode drops `Secure` and the prefix.
 * Every state-changing request of a session carries the session's CSRF token (a form field or
 * the `x-csrf-token` header), and a cross-origin `Origin` is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sameSecret } from '../vault/connect.ts';
import { deleteSession, findSession, insertSession, type SessionUser } from '../store/web-sessions.ts';
import type { Db } from '../store/db.ts';
import { DEFAULT_WEB_SECURITY } from './security-config.ts';

/** Any request's context (the helpers here read only cookies and headers). */
type AnyContext = Context;

/** How long sessions live: absolutely, and without use. */
export interface SessionTimes {
  sessionTtlMs: number;
  sessionIdleMs: number;
}

export const hashSessionId = (id: string): string => createHash('sha256').update(id).digest('base64url');

export interface CookieNames {
  session: string;
  oauth: string;
  lang: string;
  /** The browser's time zone, set by the page script (a display preference, not a secret). */
  zone: string;
}

export function cookieNames(insecureLoopback: boolean): CookieNames {
  const p = insecureLoopback ? 'rotor-' : '__Host-rotor-';
  return { session: `${p}session`, oauth: `${p}oauth`, lang: `${p}lang`, zone: `${p}tz` };
}

/** Options for every cookie Rotor sets (property 22). */
export const cookieOptions = (insecureLoopback: boolean, maxAgeSeconds: number) =>
  ({
    path: '/',
    httpOnly: true,
    secure: !insecureLoopback,
    sameSite: 'Lax',
    maxAge: maxAgeSeconds,
  }) as const;

/** Sets a cookie by its full name (the `__Host-` prefix is part of the name here). */
export function putCookie(
  c: AnyContext,
  name: string,
  value: string,
  insecureLoopback: boolean,
  maxAgeSeconds: number,
): void {
  setCookie(c, name, value, cookieOptions(insecureLoopback, maxAgeSeconds));
}

export function dropCookie(c: AnyContext, name: string, insecureLoopback: boolean): void {
  deleteCookie(c, name, { path: '/', secure: !insecureLoopback });
}

/**
 * Starts a session with a new id; the session this browser had before (if any) ends, so that an
 * id known before sign-in is worth nothing after it (session fixation).
 */
export async function startSession(
  c: AnyContext,
  db: Db,
  names: CookieNames,
  insecureLoopback: boolean,
  userId: string,
  times: SessionTimes = DEFAULT_WEB_SECURITY,
): Promise<void> {
  const old = getCookie(c, names.session);
  if (old) await deleteSession(db, hashSessionId(old));
  const id = randomBytes(32).toString('base64url');
  await insertSession(db, {
    idHash: hashSessionId(id),
    userId,
    csrf: randomBytes(24).toString('base64url'),
    ttlMs: times.sessionTtlMs,
    userAgent: c.req.header('user-agent')?.slice(0, 200),
  });
  putCookie(c, names.session, id, insecureLoopback, times.sessionTtlMs / 1000);
}

/** The signed-in user, or undefined (no cookie, unknown, expired, idle or tampered: signed out). */
export async function readSession(
  c: AnyContext,
  db: Db,
  names: CookieNames,
  idleMs: number = DEFAULT_WEB_SECURITY.sessionIdleMs,
): Promise<SessionUser | undefined> {
  const id = getCookie(c, names.session);
  if (!id || id.length > 100) return undefined;
  return findSession(db, hashSessionId(id), idleMs);
}

/** The hash of this browser's session id (to tell "this browser" in the list of sessions). */
export function currentSessionHash(c: AnyContext, names: CookieNames): string | undefined {
  const id = getCookie(c, names.session);
  return id ? hashSessionId(id) : undefined;
}

export async function endSession(c: AnyContext, db: Db, names: CookieNames, insecureLoopback: boolean) {
  const id = getCookie(c, names.session);
  if (id) await deleteSession(db, hashSessionId(id));
  dropCookie(c, names.session, insecureLoopback);
}

/**
 * Whether a request's `Origin` (when sent) is this server's own: the public origin
 * (`ROTOR_PUBLIC_URL`, scheme included) when one is configured, else the `Host` header's.
 */
export function sameOrigin(c: AnyContext): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  const publicOrigin = (c.get as (key: string) => unknown)('publicOrigin');
  try {
    if (typeof publicOrigin === 'string') return new URL(origin).origin === publicOrigin;
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

/** Property 25: the token a state-changing request of this session must carry. */
export function csrfValid(session: SessionUser, presented: string | undefined): boolean {
  return typeof presented === 'string' && presented !== '' && sameSecret(presented, session.csrf);
}
