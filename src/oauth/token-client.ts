/**
 * @module Talking to the token, revocation and profile endpoints through `oauth4webapi`, with a
 * deadline and a size cap on every call. Each function returns what happened as data
 * ({@link RefreshOutcome}); deciding what it means for the account is the vault's job.
 */
import * as oauth from 'oauth4webapi';
import { isClientRefusal } from '../core/client-refused.ts';
import { clientAuthentication } from './client-auth.ts';
import { boundedFetch, type FetchLike, type FetchLimits } from './bounded-fetch.ts';
import type { OAuthProvider } from './provider.ts';

/** What a successful token response gave. */
export interface IssuedTokens {
  accessToken: string;
  /** Undefined when the server sent none (then the current one stays valid). */
  refreshToken: string | undefined;
  /** Seconds; undefined when the server did not say. */
  expiresIn: number | undefined;
  scope: string | undefined;
}

export type RefreshOutcome =
  | { kind: 'rotated'; tokens: IssuedTokens }
  /** The server refused the grant (spent, revoked, expired): only the user can fix it. */
  | { kind: 'rejected'; error: string }
  /** The server refused Rotor's client credentials: an operator must fix the configuration. */
  | { kind: 'invalid_client'; error: string }
  /**
   * Nothing decided. `outcomeUnknown`: the request may have reached the server and rotated the
   * tokens (timeout, dropped connection, a 2xx that is not a token response).
   */
  | {
      kind: 'transient';
      code: 'x_unavailable' | 'x_rate_limited' | 'invalid_response';
      status: number | undefined;
      retryAfterMs: number | undefined;
      outcomeUnknown: boolean;
    };

export interface TokenClientOptions {
  fetch?: FetchLike;
  limits?: Partial<FetchLimits>;
}

/** A token said to live longer than this is not believed (it would also overflow timestamps). */
const MAX_EXPIRES_IN = 30 * 86_400;

export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 64 * 1024 };

function clientOf(p: OAuthProvider): oauth.Client {
  return { client_id: p.clientId };
}

function authOf(p: OAuthProvider): oauth.ClientAuth {
  return clientAuthentication(p.clientSecret, p.basicCredentials);
}

function requestOptions(p: OAuthProvider, o: TokenClientOptions) {
  const f = boundedFetch(o.fetch ?? fetch, { ...DEFAULT_LIMITS, ...o.limits });
  return {
    [oauth.customFetch]: (url: string, init: RequestInit) => f(url, init),
    ...(p.allowInsecureHttp ? { [oauth.allowInsecureRequests]: true as const } : {}),
  };
}

/** Property 9: a token response is accepted only if every field is what it must be. */
function toIssued(r: oauth.TokenEndpointResponse): IssuedTokens {
  if (typeof r.access_token !== 'string' || r.access_token === '')
    throw new TypeError('access_token missing');
  if (typeof r.token_type !== 'string' || r.token_type.toLowerCase() !== 'bearer') {
    throw new TypeError('token_type is not bearer');
  }
  if (
    r.expires_in !== undefined &&
    (typeof r.expires_in !== 'number' ||
      !Number.isFinite(r.expires_in) ||
      r.expires_in <= 0 ||
      r.expires_in > MAX_EXPIRES_IN)
  ) {
    throw new TypeError('expires_in is not a number of seconds between 1 and 30 days');
  }
  if (r.refresh_token !== undefined && (typeof r.refresh_token !== 'string' || r.refresh_token === '')) {
    throw new TypeError('refresh_token is not a non-empty string');
  }
  return {
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    expiresIn: r.expires_in,
    scope: typeof r.scope === 'string' ? r.scope : undefined,
  };
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after') ?? headers?.get('x-rate-limit-reset');
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  // x-rate-limit-reset is a Unix time in seconds; Retry-After is a delay in seconds.
  return n > 1e9 ? Math.max(0, n * 1000 - Date.now()) : n * 1000;
}

const transient = (
  code: 'x_unavailable' | 'x_rate_limited' | 'invalid_response',
  status: number | undefined,
  outcomeUnknown: boolean,
  retryAfterMs?: number,
): RefreshOutcome => ({ kind: 'transient', code, status, retryAfterMs, outcomeUnknown });

/** The HTTP answer an oauth4webapi error carries, if any. */
function responseOf(e: unknown): Response | undefined {
  if (e instanceof oauth.ResponseBodyError || e instanceof oauth.WWWAuthenticateChallengeError)
    return e.response;
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause instanceof Response ? cause : undefined;
}

/**
 * Turns what the refresh request threw into an outcome. Whenever an HTTP status came back, the
 * outcome is known (the server decided) — except a 2xx we cannot read, and a gateway's 502/504
 * (the origin may have processed it) — and a 401 is always the client's credentials.
 */
export function classifyRefreshFailure(
  p: OAuthProvider,
  e: unknown,
  body?: { error?: unknown; error_description?: unknown },
  received?: Response,
): RefreshOutcome {
  const response = responseOf(e) ?? received;
  if (!response) {
    // Network errors, resets, timeouts: the request may have been processed — unless it never
    // connected.
    return transient('x_unavailable', undefined, causeCode(e) !== 'ECONNREFUSED');
  }
  const status = response.status;
  const error =
    e instanceof oauth.ResponseBodyError ? e.error : typeof body?.error === 'string' ? body.error : undefined;
  const description =
    e instanceof oauth.ResponseBodyError
      ? e.error_description
      : typeof body?.error_description === 'string'
        ? body.error_description
        : undefined;
  if (status >= 200 && status < 300) return transient('invalid_response', status, true);
  if (isClientRefusal(status, error)) {
    return { kind: 'invalid_client', error: error ?? 'http_401' };
  }
  if (error !== undefined && p.isGrantRejection(error, description)) return { kind: 'rejected', error };
  if (status === 429) return transient('x_rate_limited', 429, false, retryAfter(response.headers));
  if (status === 502 || status === 504) return transient('x_unavailable', status, true);
  if (status >= 500) return transient('x_unavailable', status, false);
  // Another 4xx (invalid_request for a reason that is not the grant, …): the grant was not
  // consumed; a fault of the exchange, not of the user.
  return transient('invalid_response', status, false);
}

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i += 1) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Exchanges a refresh token. Never throws: every result is a {@link RefreshOutcome}. */
export async function refreshTokens(
  p: OAuthProvider,
  refreshToken: string,
  o: TokenClientOptions = {},
): Promise<RefreshOutcome> {
  let body: { error?: unknown; error_description?: unknown; expires_in?: unknown } | undefined;
  let response: Response | undefined;
  try {
    response = await oauth.refreshTokenGrantRequest(
      p.server,
      clientOf(p),
      authOf(p),
      refreshToken,
      requestOptions(p, o),
    );
    body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as typeof body;
    // Property 9 on the raw body: oauth4webapi would read "7200" (a string) as a number.
    if (response.ok && body?.expires_in !== undefined && typeof body.expires_in !== 'number') {
      return transient('invalid_response', response.status, true);
    }
    return {
      kind: 'rotated',
      tokens: toIssued(await oauth.processRefreshTokenResponse(p.server, clientOf(p), response)),
    };
  } catch (e) {
    return classifyRefreshFailure(p, e, body, response);
  }
}

/** Exchanges an authorization code (after the callback was validated). Throws on any failure. */
export async function exchangeCode(
  p: OAuthProvider,
  callbackParams: URLSearchParams,
  codeVerifier: string,
  o: TokenClientOptions = {},
): Promise<IssuedTokens> {
  const response = await oauth.authorizationCodeGrantRequest(
    p.server,
    clientOf(p),
    authOf(p),
    callbackParams,
    p.redirectUri,
    codeVerifier,
    requestOptions(p, o),
  );
  return toIssued(await oauth.processAuthorizationCodeResponse(p.server, clientOf(p), response));
}

/** RFC 7009 revocation. Resolves true when the server accepted it. */
export async function revokeToken(
  p: OAuthProvider,
  token: string,
  hint: 'access_token' | 'refresh_token',
  o: TokenClientOptions = {},
): Promise<boolean> {
  if (!p.server.revocation_endpoint) return false;
  try {
    const response = await oauth.revocationRequest(p.server, clientOf(p), authOf(p), token, {
      ...requestOptions(p, o),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
    return true;
  } catch {
    return false;
  }
}

export type ProfileResult =
  | { kind: 'ok'; subject: string; username: string; name: string | undefined }
  | { kind: 'unauthorized' }
  | { kind: 'failed'; status: number | undefined };

/** Reads who the access token belongs to. */
export async function fetchProfile(
  p: OAuthProvider,
  accessToken: string,
  o: TokenClientOptions = {},
): Promise<ProfileResult> {
  const f = boundedFetch(o.fetch ?? fetch, { ...DEFAULT_LIMITS, ...o.limits });
  try {
    const response = await f(p.profile.url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (response.status === 401) return { kind: 'unauthorized' };
    if (!response.ok) return { kind: 'failed', status: response.status };
    const parsed = p.profile.parse(await response.json());
    return parsed
      ? { kind: 'ok', subject: parsed.subject, username: parsed.username, name: parsed.name }
      : { kind: 'failed', status: response.status };
  } catch {
    return { kind: 'failed', status: undefined };
  }
}
