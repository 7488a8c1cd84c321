/**
 * twitter-api-v2 (a client nobody here wrote, used by many X bots) drives the emulator as it
 * would drive X: its own PKCE link, code exchange, `v2.me`, post, reply, delete, refresh, the
 * reuse of a spent refresh token (the grant dies), revocation, and a 429 whose rate-limit headers
 * it parses. The library hard-codes X's hosts; `EmulatorAgent` only carries its requests to the
 * emulator on loopback, unchanged. The emulator runs on its strict defaults (Basic read as X
 * documents it), with a client id and secret shaped like X's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import { EmulatorAgent } from '../../scripts/chaos/x-agent.ts';
import { emulator } from '../helpers/emulator.ts';

const CLIENT_ID = 'dHdpdHRlci1hcGktdjI-_x.y~Z';
const CLIENT_SECRET = 'c2VjcmV0-_Lm.n~O-P_q';
const CALLBACK = 'http://127.0.0.1:8767/callback';
const SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access'];

describe('twitter-api-v2 1.29.1 against the emulator (strict defaults)', async () => {
  const emu = await emulator({
    autoApprove: 'alice',
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [CALLBACK] }],
    rateLimits: { usersMe15m: 3 },
  });
  const httpAgent = new EmulatorAgent(Number(new URL(emu.url).port));
  const app = new TwitterApi({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, { httpAgent });

  /** The library's own authorization link, followed at the emulator (auto-approved as alice). */
  async function login() {
    const { url, codeVerifier, state } = app.generateOAuth2AuthLink(CALLBACK, { scope: SCOPES });
    const link = new URL(url);
    // twitter-api-v2 writes the method in lower case, and X accepts it so.
    assert.equal(link.searchParams.get('code_challenge_method'), 's256');
    const atEmulator = new URL(`${link.pathname}${link.search}`, emu.url);
    const res = await fetch(atEmulator, { redirect: 'manual' });
    await res.body?.cancel();
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    assert.equal(back.searchParams.get('state'), state);
    const code = back.searchParams.get('code') ?? '';
    return app.loginWithOAuth2({ code, codeVerifier, redirectUri: CALLBACK });
  }

  test('PKCE link and code exchange: tokens for alice that v2.me accepts', async () => {
    const { client, accessToken, refreshToken, expiresIn, scope } = await login();
    assert.ok(accessToken && refreshToken);
    assert.equal(expiresIn, 7200);
    assert.deepEqual([...scope].sort(), [...SCOPES].sort());
    const me = await client.v2.me();
    assert.equal(me.data.username, 'alice');
  });

  test('post, reply and delete', async () => {
    const { client } = await login();
    const post = await client.v2.tweet(`hello from twitter-api-v2 ${Date.now()}`);
    assert.match(post.data.id, /^\d+$/);
    const reply = await client.v2.reply(`a reply ${Date.now()}`, post.data.id);
    assert.match(reply.data.id, /^\d+$/);
    assert.notEqual(reply.data.id, post.data.id);
    const deleted = await client.v2.deleteTweet(reply.data.id);
    assert.equal(deleted.data.deleted, true);
  });

  test('refresh rotates the pair; reusing the spent refresh token kills the grant', async () => {
    const first = await login();
    const second = await app.refreshOAuth2Token(first.refreshToken ?? '');
    assert.ok(second.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await second.client.v2.me()).data.username, 'alice');
    await assert.rejects(app.refreshOAuth2Token(first.refreshToken ?? ''), (e: unknown) => {
      assert.ok(e instanceof ApiResponseError);
      assert.equal(e.code, 400);
      return true;
    });
    // X treats the reuse as theft: the new pair dies with the grant.
    await assert.rejects(app.refreshOAuth2Token(second.refreshToken ?? ''), ApiResponseError);
    await assert.rejects(
      second.client.v2.me(),
      (e: unknown) => e instanceof ApiResponseError && e.code === 401,
    );
  });

  test('revoking the refresh token ends it', async () => {
    const { refreshToken } = await login();
    await app.revokeOAuth2Token(refreshToken ?? '', 'refresh_token');
    await assert.rejects(app.refreshOAuth2Token(refreshToken ?? ''), ApiResponseError);
  });

  test('a 429 with X’s rate-limit headers, as the library parses them', async () => {
    const { client } = await login();
    let error: unknown;
    for (let i = 0; i < 5 && error === undefined; i += 1) {
      await client.v2.me().catch((e: unknown) => {
        error = e;
      });
    }
    assert.ok(error instanceof ApiResponseError, 'the limit of 3 per 15 min is reached');
    assert.equal(error.code, 429);
    assert.equal(error.rateLimitError, true);
    assert.equal(error.rateLimit?.limit, 3);
    assert.equal(error.rateLimit?.remaining, 0);
    assert.ok((error.rateLimit?.reset ?? 0) * 1000 > Date.now(), 'reset is a future Unix time');
  });
});
