/**
 * The vault against an independent, strict authorization server: `oidc-provider` on loopback,
 * with a confidential client (client_secret_basic), PKCE S256 required, refresh-token rotation
 * (reuse of a rotated refresh token revokes the whole grant), 30 s access tokens and refresh
 * tokens for `offline_access`. Found by discovery, driven through `genericProvider`, on both
 * store backends (properties 1, 11, 12, 14, 18).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { open } from '../../src/crypto/aead.ts';
import { discover, genericProvider } from '../../src/oauth/discovery.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { Connector } from '../../src/vault/connect.ts';
import { disconnectAccount } from '../../src/vault/disconnect.ts';
import { TokenVault, type VaultOptions } from '../../src/vault/vault.ts';
import { BACKENDS, openTestDb } from '../helpers/db.ts';
import { testKeyRing } from '../helpers/vault.ts';

// ---------------------------------------------------------------------------------------------
// The parts of oidc-provider this test uses (the package ships no type definitions).

interface OidcContext {
  oidc?: { params?: { grant_type?: unknown } };
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcInteraction {
  uid: string;
  params: Record<string, unknown>;
  prompt: { name: string };
}
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  on(event: string, listener: (ctx: OidcContext, ...rest: unknown[]) => void): unknown;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<OidcInteraction>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => OidcGrant;
}
type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

// A specifier TypeScript does not try to resolve (no @types/oidc-provider).
const OIDC_PROVIDER: string = 'oidc-provider';
const { default: Provider } = (await import(OIDC_PROVIDER)) as { default: OidcProviderClass };

// ---------------------------------------------------------------------------------------------
// The authorization server.

const CLIENT_ID = 'rotor-test';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const REDIRECT_URI = 'https://rotor.example/oauth/callback';
const ACCOUNT = { sub: 'user-0001', preferred_username: 'oidc_alice' };
const ACCESS_TOKEN_TTL_S = 30;
const REAUTH_REASONS = ['expired', 'revoked', 'reused', 'lost_response', 'unknown'];

interface AuthorizationServer {
  issuer: string;
  /** refresh_token grant requests the token endpoint answered (success or error). */
  refreshRequests(): number;
  /** Grants oidc-provider revoked (reuse detection, revocation). */
  revokedGrants(): number;
  close(): Promise<void>;
}

async function startAuthorizationServer(): Promise<AuthorizationServer> {
  // The issuer needs the port, so the server listens first and gets its handler once configured.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // The in-memory adapter is what a test wants; mute only oidc-provider's warning about it.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('development-only in-memory adapter')) warn(...args);
  };
  let provider: OidcProvider;
  try {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [REDIRECT_URI],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      pkce: { required: () => true },
      rotateRefreshToken: true,
      issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: unknown) =>
        client.grantTypeAllowed('refresh_token') &&
        (code as { scopes: Set<string> }).scopes.has('offline_access'),
      ttl: {
        AccessToken: ACCESS_TOKEN_TTL_S,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 600,
        Session: 3600,
        Grant: 86_400,
        RefreshToken: 86_400,
      },
      scopes: ['openid', 'offline_access'],
      claims: { openid: ['sub', 'preferred_username'] },
      findAccount: (_ctx: unknown, sub: string) =>
        sub === ACCOUNT.sub ? { accountId: sub, claims: () => ({ ...ACCOUNT }) } : undefined,
      features: {
        devInteractions: { enabled: false },
        revocation: {
          enabled: true,
          allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) =>
            token.clientId === client.clientId,
        },
        userinfo: { enabled: true },
      },
    });
  } finally {
    console.warn = warn;
  }

  let refreshes = 0;
  let revoked = 0;
  const isRefresh = (ctx: OidcContext) => ctx.oidc?.params?.grant_type === 'refresh_token';
  provider.on('grant.success', (ctx) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  provider.on('grant.error', (ctx) => {
    if (isRefresh(ctx)) refreshes += 1;
  });
  provider.on('grant.revoked', () => {
    revoked += 1;
  });

  // No login UI: the interaction route signs the fixed account in and grants what was asked.
  const finishInteraction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: ACCOUNT.sub, clientId: CLIENT_ID });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: ACCOUNT.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  };
  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      finishInteraction(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
      });
    } else {
      void oidc(req, res);
    }
  });

  return {
    issuer,
    refreshRequests: () => refreshes,
    revokedGrants: () => revoked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Follows the authorization URL as a browser would (cookies, manual redirects) to the callback. */
async function authorize(authorizationUrl: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(
        `authorization stopped at ${url.pathname}: HTTP ${response.status} ${await response.text()}`,
      );
    }
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT_URI)) return next.href;
    url = next;
  }
  throw new Error('too many redirects during authorization');
}

// ---------------------------------------------------------------------------------------------

for (const backend of BACKENDS) {
  describe(`vault against oidc-provider on ${backend}`, async () => {
    const as = await startAuthorizationServer();
    after(() => as.close());
    const t = await openTestDb(backend);
    after(() => t.close());
    const keyRing = testKeyRing();
    const server = await discover(as.issuer);
    const provider = genericProvider({
      id: 'oidc-test',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      scopes: ['openid', 'offline_access'],
      server,
      authorizationParams: { prompt: 'consent' },
    });
    const connector = new Connector({ db: t.db, provider, keyRing });
    const newVault = (o: Partial<VaultOptions> = {}) =>
      new TokenVault({ db: t.db, provider, keyRing, httpTimeoutMs: 5_000, leaseTtlMs: 10_000, ...o });

    const connect = async () => {
      const { url } = await connector.begin();
      return connector.complete(await authorize(url));
    };
    const storedRefreshToken = async (accountId: string) => {
      const row = await readTokenSet(t.db, accountId);
      assert.ok(row?.refreshCt, 'a refresh token is stored');
      return open(keyRing, row.refreshCt, { table: 'token_sets', row: accountId, field: 'refresh' });
    };
    const userinfo = async (accessToken: string) => {
      const response = await fetch(server.userinfo_endpoint ?? '', {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      return {
        status: response.status,
        body: response.ok ? await response.json() : undefined,
      };
    };
    /** A refresh token presented straight to the token endpoint, as an attacker (or a buggy client) would. */
    const presentRefreshToken = async (refreshToken: string) => {
      const basic = Buffer.from(
        `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`,
      ).toString('base64');
      const response = await fetch(server.token_endpoint ?? '', {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    test('Connector.begin/complete connects the account; username from preferred_username', async () => {
      assert.ok(server.code_challenge_methods_supported?.includes('S256'));
      const { url, state } = await connector.begin();
      const request = new URL(url);
      assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(request.searchParams.get('prompt'), 'consent');
      assert.equal(request.searchParams.get('scope'), 'openid offline_access');
      const callback = await authorize(url);
      assert.equal(new URL(callback).searchParams.get('iss'), as.issuer);
      const connected = await connector.complete(callback, { expectedState: state });
      assert.equal(connected.username, ACCOUNT.preferred_username);
      const row = (await listAccounts(t.db)).find((a) => a.id === connected.accountId);
      assert.equal(row?.status, 'active');
      assert.equal(row?.provider, 'oidc-test');
      assert.equal(row?.subject, ACCOUNT.sub);
      assert.equal(row?.username, ACCOUNT.preferred_username);
      assert.ok(await storedRefreshToken(connected.accountId), 'offline_access gave a refresh token');
    });

    test('getAccessToken returns the token; a forced refresh rotates it and the new token works at userinfo', async () => {
      const { accountId } = await connect();
      const vault = newVault();
      const refreshesBefore = as.refreshRequests();
      const first = await vault.getAccessToken(accountId);
      assert.equal(as.refreshRequests(), refreshesBefore, 'a fresh token needs no refresh');
      assert.equal((await userinfo(first.accessToken)).status, 200);
      const refreshBefore = await storedRefreshToken(accountId);

      const second = await vault.getAccessToken(accountId, { rejected: first.accessToken });
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'one refresh at the server');
      assert.notEqual(
        await storedRefreshToken(accountId),
        refreshBefore,
        'the rotated refresh token is stored',
      );
      const me = await userinfo(second.accessToken);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, ACCOUNT);
      assert.equal(as.revokedGrants(), 0);
    });

    test('32 concurrent callers in 2 vaults, near-expiry token → one refresh, one token, grant intact', async () => {
      const { accountId } = await connect();
      const connectedToken = open(keyRing, (await readTokenSet(t.db, accountId))?.accessCt ?? '', {
        table: 'token_sets',
        row: accountId,
        field: 'access',
      });
      // Both "processes" run 25 s ahead: the 30 s token has 5 s left, inside the default margin
      // (a quarter of its life); the refreshed one is fresh again.
      const clock = { now: () => Date.now() + 25_000 };
      const vaults = [newVault({ clock }), newVault({ clock })];
      const refreshesBefore = as.refreshRequests();
      const revokedBefore = as.revokedGrants();

      const tokens = await Promise.all(
        Array.from({ length: 32 }, (_, i) => vaults[i % 2]!.getAccessToken(accountId)),
      );
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'exactly one refresh at the server');
      const token = tokens[0]!.accessToken;
      assert.notEqual(token, connectedToken, 'the token was refreshed');
      assert.ok(
        tokens.every((x) => x.accessToken === token),
        'every caller got the same token',
      );
      assert.equal((await userinfo(token)).status, 200);
      assert.equal(as.revokedGrants(), revokedBefore, 'the grant was not revoked');

      // A later refresh still works: the grant is intact and the stored refresh token is the newest.
      const later = await vaults[1]!.getAccessToken(accountId, { rejected: token });
      assert.notEqual(later.accessToken, token);
      assert.equal(as.refreshRequests(), refreshesBefore + 2);
      assert.equal((await userinfo(later.accessToken)).status, 200);
      assert.equal(as.revokedGrants(), revokedBefore);
      assert.equal((await listAccounts(t.db)).find((a) => a.id === accountId)?.status, 'active');
    });

    test('reuse of a spent refresh token revokes the grant; the vault ends in reauth_required', async () => {
      const { accountId } = await connect();
      const vault = newVault();
      const first = await vault.getAccessToken(accountId);
      const spent = await storedRefreshToken(accountId);
      const second = await vault.getAccessToken(accountId, { rejected: first.accessToken });
      assert.notEqual(second.accessToken, first.accessToken);

      const revokedBefore = as.revokedGrants();
      const replay = await presentRefreshToken(spent);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal(as.revokedGrants(), revokedBefore + 1, 'oidc-provider revoked the grant');
      assert.equal((await userinfo(second.accessToken)).status, 401, 'its access tokens died with it');

      const refreshesBefore = as.refreshRequests();
      await assert.rejects(
        vault.getAccessToken(accountId, { rejected: second.accessToken }),
        (e) => isRotorError(e, 'reauth_required') && REAUTH_REASONS.includes(e.reason ?? ''),
      );
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'the vault tried once');
      const row = (await listAccounts(t.db)).find((a) => a.id === accountId);
      assert.equal(row?.status, 'reauth_required');
      assert.ok(REAUTH_REASONS.includes(row?.reason ?? ''), `reason ${row?.reason}`);
      // Retries stop: no further refresh request for an account that needs its user.
      await assert.rejects(vault.getAccessToken(accountId), (e) => isRotorError(e, 'reauth_required'));
      assert.equal(as.refreshRequests(), refreshesBefore + 1);
    });

    test('disconnectAccount revokes at the server and deletes the local rows', async () => {
      const { accountId } = await connect();
      const vault = newVault();
      const { accessToken } = await vault.getAccessToken(accountId);
      const refreshToken = await storedRefreshToken(accountId);
      assert.equal((await userinfo(accessToken)).status, 200);

      const result = await disconnectAccount({ db: t.db, provider, keyRing }, accountId);
      assert.deepEqual(result, { revokedAtX: true, deleted: true });

      const refresh = await presentRefreshToken(refreshToken);
      assert.equal(refresh.status, 400);
      assert.equal(refresh.body.error, 'invalid_grant', 'the refresh token no longer works');
      assert.equal((await userinfo(accessToken)).status, 401, 'the access token no longer works');
      assert.equal(await readTokenSet(t.db, accountId), undefined);
      assert.equal(
        (await listAccounts(t.db)).find((a) => a.id === accountId),
        undefined,
      );
      vault.forget(accountId);
      await assert.rejects(vault.getAccessToken(accountId), (e) => isRotorError(e, 'account_not_found'));
    });
  });
}
