/**
 * The security review's findings (issue 12, properties 38–39), each against a real `rotor serve`
 * (demo mode, PostgreSQL), two users, real ids: the OAuth callback bound to the browser that
 * started it, cookie-mode forget, sessions (new id per sign-in, idle timeout, the list, sign out
 * everywhere, the sign-in account banner), the audit log's key id, text PostgreSQL refuses,
 * Cache-Control, the `/metrics` token, the public origin and JSON media type, and rate limits.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { freePort, killLeftovers } from '../helpers/cli.ts';
import { consent, control, state } from '../helpers/emulator.ts';
import { api, createKey, Jar, serve, signIn, signedIn, type Served } from '../helpers/web.ts';
import { CookieVault } from '../../src/vault/cookie.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';
import type { OAuthProvider } from '../../src/oauth/provider.ts';
import { redact } from '../../src/ops/redact.ts';
import { loadWebSecurity } from '../../src/web/security-config.ts';

after(killLeftovers);

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** Starts an authorization in `jar` and answers X's consent as `username`: the callback URL. */
async function callbackUrl(s: Served, jar: Jar, start: string, username: string): Promise<string> {
  const begin = await jar.fetch(start);
  assert.equal(begin.status, 302);
  const back = await consent({ url: s.emu }, new URL(begin.headers.get('location') ?? ''), username);
  return back.pathname + back.search;
}

const stateOf = (callback: string) => new URL(callback, 'http://x').searchParams.get('state') ?? '';

async function sql(s: Served, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: s.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function accountIdOf(s: Served, key: string, username: string): Promise<string> {
  const accounts = (await api(s, key, 'GET', '/accounts')).json.accounts as {
    id: string;
    username: string;
  }[];
  const id = accounts.find((a) => a.username === username)?.id;
  assert.ok(id, `@${username} is connected`);
  return id;
}

test('security review: callback binding, cookie mode, sessions, audit, input, headers, metrics, origin', async (t) => {
  const port = await freePort();
  const s = await serve({
    env: {
      PORT: String(port),
      ROTOR_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ROTOR_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
  const alice = await signedIn(s, 'alice');
  const mallory = await signedIn(s, 'bob'); // the other user (the emulator knows alice, bob, hanako)
  const aliceKey = await createKey(alice, 'all', [
    'accounts:read',
    'posts:read',
    'posts:write',
    'schedules:read',
    'schedules:write',
    'tokens:issue',
  ]);
  const aliceAccount = await accountIdOf(s, aliceKey, 'alice');

  await t.test('38: a leaked signin/connect callback cannot be finished with a forged cookie', async () => {
    // Alice connects another account; the callback URL (code and state) leaks before she uses it.
    const leaked = await callbackUrl(s, alice, '/accounts/connect', 'hanako');
    const attacker = new Jar(s.web);
    // The old cookie format, forged from the URL's state: "signin" would sign in as Alice.
    attacker.cookies.set('rotor-oauth', `signin.${stateOf(leaked)}`);
    const forged = await attacker.fetch(leaked);
    assert.equal(forged.status, 400);
    assert.ok(!attacker.cookies.has('rotor-session'), 'the attacker is signed in as nobody');
    // The attacker's own nonce (from a flow they started) does not fit Alice's transaction either.
    await attacker.fetch('/auth/x/start?mode=signin');
    assert.ok(attacker.cookies.has('rotor-oauth'));
    const own = await attacker.fetch(leaked);
    assert.equal(own.status, 400);
    assert.ok(!attacker.cookies.has('rotor-session'));
    // Mallory, signed in, with a connect cookie forged for Alice's id: refused as well.
    const users = await sql(s, "SELECT id FROM users WHERE username = 'alice'");
    const forMallory = new Jar(s.web);
    for (const [k, v] of mallory.cookies) forMallory.cookies.set(k, v);
    forMallory.cookies.set('rotor-oauth', `connect.${String(users[0]?.id)}.${stateOf(leaked)}`);
    assert.equal((await forMallory.fetch(leaked)).status, 400);
    // None of this burned Alice's state: her own browser completes it.
    const done = await alice.fetch(leaked);
    assert.equal(done.status, 303);
    const owned = (await api(s, aliceKey, 'GET', '/accounts')).json.accounts as { username: string }[];
    assert.ok(owned.some((a) => a.username === 'hanako'));
  });

  await t.test('38: a leaked cookie-mode callback does not put the tokens in another browser', async () => {
    const victim = new Jar(s.web);
    const leaked = await callbackUrl(s, victim, '/auth/x/start?mode=cookie', 'hanako');
    const attacker = new Jar(s.web);
    attacker.cookies.set('rotor-oauth', `cookie.${stateOf(leaked)}`);
    const forged = await attacker.fetch(leaked);
    assert.equal(forged.status, 400);
    assert.ok(!attacker.cookies.has('rotor-x'), 'no sealed tokens for the attacker');
    const done = await victim.fetch(leaked);
    assert.equal(done.status, 303);
    assert.ok(victim.cookies.has('rotor-x'));
  });

  await t.test('39: forget revokes the grant at X, and a copy of the cookie is refused', async () => {
    const jar = new Jar(s.web);
    const before = new Set((await state({ url: s.emu })).grants.map((g) => g.id));
    const back = await callbackUrl(s, jar, '/auth/x/start?mode=cookie', 'hanako');
    assert.equal((await jar.fetch(back)).status, 303);
    const mine = (await state({ url: s.emu })).grants.filter((g) => !before.has(g.id));
    assert.equal(mine.length, 1, 'one new grant for this browser');
    const copy = new Jar(s.web);
    copy.cookies.set('rotor-x', jar.cookies.get('rotor-x') ?? '');
    const quick = await (await jar.fetch('/quick')).text();
    assert.match(quick, /@hanako/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(quick)?.[1] ?? '';
    assert.equal((await jar.form('/quick/forget', { _csrf: csrf })).status, 303);
    const grant = (await state({ url: s.emu })).grants.find((g) => g.id === mine[0]?.id);
    assert.equal(grant?.status, 'revoked', 'the grant ended at X (RFC 7009)');
    // The copy (same value, other browser) signs nobody in and posts nothing.
    assert.doesNotMatch(await (await copy.fetch('/quick')).text(), /@hanako/);
    const posted = await copy.form('/quick', { _csrf: csrf, text: 'from a stolen cookie' });
    assert.equal(posted.status, 403);
    assert.ok(!(await state({ url: s.emu })).posts.some((p) => p.text === 'from a stolen cookie'));
  });

  await t.test('39: the sealed value carries its own expiry, checked on open', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const ring = KeyRing.parse(`k1:${Buffer.alloc(32, 7).toString('base64url')}`);
    const jar = new CookieVault({
      provider: {} as OAuthProvider, // sealing and opening never call X
      keyRing: ring,
      clock: { now: () => now },
      maxAgeSeconds: 3600,
      insecureLoopbackCookie: true,
    });
    const value = jar.seal({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: now + 7_200_000,
      scope: 'tweet.write',
      username: 'kenji',
    });
    assert.equal(jar.read(value)?.username, 'kenji');
    now += 3_600_001; // the browser could keep the cookie; the server does not accept it
    assert.equal(jar.read(value), undefined);
  });

  await t.test('sessions: every sign-in gets a new id, and the old one dies', async () => {
    const jar = await signedIn(s, 'alice');
    const before = jar.cookies.get('rotor-session') ?? '';
    const old = new Jar(s.web);
    old.cookies.set('rotor-session', before);
    assert.equal((await old.fetch('/settings')).status, 200);
    assert.equal((await signIn(jar, s.emu, 'alice')).status, 303);
    const after = jar.cookies.get('rotor-session') ?? '';
    assert.notEqual(after, before);
    assert.equal((await jar.fetch('/settings')).status, 200);
    const gone = await old.fetch('/settings');
    assert.equal(gone.status, 303);
    assert.equal(gone.headers.get('location'), '/signin');
  });

  await t.test('sessions: unused for 7 days, a session ends (used within, it lives)', async () => {
    const used = await signedIn(s, 'alice');
    const idle = await signedIn(s, 'bob');
    const hashOf = (jar: Jar) =>
      createHash('sha256')
        .update(jar.cookies.get('rotor-session') ?? '')
        .digest('base64url');
    await sql(s, `UPDATE web_sessions SET last_seen_at = now() - interval '6 days' WHERE id_hash = $1`, [
      hashOf(used),
    ]);
    await sql(
      s,
      `UPDATE web_sessions SET last_seen_at = now() - interval '7 days 1 minute' WHERE id_hash = $1`,
      [hashOf(idle)],
    );
    assert.equal((await used.fetch('/settings')).status, 200);
    const seen = await sql(
      s,
      `SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM web_sessions WHERE id_hash = $1`,
      [hashOf(used)],
    );
    assert.equal(seen[0]?.fresh, true, 'using a session marks it used');
    const res = await idle.fetch('/settings');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/signin');
  });

  await t.test('sessions: a revoked sign-in account keeps the session and shows a banner', async () => {
    const jar = mallory;
    const key = await createKey(jar, 'writer', ['accounts:read', 'posts:write']);
    await control({ url: s.emu }, 'POST', '/grants/revoke', { username: 'bob' });
    const post = await api(s, key, 'POST', '/posts', {
      accountId: await accountIdOf(s, key, 'bob'),
      text: 'after the revocation',
      mode: 'now',
    });
    assert.equal(post.status, 201, JSON.stringify(post.json));
    const home = await jar.fetch('/');
    assert.equal(home.status, 200, 'still signed in');
    assert.match(await home.text(), /data-signin-reconnect/);
    const ja = await (await jar.fetch('/settings', { headers: { 'accept-language': 'ja' } })).text();
    assert.match(ja, /data-signin-reconnect/);
    assert.doesNotMatch(await (await alice.fetch('/')).text(), /data-signin-reconnect/);
  });

  await t.test('audit: the key that took a token is named; no secret in the log', async () => {
    const keysPage = await (await alice.fetch('/settings')).text();
    const ids = [...keysPage.matchAll(/action="\/settings\/keys\/([0-9a-f-]{36})\/revoke"/g)].map(
      (m) => m[1],
    );
    const res = await api(s, aliceKey, 'POST', `/accounts/${aliceAccount}/token`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const token = res.json.accessToken as string;
    const lines = s.proc
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"audit":"token_issued"'));
    const keyId = /"apiKeyId":"([^"]+)"/.exec(lines.at(-1) ?? '')?.[1];
    assert.ok(keyId && ids.includes(keyId), `apiKeyId is one of Alice's keys: ${lines.at(-1)}`);
    const log = s.proc.stderr() + s.proc.stdout();
    assert.ok(!log.includes(token), 'no access token in the log');
    assert.ok(!log.includes(aliceKey), 'no API key in the log');
    // By what it is: an API key is withheld wherever it appears, whatever the field's name.
    assert.deepEqual(redact({ apiKeyId: keyId, note: `used ${aliceKey}`, apiKey: aliceKey }), {
      apiKeyId: keyId,
      note: 'used [redacted]',
      apiKey: '[redacted]',
    });
  });

  await t.test('input: a NUL byte is a 400 naming the field, from every door, never a 500', async () => {
    const nul = 'bad\u0000text';
    const post = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceAccount,
      text: nul,
      mode: 'queue',
    });
    assert.equal(post.status, 400);
    assert.equal((post.json.error as { code: string }).code, 'invalid_input');
    assert.match((post.json.error as { message: string }).message, /text/);
    const sched = await api(s, aliceKey, 'POST', '/schedules', {
      accountId: aliceAccount,
      kind: 'recurring',
      cron: '0 9 * * *',
      timeZone: 'UTC',
      template: nul,
    });
    assert.equal(sched.status, 400);
    assert.match((sched.json.error as { message: string }).message, /template/);
    const check = await api(s, aliceKey, 'POST', '/text/check', { text: nul });
    assert.equal(check.status, 400);
    const csrf = await alice.csrf();
    const compose = await alice.form('/compose', {
      _csrf: csrf,
      accountId: aliceAccount,
      text: nul,
      action: 'queue',
    });
    assert.equal(compose.status, 400);
    assert.match(await compose.text(), /text: contains a character/);
    const template = await alice.form('/schedules', {
      _csrf: csrf,
      accountId: aliceAccount,
      kind: 'recurring',
      cron: '0 9 * * *',
      timeZone: 'UTC',
      template: nul,
    });
    assert.equal(template.status, 400);
    assert.match(await template.text(), /template: contains a character/);
    const keyName = await alice.form('/settings/keys', { _csrf: csrf, name: nul, permissions: 'posts:read' });
    assert.equal(keyName.status, 400);
    assert.match(await keyName.text(), /name: contains a character/);
    const form = new FormData();
    form.append('_csrf', csrf);
    form.append('accountId', aliceAccount);
    form.append('timeZone', 'UTC');
    form.append('file', new Blob([`text,at,time_zone\n${nul},,\n`], { type: 'text/csv' }), 'p.csv');
    const csv = await alice.fetch('/import', { method: 'POST', headers: { origin: s.web }, body: form });
    assert.equal(csv.status, 400);
    assert.match(await csv.text(), /file: contains a character/);
    assert.doesNotMatch(s.proc.stderr(), /request failed|invalid byte sequence|\n\s+at /);
  });

  await t.test('headers: every page behind sign-in says Cache-Control: no-store', async () => {
    for (const path of ['/', '/compose', '/posts', '/schedules', '/import', '/settings']) {
      const res = await alice.fetch(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
  });

  await t.test('/metrics on the web port wants ROTOR_METRICS_TOKEN as a bearer token', async () => {
    assert.equal((await fetch(`${s.web}/metrics`)).status, 401);
    assert.equal(
      (await fetch(`${s.web}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } }))
        .status,
      401,
    );
    const ok = await fetch(`${s.web}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /rotor_/);
  });

  await t.test('origin: compared with ROTOR_PUBLIC_URL, scheme included', async () => {
    const csrf = await alice.csrf();
    const otherScheme = await alice.form(
      '/settings',
      { _csrf: csrf, locale: 'en', timeZone: 'UTC' },
      `https://127.0.0.1:${port}`,
    );
    assert.equal(otherScheme.status, 403);
    const same = await alice.form('/settings', { _csrf: csrf, locale: 'en', timeZone: 'UTC' });
    assert.equal(same.status, 303);
  });

  await t.test('JSON: the media type with parameters, and nothing that merely starts with it', async () => {
    const send = (type: string) =>
      fetch(`${s.web}/api/v1/text/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aliceKey}`, 'content-type': type },
        body: JSON.stringify({ text: 'hi' }),
      });
    assert.equal((await send('application/json; charset=UTF-8')).status, 200);
    assert.equal((await send('Application/JSON')).status, 200);
    assert.equal((await send('application/jsonx')).status, 400);
    assert.equal((await send('application/json-patch+json')).status, 400);
  });
  await t.test('sessions: listed in Settings, and "sign out everywhere" ends them all', async () => {
    const here = await signedIn(s, 'alice');
    const there = new Jar(s.web);
    assert.equal(
      (await signIn(there, s.emu, 'alice', '/auth/x/start?mode=signin')).status,
      303,
      'a second browser',
    );
    const settings = await (
      await here.fetch('/settings', { headers: { 'user-agent': 'TestBrowser' } })
    ).text();
    const listed = (settings.match(/data-session>/g) ?? []).length;
    const live = await sql(
      s,
      `SELECT count(*)::int AS n FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE username = 'alice')`,
    );
    assert.ok(listed >= 2 && listed === live[0]?.n, `every live session of Alice is listed (${listed})`);
    assert.equal((settings.match(/this browser/g) ?? []).length, 1);
    assert.match(settings, /this browser/);
    const res = await here.form('/settings/sessions/end-all', { _csrf: await here.csrf() });
    assert.equal(res.status, 303);
    assert.equal((await here.fetch('/settings')).status, 303, 'signed out here');
    assert.equal((await there.fetch('/settings')).status, 303, 'and there');
    assert.equal((await mallory.fetch('/settings')).status, 200, 'other users are not touched');
  });
});

test('rate limits: per address and per key, 429 with Retry-After, shared by processes on one database', async (t) => {
  const limits = {
    ROTOR_RATE_LIMIT_SIGNIN: '4/60',
    ROTOR_RATE_LIMIT_CALLBACK: '100/60',
    ROTOR_RATE_LIMIT_API_KEY_FAILURES: '3/60',
    ROTOR_RATE_LIMIT_TOKENS_PER_KEY: '2/60',
    ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS: '100/60',
  };
  const one = await serve({ env: limits });
  const two = await serve({ env: { ...limits, DATABASE_URL: one.databaseUrl ?? '' } });
  const alice = await signedIn(one, 'alice'); // one sign-in start
  const key = await createKey(alice, 'broker', ['accounts:read', 'tokens:issue']);
  await signedIn(one, 'bob'); // two

  await t.test('sign-in starts: the limit counts both processes', async () => {
    assert.equal((await new Jar(two.web).fetch('/auth/x/start?mode=signin')).status, 302); // three
    assert.equal((await new Jar(one.web).fetch('/auth/x/start?mode=signin')).status, 302); // four
    for (const s of [one, two]) {
      const res = await new Jar(s.web).fetch('/auth/x/start?mode=signin');
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
    }
  });

  await t.test(
    'API-key failures: an address that guessed wrong is refused, even with a good key',
    async () => {
      const wrong = `rotor_${'A'.repeat(43)}`;
      for (let i = 0; i < 3; i += 1) assert.equal((await api(one, wrong, 'GET', '/accounts')).status, 401);
      const limited = await api(two, key, 'GET', '/accounts');
      assert.equal(limited.status, 429);
      assert.equal((limited.json.error as { code: string }).code, 'rate_limited');
    },
  );
});

test('rate limits: the token broker, per key', async () => {
  const s = await serve({
    database: 'pglite',
    env: { ROTOR_RATE_LIMIT_TOKENS_PER_KEY: '2/60', ROTOR_RATE_LIMIT_SIGNIN: '10/60' },
  });
  const alice = await signedIn(s, 'alice');
  const key = await createKey(alice, 'broker', ['accounts:read', 'tokens:issue']);
  const other = await createKey(alice, 'broker two', ['tokens:issue']);
  const account = await accountIdOf(s, key, 'alice');
  assert.equal((await api(s, key, 'POST', `/accounts/${account}/token`)).status, 200);
  assert.equal((await api(s, key, 'POST', `/accounts/${account}/token`)).status, 200);
  const res = await fetch(`${s.web}/api/v1/accounts/${account}/token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  });
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
  assert.equal(
    (await api(s, other, 'POST', `/accounts/${account}/token`)).status,
    200,
    'another key has its own',
  );
});

test('settings: defaults, and every bad value named', () => {
  const d = loadWebSecurity({});
  assert.equal(d.sessionIdleMs, 7 * 86_400_000);
  assert.equal(d.publicOrigin, undefined);
  assert.equal(d.metricsOpenWithoutToken, false, 'outside demo on loopback, /metrics wants a token');
  const set = loadWebSecurity({
    ROTOR_PUBLIC_URL: 'https://rotor.example.com/some/path',
    ROTOR_SESSION_IDLE_SECONDS: '3600',
    ROTOR_RATE_LIMIT_SIGNIN: '5/10',
    ROTOR_RATE_LIMIT_CALLBACK: 'off',
  });
  assert.equal(set.publicOrigin, 'https://rotor.example.com');
  assert.equal(set.sessionIdleMs, 3_600_000);
  assert.deepEqual(set.rateLimits.signinStart, { max: 5, windowMs: 10_000 });
  assert.equal(set.rateLimits.callback.max, 0);
  assert.throws(
    () =>
      loadWebSecurity({
        ROTOR_PUBLIC_URL: 'ftp://x',
        ROTOR_METRICS_TOKEN: 'short',
        ROTOR_SESSION_IDLE_SECONDS: '5',
        ROTOR_RATE_LIMIT_TOKENS_PER_KEY: 'lots',
      }),
    (e: Error) =>
      [
        'ROTOR_PUBLIC_URL',
        'ROTOR_METRICS_TOKEN',
        'ROTOR_SESSION_IDLE_SECONDS',
        'ROTOR_RATE_LIMIT_TOKENS_PER_KEY',
      ].every((name) => e.message.includes(name)) && !e.message.includes('short'),
  );
});
