/**
 * @module A second independent authorization server for the tests: `@node-oauth/oauth2-server`
 * (the maintained successor of `oauth2-server`), served over real HTTP on loopback. Its library
 * code does the protocol: the authorization endpoint, code exchange with PKCE (only `S256`; plain
 * is off by default), refresh with rotation (`alwaysIssueNewRefreshToken`: the old refresh token
 * is revoked through the model), client authentication by HTTP Basic, and Bearer authentication
 * at the userinfo endpoint. What the library leaves to its model is written here, in memory:
 * storage, the consent (given at once for one fixed user), requiring PKCE on every
 * authorization, and the policy on a spent refresh token presented again: the whole grant (every
 * token issued from the same consent) is revoked, as RFC 9700 §4.14.2 recommends and as
 * `oidc-provider` does. RFC 8414 metadata is served so that Rotor finds the endpoints by
 * discovery.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth2Server from '@node-oauth/oauth2-server';

export interface NodeOAuthServerOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The one user who consents (`sub`, `preferred_username` at userinfo). */
  user: { sub: string; preferred_username: string };
  accessTokenLifetimeSeconds: number;
}

export interface NodeOAuthServer {
  issuer: string;
  /** Refresh-token grant requests the token endpoint answered (success or error). */
  refreshRequests(): number;
  /** Grants revoked because a spent refresh token was presented again. */
  reuseRevocations(): number;
  close(): Promise<void>;
}

interface User {
  id: string;
  /** The consent this user's tokens descend from: revoked as one. */
  grant: string;
}
interface IssuedToken {
  accessToken: string;
  accessTokenExpiresAt?: Date | undefined;
  refreshToken?: string | undefined;
  refreshTokenExpiresAt?: Date | undefined;
  scope?: string[] | undefined;
  client: OAuth2Server.Client;
  user: User;
}
interface StoredCode {
  authorizationCode: string;
  expiresAt: Date;
  redirectUri: string;
  scope?: string[] | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
  client: OAuth2Server.Client;
  user: User;
}

const SCOPES = ['openid', 'offline_access', 'profile'];

export async function startNodeOAuthServer(o: NodeOAuthServerOptions): Promise<NodeOAuthServer> {
  const client: OAuth2Server.Client = {
    id: o.clientId,
    redirectUris: [o.redirectUri],
    grants: ['authorization_code', 'refresh_token'],
    accessTokenLifetime: o.accessTokenLifetimeSeconds,
    refreshTokenLifetime: 86_400,
  };
  const codes = new Map<string, StoredCode>();
  const accessTokens = new Map<string, IssuedToken>();
  const refreshTokens = new Map<string, IssuedToken>();
  /** Refresh tokens already rotated away: presented again, they are a reuse. */
  const spent = new Map<string, string>();
  const revokedGrants = new Set<string>();
  let refreshes = 0;
  let reuses = 0;

  const revokeGrant = (grant: string) => {
    revokedGrants.add(grant);
    for (const [k, t] of accessTokens) if (t.user.grant === grant) accessTokens.delete(k);
    for (const [k, t] of refreshTokens) if (t.user.grant === grant) refreshTokens.delete(k);
  };

  const model = {
    getClient: (clientId: string, clientSecret: string | null) =>
      clientId === o.clientId && (clientSecret === null || clientSecret === o.clientSecret) ? client : false,
    validateScope: (_user: User, _client: OAuth2Server.Client, scope?: string[]) =>
      scope && scope.every((s) => SCOPES.includes(s)) ? scope : false,
    verifyScope: () => true,
    saveAuthorizationCode: (
      code: Omit<StoredCode, 'client' | 'user'>,
      c: OAuth2Server.Client,
      user: User,
    ): StoredCode => {
      // PKCE on every authorization (RFC 9700 §2.1.1); the library checks the verifier later.
      if (!code.codeChallenge || code.codeChallengeMethod !== 'S256') {
        throw new OAuth2Server.InvalidRequestError('Invalid request: PKCE with S256 is required');
      }
      const stored = { ...code, client: c, user };
      codes.set(code.authorizationCode, stored);
      return stored;
    },
    getAuthorizationCode: (code: string) => codes.get(code),
    revokeAuthorizationCode: (code: { authorizationCode: string }) => codes.delete(code.authorizationCode),
    saveToken: (token: Omit<IssuedToken, 'client' | 'user'>, c: OAuth2Server.Client, user: User) => {
      if (revokedGrants.has(user.grant)) return false;
      const issued: IssuedToken = { ...token, client: c, user };
      accessTokens.set(token.accessToken, issued);
      if (token.refreshToken) refreshTokens.set(token.refreshToken, issued);
      return issued;
    },
    getAccessToken: (token: string) => {
      const t = accessTokens.get(token);
      return t && { ...t, accessTokenExpiresAt: t.accessTokenExpiresAt ?? new Date(Date.now() + 60_000) };
    },
    getRefreshToken: (token: string) => {
      const grant = spent.get(token);
      if (grant !== undefined) {
        // A rotated-away refresh token came back: someone holds a copy. The grant ends.
        if (!revokedGrants.has(grant)) reuses += 1;
        revokeGrant(grant);
        return false;
      }
      return refreshTokens.get(token) ?? false;
    },
    revokeToken: (token: IssuedToken) => {
      if (!token.refreshToken || !refreshTokens.delete(token.refreshToken)) return false;
      spent.set(token.refreshToken, token.user.grant);
      return true;
    },
  };
  const oauth = new OAuth2Server({
    model: model as unknown as OAuth2Server.AuthorizationCodeModel & OAuth2Server.RefreshTokenModel,
    alwaysIssueNewRefreshToken: true,
    allowEmptyState: false,
  });

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    scopes_supported: SCOPES,
  };

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
  };
  const send = (res: ServerResponse, r: OAuth2Server.Response) => {
    const headers = { ...(r.headers as Record<string, string>) };
    if (r.body !== undefined && typeof r.body === 'object') headers['content-type'] = 'application/json';
    res.writeHead(r.status ?? 200, headers).end(r.body === undefined ? '' : JSON.stringify(r.body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const body = req.method === 'POST' ? await readBody(req) : {};
    const request = new OAuth2Server.Request({
      method: req.method ?? 'GET',
      query: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string>,
      body,
    });
    const response = new OAuth2Server.Response();
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
      return;
    }
    try {
      if (url.pathname === '/authorize') {
        // The fixed user consents at once; each consent is a new grant.
        const user: User = { id: o.user.sub, grant: randomBytes(8).toString('hex') };
        await oauth.authorize(request, response, { authenticateHandler: { handle: () => user } });
      } else if (url.pathname === '/token') {
        const refresh = body.grant_type === 'refresh_token';
        try {
          await oauth.token(request, response);
        } finally {
          if (refresh) refreshes += 1;
        }
      } else if (url.pathname === '/userinfo') {
        await oauth.authenticate(request, response);
        response.body = o.user;
      } else {
        response.status = 404;
        response.body = { error: 'not_found' };
      }
    } catch (e) {
      // The library has already written the error into `response` (a redirect, or a JSON body).
      if (!(e instanceof OAuth2Server.OAuthError)) throw e;
      const redirect = response.get('location') as string | undefined;
      if (!redirect && (response.body === undefined || Object.keys(response.body as object).length === 0)) {
        response.status = e.code;
        response.body = { error: e.name, error_description: e.message };
      }
    }
    send(res, response);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    });
  });

  return {
    issuer,
    refreshRequests: () => refreshes,
    reuseRevocations: () => reuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
