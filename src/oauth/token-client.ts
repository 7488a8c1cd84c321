/**
 * @module Talking to the token, revocation and profile endpoints through `oauth4webapi`, with a
 * deadline and a size cap on every call. Each function returns what happened as data
 * ({@link RefreshOutcome}); deciding what it means for the account is the vault's job.
 */
import * as oauth from 'oauth4webapi';
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

export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 15_000, maxBytes: 64 * 1024 };

function clientOf(p: OAuthProvider): oauth.Client {
  return { client_id: p.clientId };
}

function authOf(p: OAuthProvider): oauth.ClientAuth {
  return p.clientSecret === undefined ? oauth.None() : oauth.ClientSecretBasic(p.clientSecret);
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
    (typeof r.expires_in !== 'number' || !Number.isFinite(r.expires_in) || r.expires_in <= 0)
  ) {
    throw new TypeError('expires_in is not a positive number');
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

/** Turns what the refresh request threw or answered into an outcome. Pure apart from reading the error. */
export function classifyRefreshFailure(p: OAuthProvider, e: unknown): RefreshOutcome {
  if (e instanceof oauth.ResponseBodyError) {
    const description = e.error_description;
    if (e.error === 'invalid_client' || e.error === 'unauthorized_client')
      return { kind: 'invalid_client', error: e.error };
    if (p.isGrantRejection(e.error, description)) return { kind: 'rejected', error: e.error };
    if (e.status === 429) {
      return {
        kind: 'transient',
        code: 'x_rate_limited',
        status: 429,
        retryAfterMs: retryAfter(e.response.headers),
        outcomeUnknown: false,
      };
    }
    if (e.status >= 500) {
      return {
        kind: 'transient',
        code: 'x_unavailable',
        status: e.status,
        retryAfterMs: undefined,
        outcomeUnknown: false,
      };
    }
    // Another 4xx OAuth error (invalid_request for a reason that is not the grant, …): the
    // grant was not consumed; treat as a fault of the exchange, not of the user.
    return {
      kind: 'transient',
      code: 'invalid_response',
      status: e.status,
      retryAfterMs: undefined,
      outcomeUnknown: false,
    };
  }
  if (
    e instanceof oauth.OperationProcessingError ||
    e instanceof oauth.UnsupportedOperationError ||
    (e instanceof TypeError && !isNetworkError(e))
  ) {
    const response = (e as { cause?: unknown }).cause;
    const status = response instanceof Response ? response.status : undefined;
    if (status !== undefined && status === 429) {
      return {
        kind: 'transient',
        code: 'x_rate_limited',
        status,
        retryAfterMs: retryAfter(response instanceof Response ? response.headers : undefined),
        outcomeUnknown: false,
      };
    }
    if (status !== undefined && status >= 500) {
      return {
        kind: 'transient',
        code: 'x_unavailable',
        status,
        retryAfterMs: undefined,
        outcomeUnknown: false,
      };
    }
    // A 2xx that is not a valid token response: the server may well have rotated.
    const ok = status === undefined || (status >= 200 && status < 300);
    return {
      kind: 'transient',
      code: 'invalid_response',
      status,
      retryAfterMs: undefined,
      outcomeUnknown: ok,
    };
  }
  // Network errors, resets, timeouts: the request may have been processed.
  const refused = causeCode(e) === 'ECONNREFUSED';
  return {
    kind: 'transient',
    code: 'x_unavailable',
    status: undefined,
    retryAfterMs: undefined,
    outcomeUnknown: !refused,
  };
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

function isNetworkError(e: TypeError): boolean {
  return e.message === 'fetch failed' || causeCode(e) !== undefined;
}

/** Exchanges a refresh token. Never throws: every result is a {@link RefreshOutcome}. */
export async function refreshTokens(
  p: OAuthProvider,
  refreshToken: string,
  o: TokenClientOptions = {},
): Promise<RefreshOutcome> {
  try {
    const response = await oauth.refreshTokenGrantRequest(
      p.server,
      clientOf(p),
      authOf(p),
      refreshToken,
      requestOptions(p, o),
    );
    return {
      kind: 'rotated',
      tokens: toIssued(await oauth.processRefreshTokenResponse(p.server, clientOf(p), response)),
    };
  } catch (e) {
    return classifyRefreshFailure(p, e);
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
