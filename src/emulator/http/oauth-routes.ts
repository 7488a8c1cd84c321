/**
 * @module OAuth 2.0 endpoints: the authorization request and consent page, the token
 * endpoint (`authorization_code` and `refresh_token`) and revocation.
 */
import { Hono } from 'hono';
import { authenticateClient } from '../client-auth.ts';
import {
  checkAuthorizationRequest,
  issueCode,
  redirectUrl,
  type AuthorizationRequest,
} from '../authorization.ts';
import { exchangeCode, refreshGrant, revokeToken } from '../grants.ts';
import { oauthErrors, type OAuthError } from '../oauth-errors.ts';
import { randomId } from '../tokens.ts';
import { consentPage, errorPage } from './pages.ts';
import { emulatorLang } from './page-texts.ts';
import { readParams, withFault, type EmulatorContext, type EmulatorDeps, type EmulatorEnv } from './env.ts';

const PENDING_TTL_MS = 10 * 60 * 1000;
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function oauthRoutes(deps: EmulatorDeps): Hono<EmulatorEnv> {
  const { world } = deps;
  const app = new Hono<EmulatorEnv>();
  const pending = new Map<string, { request: AuthorizationRequest; expiresAt: number }>();

  const approve = (c: EmulatorContext, request: AuthorizationRequest, userId: string) =>
    c.redirect(
      redirectUrl(request.redirectUri, { state: request.state, code: issueCode(world, request, userId) }),
      302,
    );

  const authorize = (c: EmulatorContext) => {
    c.header('cache-control', 'no-store');
    const check = checkAuthorizationRequest(world, new URL(c.req.url).searchParams);
    if (check.kind === 'error_page') return c.html(errorPage(check.message), 400);
    if (check.kind === 'redirect_error') {
      const { redirectUri, error, description, state } = check;
      return c.redirect(redirectUrl(redirectUri, { error, error_description: description, state }), 302);
    }
    const auto = world.settings.autoApprove;
    if (auto !== undefined) {
      const user = world.userByName(auto);
      if (user) return approve(c, check.request, user.id);
    }
    const now = world.now();
    for (const [id, p] of pending) if (p.expiresAt <= now) pending.delete(id);
    const requestId = randomId('req');
    pending.set(requestId, { request: check.request, expiresAt: now + PENDING_TTL_MS });
    const client = world.clients.get(check.request.clientId);
    if (!client) return c.html(errorPage('Unknown app.'), 400);
    const lang = emulatorLang(c.req.header('accept-language'));
    return c.html(consentPage(client, check.request.scopes, requestId, [...world.users.values()], lang));
  };

  const decide = async (c: EmulatorContext) => {
    c.header('cache-control', 'no-store');
    const form = new URLSearchParams(await c.req.text());
    const id = form.get('request_id') ?? '';
    const entry = pending.get(id);
    pending.delete(id);
    if (!entry || entry.expiresAt <= world.now()) {
      return c.html(errorPage('This authorization request has expired or was already answered.'), 400);
    }
    const { request } = entry;
    if (form.get('decision') !== 'allow') {
      return c.redirect(
        redirectUrl(request.redirectUri, { error: 'access_denied', state: request.state }),
        302,
      );
    }
    const user = world.userByName(form.get('username') ?? '');
    if (!user) return c.html(errorPage('Choose an account to sign in with.'), 400);
    return approve(c, request, user.id);
  };

  for (const path of ['/i/oauth2/authorize', '/2/oauth2/authorize']) {
    app.get(path, authorize);
    app.post(path, decide);
  }

  const oauthError = (c: EmulatorContext, e: OAuthError) => c.json(e.body, e.status, NO_STORE);

  app.post('/2/oauth2/token', async (c) => {
    const params = await readParams(c);
    const grantType = params?.grant_type;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') {
      world.counters.tokenRequests[grantType] += 1;
    }
    const sentToken = grantType === 'refresh_token' ? params?.refresh_token : undefined;
    if (sentToken) {
      const sends = (world.refreshTokenSends.get(sentToken) ?? 0) + 1;
      world.refreshTokenSends.set(sentToken, sends);
      world.counters.mostSendsOfOneRefreshToken = Math.max(world.counters.mostSendsOfOneRefreshToken, sends);
    }
    return withFault(c, deps, 'token', () => {
      if (!params) return oauthError(c, oauthErrors.malformedBody());
      const client = authenticateClient(world, c.req.header('authorization'), params.client_id);
      if (!client.ok) return oauthError(c, client.error);
      if (!grantType) return oauthError(c, oauthErrors.missingParameter('grant_type'));
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        return oauthError(c, oauthErrors.unsupportedGrantType());
      }
      const result =
        grantType === 'authorization_code'
          ? exchangeCode(world, client.value, params)
          : refreshGrant(world, client.value, params);
      return result.ok ? c.json(result.value, 200, NO_STORE) : oauthError(c, result.error);
    });
  });

  app.post('/2/oauth2/revoke', async (c) => {
    const params = await readParams(c);
    return withFault(c, deps, 'revoke', () => {
      if (!params) return oauthError(c, oauthErrors.malformedBody());
      const client = authenticateClient(world, c.req.header('authorization'), params.client_id);
      if (!client.ok) return oauthError(c, client.error);
      const result = revokeToken(world, client.value, params);
      return result.ok ? c.json({ revoked: true }, 200, NO_STORE) : oauthError(c, result.error);
    });
  });

  return app;
}
