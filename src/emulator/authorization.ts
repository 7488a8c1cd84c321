/**
 * @module The authorization request (`GET /i/oauth2/authorize`): what is checked, in which
 * order, and what each failure does. Until `client_id` and `redirect_uri` are known good the
 * answer is an error page, never a redirect (RFC 6749 §4.1.2.1); after that errors go back
 * to the client as `?error=…&state=…`.
 */
import { createHash } from 'node:crypto';
import { X_SCOPES } from './scopes.ts';
import { mintToken } from './tokens.ts';
import type { EmulatorWorld } from './world.ts';

/** A validated authorization request, waiting for the user's decision. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  challenge: string;
  method: 'S256' | 'plain';
}

export type AuthorizationCheck =
  | { kind: 'ok'; request: AuthorizationRequest }
  | { kind: 'error_page'; message: string }
  | {
      kind: 'redirect_error';
      redirectUri: string;
      error: string;
      description: string;
      state: string | undefined;
    };

const MAX_STATE = 500;

/** Validates the query of an authorization request. */
export function checkAuthorizationRequest(world: EmulatorWorld, query: URLSearchParams): AuthorizationCheck {
  const single = (name: string): string | undefined => {
    const all = query.getAll(name);
    return all.length === 1 ? all[0] : undefined;
  };
  const clientId = single('client_id');
  if (!clientId) return { kind: 'error_page', message: 'The request has no client_id (or more than one).' };
  const client = world.clients.get(clientId);
  if (!client)
    return { kind: 'error_page', message: `No app is registered with the client_id "${clientId}".` };
  const redirectUri = single('redirect_uri');
  if (!redirectUri)
    return { kind: 'error_page', message: 'The request has no redirect_uri (or more than one).' };
  // Byte-for-byte: no normalisation of case, trailing slash, port or encoding.
  if (!client.redirectUris.includes(redirectUri)) {
    return {
      kind: 'error_page',
      message: `The redirect_uri "${redirectUri}" is not registered for this app. Registered: ${client.redirectUris.join(', ')}.`,
    };
  }
  const rawState = query.get('state') ?? undefined;
  const back = (error: string, description: string, state = rawState): AuthorizationCheck => ({
    kind: 'redirect_error',
    redirectUri,
    error,
    description,
    state: state !== undefined && state.length <= MAX_STATE ? state : undefined,
  });
  if (single('response_type') !== 'code')
    return back('unsupported_response_type', 'response_type must be "code".');
  const state = single('state');
  if (state === undefined || state === '') return back('invalid_request', 'state is required.');
  if (state.length > MAX_STATE)
    return back('invalid_request', `state is longer than ${MAX_STATE} characters.`);
  const scopeParam = single('scope');
  const scopes = (scopeParam ?? '').split(' ').filter((s) => s !== '');
  if (scopes.length === 0) return back('invalid_scope', 'scope is required.');
  const unknown = scopes.filter((s) => !X_SCOPES.has(s));
  if (unknown.length > 0) return back('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
  const challenge = single('code_challenge');
  if (!challenge) return back('invalid_request', 'code_challenge is required (PKCE).');
  const methodParam = single('code_challenge_method');
  if (!methodParam) return back('invalid_request', 'code_challenge_method is required (S256 or plain).');
  const method =
    methodParam.toUpperCase() === 'S256'
      ? 'S256'
      : methodParam.toLowerCase() === 'plain'
        ? 'plain'
        : undefined;
  if (!method) return back('invalid_request', 'code_challenge_method must be S256 or plain.');
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) {
    return back('invalid_request', 'code_challenge must be 43–128 unreserved characters.');
  }
  return {
    kind: 'ok',
    request: { clientId, redirectUri, scopes: [...new Set(scopes)], state, challenge, method },
  };
}

/** Issues a single-use code for the user's approval of `request`. */
export function issueCode(world: EmulatorWorld, request: AuthorizationRequest, userId: string): string {
  const now = world.now();
  const code = mintToken('ac', now);
  world.codes.set(code, {
    clientId: request.clientId,
    userId,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    challenge: request.challenge,
    method: request.method,
    expiresAt: now + world.settings.codeTtl * 1000,
    grantId: undefined,
    used: false,
  });
  return code;
}

/** The URL the browser is sent back to. */
export function redirectUrl(redirectUri: string, params: Record<string, string | undefined>): string {
  // Appended as text: parsing and re-serialising would change the registered URI's bytes.
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query.toString()}`;
}

/** RFC 7636 §4.6: does `verifier` answer `challenge`? */
export function verifierMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return computed === challenge;
}
