/**
 * @module Grants and their token families: the code exchange, refresh-token rotation with
 * reuse detection, revocation, and the checks on a bearer token. Every function decides from
 * the world's state and clock; the HTTP layer only parses and formats.
 */
import type { ClientRecord, GrantEnd, GrantRecord, IssuedPair, TokenResponseBody } from './model.ts';
import { fail, ok, oauthErrors, type OAuthResult } from './oauth-errors.ts';
import { verifierMatches } from './authorization.ts';
import { mintToken } from './tokens.ts';
import type { EmulatorWorld } from './world.ts';

type Params = Record<string, string | undefined>;

function endGrant(world: EmulatorWorld, grant: GrantRecord, reason: GrantEnd): void {
  if (!grant.ended) grant.ended = { reason, at: world.now() };
}

/** Mints a new access token (and a refresh token with `offline.access`) for the grant. */
function issuePair(world: EmulatorWorld, grant: GrantRecord): IssuedPair {
  const now = world.now();
  const accessToken = mintToken('at', now);
  world.accessTokens.set(accessToken, {
    grantId: grant.id,
    expiresAt: now + world.settings.accessTokenTtl * 1000,
    revoked: false,
  });
  let refreshToken: string | undefined;
  if (grant.scopes.includes('offline.access')) {
    refreshToken = mintToken('rt', now);
    world.refreshTokens.set(refreshToken, { grantId: grant.id, issuedAt: now, spent: undefined });
  }
  return { accessToken, refreshToken };
}

function responseBody(world: EmulatorWorld, grant: GrantRecord, pair: IssuedPair): TokenResponseBody {
  const access = world.accessTokens.get(pair.accessToken);
  const expiresIn = access ? Math.max(0, Math.round((access.expiresAt - world.now()) / 1000)) : 0;
  const body: TokenResponseBody = {
    token_type: 'bearer',
    expires_in: expiresIn,
    access_token: pair.accessToken,
    scope: grant.scopes.join(' '),
  };
  if (pair.refreshToken !== undefined) body.refresh_token = pair.refreshToken;
  return body;
}

/** `grant_type=authorization_code`. */
export function exchangeCode(
  world: EmulatorWorld,
  client: ClientRecord,
  params: Params,
): OAuthResult<TokenResponseBody> {
  for (const name of ['code', 'redirect_uri', 'code_verifier'] as const) {
    if (!params[name]) return fail(oauthErrors.missingParameter(name));
  }
  const code = world.codes.get(params.code ?? '');
  if (!code || code.clientId !== client.clientId) return fail(oauthErrors.badCode());
  if (code.used) {
    world.counters.codeReuseDetected += 1;
    const grant = code.grantId ? world.grants.get(code.grantId) : undefined;
    if (grant && world.settings.revokeGrantOnCodeReuse) endGrant(world, grant, 'code_reuse');
    return fail(oauthErrors.badCode());
  }
  // Any exchange attempt consumes the code, so a verifier cannot be guessed by retrying.
  code.used = true;
  if (world.now() >= code.expiresAt) return fail(oauthErrors.badCode());
  if (params.redirect_uri !== code.redirectUri) return fail(oauthErrors.redirectMismatch());
  if (!verifierMatches(params.code_verifier ?? '', code.challenge, code.method)) {
    return fail(oauthErrors.verifierMismatch());
  }
  const grant: GrantRecord = {
    id: world.nextGrantId(),
    clientId: client.clientId,
    userId: code.userId,
    scopes: code.scopes,
    consentedAt: world.now(),
    ended: undefined,
    refreshEndsAt: undefined,
    refreshCount: 0,
  };
  world.grants.set(grant.id, grant);
  code.grantId = grant.id;
  return ok(responseBody(world, grant, issuePair(world, grant)));
}

/** When the refresh token stops working, per the settings and any early end. */
function refreshDeadline(world: EmulatorWorld, grant: GrantRecord, issuedAt: number): number {
  const ttl = world.settings.refreshTokenTtl * 1000;
  const natural = world.settings.refreshTokenExpiry === 'sliding' ? issuedAt + ttl : grant.consentedAt + ttl;
  return Math.min(natural, grant.refreshEndsAt ?? Infinity);
}

/** Where a grant stands, as `GET /_emulator/state` reports it. */
export function grantStatus(world: EmulatorWorld, grant: GrantRecord): 'active' | 'revoked' | 'expired' {
  if (grant.ended) return 'revoked';
  let newest = grant.consentedAt;
  for (const r of world.refreshTokens.values())
    if (r.grantId === grant.id && !r.spent) newest = Math.max(newest, r.issuedAt);
  return world.now() >= refreshDeadline(world, grant, newest) ? 'expired' : 'active';
}

/** `grant_type=refresh_token`: one-time use, rotated, with reuse detection. */
export function refreshGrant(
  world: EmulatorWorld,
  client: ClientRecord,
  params: Params,
): OAuthResult<TokenResponseBody> {
  const token = params.refresh_token;
  if (!token) return fail(oauthErrors.missingParameter('refresh_token'));
  const record = world.refreshTokens.get(token);
  const grant = record ? world.grants.get(record.grantId) : undefined;
  if (!record || !grant || grant.clientId !== client.clientId) return fail(oauthErrors.badToken());
  const now = world.now();
  if (record.spent) {
    world.counters.reuseDetected += 1;
    const { reuse, reuseGraceSeconds } = world.settings;
    if (reuse === 'token') return fail(oauthErrors.badToken());
    const successor = record.spent.successor;
    const successorRecord = successor.refreshToken
      ? world.refreshTokens.get(successor.refreshToken)
      : undefined;
    const withinGrace =
      reuse === 'grace' && now - record.spent.at <= reuseGraceSeconds * 1000 && !successorRecord?.spent;
    if (withinGrace && !grant.ended) return ok(responseBody(world, grant, successor));
    if (!grant.ended) world.counters.familiesRevoked += 1;
    endGrant(world, grant, 'reuse');
    return fail(oauthErrors.badToken());
  }
  if (grant.ended) return fail(oauthErrors.badToken());
  if (now >= refreshDeadline(world, grant, record.issuedAt)) return fail(oauthErrors.badToken());
  if (world.settings.revokeAccessTokenOnRefresh) {
    for (const access of world.accessTokens.values()) if (access.grantId === grant.id) access.revoked = true;
  }
  const pair = issuePair(world, grant);
  record.spent = { at: now, successor: pair };
  grant.refreshCount += 1;
  return ok(responseBody(world, grant, pair));
}

/** `POST /2/oauth2/revoke` (RFC 7009): unknown tokens are answered with success too. */
export function revokeToken(world: EmulatorWorld, client: ClientRecord, params: Params): OAuthResult<void> {
  const token = params.token;
  if (!token) return fail(oauthErrors.missingParameter('token'));
  const hint = params.token_type_hint;
  if (hint === undefined && world.settings.requireTokenTypeHint) {
    return fail(oauthErrors.missingParameter('token_type_hint'));
  }
  if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
    return fail(oauthErrors.unsupportedTokenType());
  }
  const access = world.accessTokens.get(token);
  if (access && world.grants.get(access.grantId)?.clientId === client.clientId) access.revoked = true;
  const refresh = world.refreshTokens.get(token);
  const grant = refresh ? world.grants.get(refresh.grantId) : undefined;
  // Revoking a refresh token ends the grant, and with it every token of the family.
  if (grant && grant.clientId === client.clientId) endGrant(world, grant, 'revoked_by_client');
  return ok(undefined);
}

export type BearerCheck =
  { ok: true; grant: GrantRecord } | { ok: false; status: 401 | 403; missing?: string[] };

/** Checks an `Authorization: Bearer …` header and the scopes an endpoint needs. */
export function checkBearer(
  world: EmulatorWorld,
  authorization: string | undefined,
  scopes: readonly string[],
): BearerCheck {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const record = match?.[1] ? world.accessTokens.get(match[1]) : undefined;
  const grant = record ? world.grants.get(record.grantId) : undefined;
  if (!record || !grant || record.revoked || grant.ended || world.now() >= record.expiresAt) {
    return { ok: false, status: 401 };
  }
  const missing = scopes.filter((s) => !grant.scopes.includes(s));
  if (missing.length > 0) return { ok: false, status: 403, missing };
  return { ok: true, grant };
}

/**
 * What a person does on X: revoke the app in "connected apps" (`revoke`), or a grant reaching
 * the end of its refresh-token life early (`expire`). Returns how many grants it touched.
 */
export function endUserGrants(
  world: EmulatorWorld,
  userId: string,
  clientId: string | undefined,
  how: 'revoke' | 'expire',
): number {
  let touched = 0;
  for (const grant of world.grants.values()) {
    if (grant.userId !== userId || grant.ended) continue;
    if (clientId !== undefined && grant.clientId !== clientId) continue;
    if (how === 'revoke') endGrant(world, grant, 'revoked_by_user');
    else grant.refreshEndsAt = world.now();
    touched += 1;
  }
  return touched;
}
