/**
 * @module Connecting an account: the authorization request (PKCE S256, a fresh `state`, the exact
 * redirect URI) and its callback (properties 1–5). A state is stored only as its hash, lives at
 * most ten minutes and works once; its verifier is sealed. A refused callback makes **no** token
 * request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { clientRefusedText, isClientRefusal } from '../core/client-refused.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { isRotorError, RotorError } from '../core/errors.ts';
import { open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding } from '../crypto/token-binding.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import { exchangeCode, fetchProfile, revokeToken } from '../oauth/token-client.ts';
import type { Db } from '../store/db.ts';
import { saveConnection } from '../store/accounts.ts';
import {
  insertTransaction,
  takeTransaction,
  type AuthorizationMode,
  type TransactionRow,
} from '../store/oauth-transactions.ts';
import type { CookieSession } from './cookie.ts';
import type { VaultEvents } from './events.ts';

const TRANSACTION_TTL_MS = 10 * 60_000;

export interface ConnectorOptions {
  db: Db;
  provider: OAuthProvider;
  keyRing: KeyRing;
  clock?: Clock;
  fetch?: FetchLike;
  /** Told `connected` after each completed connection (audit log); usually the vault's events. */
  events?: VaultEvents;
}

export interface Connected {
  accountId: string;
  ownerId: string;
  username: string;
  /** Where to send the person afterwards: a same-origin relative path, or `/` (property 6). */
  returnTo: string;
}

/** What a browser's callback completed: a stored connection, or cookie mode's session. */
export type BrowserCompletion =
  | { mode: 'signin' | 'connect'; connected: Connected }
  | { mode: 'cookie'; session: CookieSession & { returnTo: string } };

interface Exchanged {
  tx: TransactionRow;
  tokens: Awaited<ReturnType<typeof exchangeCode>>;
  profile: { subject: string; username: string; name: string | undefined };
}

const hashState = (state: string) => createHash('sha256').update(state).digest('base64url');
const hashNonce = (nonce: string) => createHash('sha256').update(`browser:${nonce}`).digest('base64url');
const verifierBinding = (stateHash: string) => ({
  table: 'oauth_transactions',
  row: stateHash,
  field: 'verifier',
});

/** Property 6: only a same-origin relative path is kept. */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  try {
    const url = new URL(value, 'http://rotor.invalid');
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Checked again after normalising: "/.//evil.example" becomes "//evil.example".
    return url.origin === 'http://rotor.invalid' && !path.startsWith('//') && !path.startsWith('/\\')
      ? path
      : '/';
  } catch {
    return '/';
  }
}

/** Constant-time string comparison (property 8). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

const refuse = (message: string, cause?: unknown) =>
  new RotorError('authorization_failed', message, cause === undefined ? {} : { cause });

export class Connector {
  readonly #o: ConnectorOptions & { clock: Clock };

  constructor(options: ConnectorOptions) {
    this.#o = { ...options, clock: options.clock ?? systemClock };
  }

  /**
   * Starts an authorization: returns the URL to send the person to, and the state. With `browser`
   * (the mode a browser started it in, property 38) also a `browserNonce`: a secret for that
   * browser's cookie alone, never in a URL, without which {@link completeInBrowser} refuses.
   */
  async begin(
    opts: { ownerId?: string; returnTo?: string; browser?: AuthorizationMode } = {},
  ): Promise<{ url: string; state: string; browserNonce?: string }> {
    const p = this.#o.provider;
    const verifier = oauth.generateRandomCodeVerifier(); // 32 random bytes
    const state = oauth.generateRandomState(); // 256 bits
    const stateHash = hashState(state);
    const browserNonce = opts.browser ? randomBytes(32).toString('base64url') : undefined;
    await insertTransaction(this.#o.db, {
      mode: opts.browser ?? null,
      browserHash: browserNonce ? hashNonce(browserNonce) : null,
      stateHash,
      verifierCt: seal(this.#o.keyRing, verifier, verifierBinding(stateHash)),
      redirectUri: p.redirectUri,
      provider: p.id,
      ownerId: opts.ownerId ?? null,
      returnTo: safeReturnTo(opts.returnTo),
      ttlMs: TRANSACTION_TTL_MS,
    });
    const url = new URL(p.server.authorization_endpoint ?? '');
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('redirect_uri', p.redirectUri);
    url.searchParams.set('scope', p.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    for (const [k, v] of Object.entries(p.authorizationParams ?? {})) url.searchParams.set(k, v);
    // Spaces as %20, not '+': X's examples encode the scope list so.
    url.search = url.searchParams.toString().replace(/\+/g, '%20');
    return { url: url.toString(), state, ...(browserNonce ? { browserNonce } : {}) };
  }

  /** Validates the callback, exchanges the code, reads the profile; refusals before any token request. */
  async #exchange(
    callbackUrl: string | URL,
    opts: { expectedState?: string; browserNonce?: string; accept?: (tx: TransactionRow) => void },
  ): Promise<Exchanged> {
    const p = this.#o.provider;
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch (e) {
      throw refuse('That is not the URL X sent you back to.', e);
    }
    const states = url.searchParams.getAll('state');
    const state = states[0];
    if (states.length !== 1 || !state) throw refuse('The sign-in link is missing its state; start again.');
    if (opts.expectedState !== undefined && !sameSecret(state, opts.expectedState)) {
      throw refuse('This sign-in was started in another browser or tab; start again here.');
    }
    const browserHash = opts.browserNonce === undefined ? null : hashNonce(opts.browserNonce);
    const tx = await takeTransaction(this.#o.db, hashState(state), browserHash);
    if (!tx) {
      throw refuse(
        browserHash === null
          ? 'This sign-in link has expired or was already used; start again.'
          : 'This sign-in was started in another browser, has expired or was already used; start again here.',
      );
    }
    opts.accept?.(tx);
    if (tx.redirectUri !== p.redirectUri || tx.provider !== p.id)
      throw refuse('This sign-in was started with another configuration.');
    const verifier = open(this.#o.keyRing, tx.verifierCt, verifierBinding(hashState(state)));
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(p.server, { client_id: p.clientId }, url.searchParams, state);
    } catch (e) {
      if (e instanceof oauth.AuthorizationResponseError) {
        throw refuse(
          e.error === 'access_denied'
            ? 'You chose not to authorize Rotor on X. Nothing was connected.'
            : `X did not authorize the connection (${e.error}).`,
          e,
        );
      }
      throw refuse('X sent back an invalid answer.', e);
    }
    let tokens;
    try {
      tokens = await exchangeCode(p, params, verifier, this.#o.fetch ? { fetch: this.#o.fetch } : {});
    } catch (e) {
      // Property 37: a refused client is the app's id or secret, not the callback URL. A 401 may
      // come as a WWW-Authenticate challenge (RFC 6749 §5.2: a Basic client), not a body error.
      const refusedClient =
        (e instanceof oauth.ResponseBodyError && isClientRefusal(e.status, e.error)) ||
        (e instanceof oauth.WWWAuthenticateChallengeError && isClientRefusal(e.status, undefined));
      if (refusedClient)
        throw new RotorError('invalid_client', clientRefusedText('en', p.clientId), { cause: e });
      const detail = e instanceof oauth.ResponseBodyError ? ` (${e.error})` : '';
      throw refuse(
        `X refused to complete the connection${detail}. Start again; if it keeps failing, check the app's callback URL and type.`,
        e,
      );
    }
    const profile = await fetchProfile(p, tokens.accessToken, this.#o.fetch ? { fetch: this.#o.fetch } : {});
    if (profile.kind !== 'ok') {
      await this.#revoke(tokens); // nothing is kept, so the grant just made must not live on at X
      throw refuse('Connected, but X would not say which account it is; start again.');
    }
    return { tx, tokens, profile };
  }

  /** Best effort: ends at X a grant Rotor will not keep. */
  async #revoke(tokens: { accessToken: string; refreshToken?: string | undefined }): Promise<void> {
    const opts = this.#o.fetch ? { fetch: this.#o.fetch } : {};
    const token = tokens.refreshToken ?? tokens.accessToken;
    const hint = tokens.refreshToken ? 'refresh_token' : 'access_token';
    await revokeToken(this.#o.provider, token, hint, opts).catch(() => false);
  }

  /**
   * Completes an authorization from the callback URL and stores the account. `expectedState`, when
   * given (the state bound to this browser), must match. Refusals happen before any token request.
   */
  async complete(callbackUrl: string | URL, opts: { expectedState?: string } = {}): Promise<Connected> {
    return this.#keepConnection(await this.#exchange(callbackUrl, opts));
  }

  /**
   * Completes an authorization a browser started ({@link begin} with `browser`): only with that
   * browser's nonce, in the mode stored with it (never one the browser says), and a `connect`
   * only for the user who started it (`userId`: the browser's signed-in user now). Refusals
   * happen before any token request.
   */
  async completeInBrowser(
    callbackUrl: string | URL,
    opts: { browserNonce: string; userId: string | undefined },
  ): Promise<BrowserCompletion> {
    const exchanged = await this.#exchange(callbackUrl, {
      browserNonce: opts.browserNonce,
      accept: (tx) => {
        if (tx.mode === 'connect' && (tx.ownerId === null || tx.ownerId !== opts.userId))
          throw refuse('You signed out after starting to connect an account; sign in and start again.');
        if (tx.mode === null) throw refuse('This sign-in was not started in a browser; start again here.');
      },
    });
    if (exchanged.tx.mode === 'cookie') return { mode: 'cookie', session: this.#cookieSession(exchanged) };
    const mode = exchanged.tx.mode === 'connect' ? 'connect' : 'signin';
    return { mode, connected: await this.#keepConnection(exchanged) };
  }

  /** Saves the connection and reports it; one that cannot be kept ends the grant just made at X. */
  async #keepConnection({ tx, tokens, profile }: Exchanged): Promise<Connected> {
    const now = this.#o.clock.now();
    const saved = await this.#save(tx, tokens, profile, now).catch(async (e: unknown) => {
      // Not kept (the X account belongs to another Rotor user): end the grant just made at X.
      if (isRotorError(e, 'authorization_failed')) await this.#revoke(tokens);
      throw e;
    });
    this.#o.events?.emit('connected', { ...saved, username: profile.username });
    return { ...saved, username: profile.username, returnTo: safeReturnTo(tx.returnTo) };
  }

  #save(
    tx: { ownerId: string | null },
    tokens: Awaited<ReturnType<typeof exchangeCode>>,
    profile: { subject: string; username: string; name: string | undefined },
    now: number,
  ) {
    const p = this.#o.provider;
    const ring = this.#o.keyRing;
    return this.#o.db.transaction((q) =>
      saveConnection(
        q,
        {
          provider: p.id,
          subject: profile.subject,
          username: profile.username,
          displayName: profile.name,
          ownerId: tx.ownerId ?? undefined,
          consentedAt: now,
          scope: tokens.scope ?? p.scopes.join(' '),
          accessExpiresAt: now + (tokens.expiresIn ?? 7200) * 1000,
          keyId: ring.active.id,
        },
        (accountId) => ({
          accessCt: seal(ring, tokens.accessToken, tokenBinding(accountId, 'access')),
          refreshCt:
            tokens.refreshToken === undefined
              ? null
              : seal(ring, tokens.refreshToken, tokenBinding(accountId, 'refresh')),
        }),
      ),
    );
  }

  /**
   * Cookie mode: completes an authorization and returns the token set as a session for a sealed
   * cookie ({@link CookieVault}) instead of storing it.
   */
  async completeSession(
    callbackUrl: string | URL,
    opts: { expectedState?: string } = {},
  ): Promise<CookieSession & { returnTo: string }> {
    return this.#cookieSession(await this.#exchange(callbackUrl, opts));
  }

  #cookieSession({ tx, tokens, profile }: Exchanged): CookieSession & { returnTo: string } {
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: this.#o.clock.now() + (tokens.expiresIn ?? 7200) * 1000,
      scope: tokens.scope ?? this.#o.provider.scopes.join(' '),
      username: profile.username,
      returnTo: safeReturnTo(tx.returnTo),
    };
  }
}
