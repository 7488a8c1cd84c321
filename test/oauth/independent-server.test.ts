/**
 * Rotor's vault against a second independent authorization server, besides `oidc-provider`:
 * `@node-oauth/oauth2-server` over real HTTP (test/helpers/node-oauth-server.ts), found by RFC 8414
 * discovery and driven through the generic provider, on both store backends. Authorization code
 * with PKCE S256 (required), refresh-token rotation (the old refresh token dies), and the reuse of
 * a spent refresh token (the server revokes the whole grant): Rotor never sends a spent token
 * itself, even under 32 concurrent callers in 2 vaults, and when the grant has died it stops at
 * `reauth_required` after one try (properties 1, 11, 12, 14). This library reads HTTP Basic as X
 * does (no percent-decoding): with `-` and `_` in the client id, the RFC form is refused as
 * `invalid_client` and `basicCredentials: 'as-is'` connects (property 37).
 */
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { open } from '../../src/crypto/aead.ts';
import { discover, genericProvider } from '../../src/oauth/discovery.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { Connector } from '../../src/vault/connect.ts';
import { TokenVault, type VaultOptions } from '../../src/vault/vault.ts';
import { BACKENDS, openTestDb } from '../helpers/db.ts';
import { startNodeOAuthServer } from '../helpers/node-oauth-server.ts';
import { testKeyRing } from '../helpers/vault.ts';

// X-shaped credentials: base64url, with `-` and `_`.
const CLIENT_ID = 'rotor-node_oauth-client';
const CLIENT_SECRET = `${randomBytes(24).toString('base64url')}-_x`;
const REDIRECT_URI = 'https://rotor.example/oauth/callback';
const USER = { sub: 'user-0002', preferred_username: 'node_oauth_alice' };

/** Follows the authorization URL (the server consents at once) to the callback URL. */
async function authorize(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  assert.equal(response.status, 302, `authorization answered ${response.status}: ${await response.text()}`);
  assert.ok(location?.startsWith(REDIRECT_URI), `redirected to ${location}`);
  return location ?? '';
}

for (const backend of BACKENDS) {
  describe(`vault against @node-oauth/oauth2-server on ${backend}`, async () => {
    const as = await startNodeOAuthServer({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      user: USER,
      accessTokenLifetimeSeconds: 30,
    });
    after(() => as.close());
    const t = await openTestDb(backend);
    after(() => t.close());
    const keyRing = testKeyRing();
    const server = await discover(as.issuer, 'oauth2');
    const providerWith = (basicCredentials: 'as-is' | 'form-urlencoded') =>
      genericProvider({
        id: 'node-oauth-test',
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUri: REDIRECT_URI,
        scopes: ['openid', 'offline_access'],
        server,
        basicCredentials,
      });
    const provider = providerWith('as-is');
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
    const userinfo = async (accessToken: string) =>
      (await fetch(server.userinfo_endpoint ?? '', { headers: { authorization: `Bearer ${accessToken}` } }))
        .status;
    /** A refresh token presented straight to the token endpoint, as a copy outside Rotor would. */
    const presentRefreshToken = async (refreshToken: string) => {
      const response = await fetch(server.token_endpoint ?? '', {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    test('the generic provider connects with PKCE S256; the server refuses an authorization without PKCE', async () => {
      assert.deepEqual(server.code_challenge_methods_supported, ['S256']);
      const { url } = await connector.begin();
      assert.equal(new URL(url).searchParams.get('code_challenge_method'), 'S256');
      const connected = await connector.complete(await authorize(url));
      assert.equal(connected.username, USER.preferred_username);
      const row = (await listAccounts(t.db)).find((a) => a.id === connected.accountId);
      assert.equal(row?.status, 'active');
      assert.equal(row?.subject, USER.sub);
      assert.ok(await storedRefreshToken(connected.accountId));

      const withoutPkce = new URL(url);
      withoutPkce.searchParams.delete('code_challenge');
      withoutPkce.searchParams.delete('code_challenge_method');
      const refused = new URL(await authorize(withoutPkce.href));
      assert.equal(refused.searchParams.get('error'), 'invalid_request');
      assert.equal(refused.searchParams.get('code'), null);
    });

    test('a refresh rotates: the new pair works, the old refresh token is dead', async () => {
      const { accountId } = await connect();
      const vault = newVault();
      const first = await vault.getAccessToken(accountId);
      assert.equal(await userinfo(first.accessToken), 200);
      const oldRefresh = await storedRefreshToken(accountId);
      const refreshesBefore = as.refreshRequests();

      const second = await vault.getAccessToken(accountId, { rejected: first.accessToken });
      assert.notEqual(second.accessToken, first.accessToken);
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'one refresh at the server');
      const newRefresh = await storedRefreshToken(accountId);
      assert.notEqual(newRefresh, oldRefresh, 'the rotated refresh token is stored');
      assert.equal(await userinfo(second.accessToken), 200);
      assert.equal(as.reuseRevocations(), 0, 'Rotor never sent the old refresh token again');

      // The old one, presented by anyone, is refused (and, as a reuse, ends the grant).
      const replay = await presentRefreshToken(oldRefresh);
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error, 'invalid_grant');
    });

    test('32 concurrent callers in 2 vaults, near-expiry token → one refresh, no reuse, grant intact', async () => {
      const { accountId } = await connect();
      // Both "processes" run 25 s ahead: the 30 s token is inside the refresh margin.
      const clock = { now: () => Date.now() + 25_000 };
      const vaults = [newVault({ clock }), newVault({ clock })];
      const refreshesBefore = as.refreshRequests();
      const reusesBefore = as.reuseRevocations();
      const tokens = await Promise.all(
        Array.from({ length: 32 }, (_, i) => vaults[i % 2]!.getAccessToken(accountId)),
      );
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'exactly one refresh at the server');
      const token = tokens[0]!.accessToken;
      assert.ok(
        tokens.every((x) => x.accessToken === token),
        'every caller got the same token',
      );
      assert.equal(await userinfo(token), 200);
      assert.equal(as.reuseRevocations(), reusesBefore, 'no spent refresh token was sent');
      const later = await vaults[1]!.getAccessToken(accountId, { rejected: token });
      assert.equal(await userinfo(later.accessToken), 200, 'the grant is intact');
    });

    test('a spent refresh token reused elsewhere ends the grant: the vault tries once, then reauth_required', async () => {
      const { accountId } = await connect();
      const vault = newVault();
      const first = await vault.getAccessToken(accountId);
      const spent = await storedRefreshToken(accountId);
      const second = await vault.getAccessToken(accountId, { rejected: first.accessToken });

      const reusesBefore = as.reuseRevocations();
      const replay = await presentRefreshToken(spent);
      assert.equal(replay.body.error, 'invalid_grant');
      assert.equal(as.reuseRevocations(), reusesBefore + 1, 'the server revoked the grant');
      assert.equal(await userinfo(second.accessToken), 401, 'its access tokens died with it');

      const refreshesBefore = as.refreshRequests();
      await assert.rejects(vault.getAccessToken(accountId, { rejected: second.accessToken }), (e) =>
        isRotorError(e, 'reauth_required'),
      );
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'the vault tried once');
      const row = (await listAccounts(t.db)).find((a) => a.id === accountId);
      assert.equal(row?.status, 'reauth_required');
      await assert.rejects(vault.getAccessToken(accountId), (e) => isRotorError(e, 'reauth_required'));
      assert.equal(as.refreshRequests(), refreshesBefore + 1, 'retries stop');
    });

    test('the RFC form of Basic (percent-encoded `-`/`_`) is refused as invalid_client, named as the client', async () => {
      const rfc = new Connector({ db: t.db, provider: providerWith('form-urlencoded'), keyRing });
      const { url } = await rfc.begin();
      await assert.rejects(rfc.complete(await authorize(url)), (e) => {
        assert.ok(isRotorError(e, 'invalid_client'), String(e));
        assert.match(e.message, new RegExp(CLIENT_ID));
        assert.doesNotMatch(e.message, /check the app's callback URL/);
        assert.ok(!e.message.includes(CLIENT_SECRET), 'the secret is never in a message');
        return true;
      });
    });
  });
}
