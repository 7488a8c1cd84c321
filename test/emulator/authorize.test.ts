/**
 * The authorization request: exact redirect_uri, PKCE, state, consent and cancel
 * (docs/x-fidelity.md). An unregistered redirect never gets a redirect.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeUrl, consent, DEMO_REDIRECT, emulator, getCode, pkce } from '../helpers/emulator.ts';

const emu = await emulator();

async function noRedirect(url: URL) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

describe('authorization request', () => {
  test('shows a consent page listing the seeded users', async () => {
    const res = await fetch(authorizeUrl(emu, { challenge: pkce().challenge }), { redirect: 'manual' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    for (const name of ['alice', 'bob']) assert.match(html, new RegExp(`value="${name}"`));
    assert.match(html, /Authorize app/);
    assert.match(html, /Cancel/);
  });

  test('approving redirects to the exact redirect_uri with state and a code', async () => {
    const url = authorizeUrl(emu, { challenge: pkce().challenge, state: 'st-123' });
    const back = await consent(emu, url, 'bob');
    assert.equal(`${back.origin}${back.pathname}`, DEMO_REDIRECT);
    assert.equal(back.searchParams.get('state'), 'st-123');
    assert.ok(back.searchParams.get('code'));
  });

  test('Cancel redirects with error=access_denied and the state', async () => {
    const back = await consent(
      emu,
      authorizeUrl(emu, { challenge: pkce().challenge, state: 'keep-me' }),
      'alice',
      'deny',
    );
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'keep-me');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('a consent request answers once', async () => {
    const page = await fetch(authorizeUrl(emu, { challenge: pkce().challenge }));
    const id = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const post = () =>
      fetch(new URL('/i/oauth2/authorize', emu.url), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request_id: id, username: 'alice', decision: 'allow' }),
      });
    assert.equal((await post()).status, 302);
    assert.equal((await post()).status, 400);
  });

  for (const [name, redirectUri] of [
    ['trailing slash', `${DEMO_REDIRECT}/`],
    ['localhost instead of 127.0.0.1', DEMO_REDIRECT.replace('127.0.0.1', 'localhost')],
    ['other port', DEMO_REDIRECT.replace(':3000', ':3001')],
    ['other case', DEMO_REDIRECT.replace('callback', 'Callback')],
    ['extra query', `${DEMO_REDIRECT}?x=1`],
  ] as const) {
    test(`redirect_uri mismatch (${name}) gives an error page, never a redirect`, async () => {
      const r = await noRedirect(authorizeUrl(emu, { challenge: pkce().challenge, redirectUri }));
      assert.equal(r.status, 400);
      assert.equal(r.location, null);
      assert.match(r.text, /not registered/);
    });
  }

  test('unknown client_id gives an error page, never a redirect', async () => {
    const r = await noRedirect(authorizeUrl(emu, { challenge: pkce().challenge, clientId: 'nobody' }));
    assert.equal(r.status, 400);
    assert.equal(r.location, null);
  });

  test('the error page escapes what it echoes', async () => {
    const r = await noRedirect(
      authorizeUrl(emu, { challenge: pkce().challenge, clientId: '<script>x</script>' }),
    );
    assert.doesNotMatch(r.text, /<script>x/);
  });

  const redirectErrors: [string, Parameters<typeof authorizeUrl>[1], string][] = [
    ['missing PKCE challenge', {}, 'invalid_request'],
    ['unknown challenge method', { challenge: pkce().challenge, method: 'S512' }, 'invalid_request'],
    ['state over 500 characters', { challenge: pkce().challenge, state: 'x'.repeat(501) }, 'invalid_request'],
    ['unknown scope', { challenge: pkce().challenge, scope: 'tweet.read everything' }, 'invalid_scope'],
    [
      'response_type token',
      { challenge: pkce().challenge, extra: { response_type: 'token' } },
      'unsupported_response_type',
    ],
  ];
  for (const [name, options, error] of redirectErrors) {
    test(`${name} redirects back with error=${error}`, async () => {
      const r = await noRedirect(authorizeUrl(emu, options));
      assert.equal(r.status, 302);
      const back = new URL(r.location ?? '');
      assert.equal(`${back.origin}${back.pathname}`, DEMO_REDIRECT);
      assert.equal(back.searchParams.get('error'), error);
      assert.equal(back.searchParams.get('code'), null);
    });
  }

  test('state of exactly 500 characters is accepted', async () => {
    const res = await fetch(authorizeUrl(emu, { challenge: pkce().challenge, state: 's'.repeat(500) }));
    assert.equal(res.status, 200);
  });

  test('challenge method is compared case-insensitively (s256, PLAIN)', async () => {
    await getCode(emu, 'alice', { method: 's256' });
    const { challenge: _c, verifier } = pkce();
    const res = await fetch(authorizeUrl(emu, { challenge: verifier, method: 'PLAIN' }));
    assert.equal(res.status, 200);
  });
});

describe('auto-approve', async () => {
  const auto = await emulator({ autoApprove: 'bob' });
  test('skips the consent page and redirects at once with a code', async () => {
    const r = await noRedirect(authorizeUrl(auto, { challenge: pkce().challenge, state: 'abc' }));
    assert.equal(r.status, 302);
    const back = new URL(r.location ?? '');
    assert.equal(back.searchParams.get('state'), 'abc');
    assert.ok(back.searchParams.get('code'));
  });
  test('still refuses an unregistered redirect_uri', async () => {
    const r = await noRedirect(
      authorizeUrl(auto, { challenge: pkce().challenge, redirectUri: 'http://evil.example/cb' }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.location, null);
  });
});
