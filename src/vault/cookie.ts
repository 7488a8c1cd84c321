/**
 * @module Cookie mode, for "post now" apps that keep no tokens on the server: the token set lives
 * in a sealed (AES-256-GCM) `HttpOnly` cookie, with the vault's refresh rules. Parallel requests
 * from one browser carry the same refresh token; they must not burn the grant: one refresh, and
 * the others receive the new pair — in this process by single-flight, across processes through
 * rotation receipts in the database.
 *
 * @example
 * const jar = new CookieVault({ provider, keyRing, db });
 * const session = jar.read(request.cookies[jar.name]);     // undefined → signed out
 * const { accessToken, cookie } = await jar.getAccessToken(session);
 * if (cookie) response.setHeader('set-cookie', cookie);   // the rotated pair
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../core/clock.ts';
import { RotorError } from '../core/errors.ts';
import { open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import { refreshTokens, revokeToken } from '../oauth/token-client.ts';
import type { Db } from '../store/db.ts';
import { forgetCookieSession, isCookieSessionForgotten } from '../store/cookie-sessions.ts';
import { claimReceipt, dropReceipt, fillReceipt, readReceipt } from '../store/rotation-receipts.ts';

/** What the cookie holds. */
export interface CookieSession {
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
  username: string;
  /** Random id of this browser's grant (kept across rotations; what "forget" refuses). Set when sealed. */
  id?: string;
  /** Epoch ms after which the sealed value is refused, whatever the browser's Max-Age. Set when sealed. */
  until?: number;
}

export interface CookieVaultOptions {
  provider: OAuthProvider;
  keyRing: KeyRing;
  /** Shared database for rotation receipts across processes; without it, single-flight is per process. */
  db?: Db;
  clock?: Clock;
  fetch?: FetchLike;
  refreshMarginMs?: number;
  httpTimeoutMs?: number;
  /**
   * `__Host-rotor-x` by default (Secure, Path=/, no Domain). For plain-http loopback development
   * only, pass `insecureLoopbackCookie: true` to drop `Secure` and the prefix.
   */
  insecureLoopbackCookie?: boolean;
  /** Cookie lifetime in seconds (default 30 days; the grant itself ends after ~6 months). */
  maxAgeSeconds?: number;
}

const MAX_COOKIE_BYTES = 4096;
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The new pair sealed with a key derived from the spent refresh token: only its holders can open it. */
function sealForHolder(spentRefresh: string, session: CookieSession): string {
  const key = Buffer.from(hkdfSync('sha256', spentRefresh, 'rotor-receipt', 'v1', 32));
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(JSON.stringify(session), 'utf8'), c.final(), c.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
}

function openForHolder(spentRefresh: string, sealed: string): CookieSession | undefined {
  try {
    const [ivText = '', bodyText = ''] = sealed.split('.');
    const key = Buffer.from(hkdfSync('sha256', spentRefresh, 'rotor-receipt', 'v1', 32));
    const body = Buffer.from(bodyText, 'base64url');
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    d.setAuthTag(body.subarray(body.length - 16));
    return JSON.parse(
      Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8'),
    ) as CookieSession;
  } catch {
    return undefined;
  }
}

export class CookieVault {
  readonly name: string;
  readonly #o: CookieVaultOptions & { clock: Clock };
  readonly #flights = new Map<string, Promise<CookieSession>>();
  readonly #holder = randomBytes(8).toString('hex');

  constructor(options: CookieVaultOptions) {
    this.#o = { ...options, clock: options.clock ?? systemClock };
    this.name = options.insecureLoopbackCookie ? 'rotor-x' : '__Host-rotor-x';
  }

  #binding() {
    return { table: 'cookie', row: this.name, field: 'session' };
  }

  #maxAgeMs(): number {
    return (this.#o.maxAgeSeconds ?? 30 * 86400) * 1000;
  }

  /**
   * Seals a session into a cookie value (throws if it would not fit in 4 KB). A session sealed
   * for the first time gets its id and its expiry (`until`: now + the cookie's lifetime).
   */
  seal(session: CookieSession): string {
    const full: CookieSession = {
      ...session,
      id: session.id ?? randomBytes(16).toString('base64url'),
      until: session.until ?? this.#o.clock.now() + this.#maxAgeMs(),
    };
    const value = seal(this.#o.keyRing, JSON.stringify(full), this.#binding());
    if (value.length + this.name.length + 100 > MAX_COOKIE_BYTES) {
      throw new RotorError('config_invalid', 'the token set does not fit in a 4 KB cookie');
    }
    return value;
  }

  /**
   * Opens a cookie value; anything tampered, truncated, foreign or past its sealed expiry reads
   * as "signed out". (Does not ask the database whether it was forgotten: {@link open} does.)
   */
  read(value: string | undefined): CookieSession | undefined {
    if (!value) return undefined;
    try {
      const s = JSON.parse(open(this.#o.keyRing, value, this.#binding())) as CookieSession;
      if (typeof s.accessToken !== 'string' || typeof s.expiresAt !== 'number') return undefined;
      if (typeof s.until !== 'number' || s.until <= this.#o.clock.now()) return undefined;
      return s;
    } catch {
      return undefined;
    }
  }

  /** {@link read}, and refused when this session was forgotten (property 39; needs `db`). */
  async open(value: string | undefined): Promise<CookieSession | undefined> {
    const s = this.read(value);
    if (!s || !this.#o.db || s.id === undefined) return s;
    return (await isCookieSessionForgotten(this.#o.db, hashOf(`cookie:${s.id}`))) ? undefined : s;
  }

  /**
   * "Forget this browser's tokens" (property 39): revokes the grant at X (RFC 7009: the refresh
   * token ends the grant, and the access token is revoked too), and with `db` remembers the
   * session as forgotten until its sealed expiry, so that a copy of the cookie is refused here
   * even if X could not be reached. Returns whether X confirmed the revocation.
   */
  async forget(session: CookieSession): Promise<boolean> {
    if (this.#o.db && session.id !== undefined) {
      const until = session.until ?? this.#o.clock.now() + this.#maxAgeMs();
      await forgetCookieSession(this.#o.db, hashOf(`cookie:${session.id}`), until);
    }
    const opts = this.#o.fetch ? { fetch: this.#o.fetch } : {};
    const [refresh, access] = await Promise.all([
      session.refreshToken
        ? revokeToken(this.#o.provider, session.refreshToken, 'refresh_token', opts)
        : Promise.resolve(true),
      revokeToken(this.#o.provider, session.accessToken, 'access_token', opts),
    ]);
    return refresh && access;
  }

  /** The `Set-Cookie` header for a session (property 22). */
  setCookie(session: CookieSession): string {
    const secure = this.#o.insecureLoopbackCookie ? '' : '; Secure';
    const value = this.seal(session);
    // The browser's Max-Age follows the sealed expiry (which is what is enforced).
    const until = session.until ?? this.#o.clock.now() + this.#maxAgeMs();
    const maxAge = Math.max(0, Math.floor((until - this.#o.clock.now()) / 1000));
    return `${this.name}=${value}; Path=/; HttpOnly${secure}; SameSite=Lax; Max-Age=${maxAge}`;
  }

  /** The `Set-Cookie` header that signs out. */
  clearCookie(): string {
    const secure = this.#o.insecureLoopbackCookie ? '' : '; Secure';
    return `${this.name}=; Path=/; HttpOnly${secure}; SameSite=Lax; Max-Age=0`;
  }

  /**
   * A valid access token for the session, refreshing ahead of expiry. When it rotated, `cookie`
   * is the `Set-Cookie` header carrying the new pair (send it with the response).
   * @throws {RotorError} `reauth_required` (clear the cookie), or a transient code (keep it).
   */
  async getAccessToken(
    session: CookieSession,
  ): Promise<{ accessToken: string; session: CookieSession; cookie?: string }> {
    const margin = this.#o.refreshMarginMs ?? 5 * 60_000;
    if (session.expiresAt - this.#o.clock.now() > margin)
      return { accessToken: session.accessToken, session };
    const spent = session.refreshToken;
    if (!spent)
      throw new RotorError('reauth_required', 'the session has no refresh token', { reason: 'expired' });
    const key = hashOf(spent);
    let flight = this.#flights.get(key);
    if (!flight) {
      flight = this.#rotate(session, spent, key).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    const next = await flight;
    return { accessToken: next.accessToken, session: next, cookie: this.setCookie(next) };
  }

  async #rotate(session: CookieSession, spent: string, key: string): Promise<CookieSession> {
    const db = this.#o.db;
    const timeout = this.#o.httpTimeoutMs ?? 15_000;
    if (db) {
      for (const until = this.#o.clock.now() + 2 * timeout + 5_000; ;) {
        if (await claimReceipt(db, key, this.#holder, 2 * timeout)) break;
        const receipt = await readReceipt(db, key);
        const done = receipt?.resultCt ? openForHolder(spent, receipt.resultCt) : undefined;
        if (done) return done;
        if (this.#o.clock.now() > until)
          throw new RotorError('lease_timeout', 'another request is still refreshing this session');
        await sleep(25 + Math.random() * 25);
      }
    }
    const outcome = await refreshTokens(this.#o.provider, spent, {
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
      limits: { timeoutMs: timeout },
    });
    if (outcome.kind !== 'rotated') {
      if (db) await dropReceipt(db, key, this.#holder).catch(() => undefined);
      if (outcome.kind === 'rejected') {
        throw new RotorError('reauth_required', 'X no longer accepts this session; sign in again', {
          reason: 'unknown',
        });
      }
      if (outcome.kind === 'invalid_client')
        throw new RotorError('invalid_client', 'X refused Rotor’s client credentials');
      throw new RotorError(outcome.code, 'X could not refresh the session now; try again', {
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      });
    }
    const t = outcome.tokens;
    const next: CookieSession = {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken ?? spent,
      expiresAt: this.#o.clock.now() + (t.expiresIn ?? 7200) * 1000,
      scope: t.scope ?? session.scope,
      username: session.username,
      // The same browser grant, with the same end: a rotation does not extend a copy's life.
      ...(session.id !== undefined ? { id: session.id } : {}),
      ...(session.until !== undefined ? { until: session.until } : {}),
    };
    // The cookie is where the new pair lives: a failed receipt must not lose it for this request.
    if (db) await fillReceipt(db, key, this.#holder, sealForHolder(spent, next)).catch(() => undefined);
    return next;
  }
}
