/**
 * The HTTP API and the pages' guards, against a real `rotor serve` (demo mode, PostgreSQL):
 * API keys (hashed, per-permission, revocable), ownership on every call (properties 24), CSRF on
 * every state-changing request of a session (property 25), validation errors as clear JSON with
 * nothing changed, the token broker (audit-logged), and `/openapi.json`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { killLeftovers } from '../helpers/cli.ts';
import { state } from '../helpers/emulator.ts';
import { api, createKey, Jar, postOversized, serve, signIn, signedIn } from '../helpers/web.ts';

after(killLeftovers);

test('HTTP API: keys, permissions, ownership, CSRF, validation, token broker', async (t) => {
  const s = await serve();
  const alice = await signedIn(s, 'alice');
  const bob = await signedIn(s, 'bob');
  // Alice connects a second account from her session.
  const second = await signIn(alice, s.emu, 'hanako', '/accounts/connect');
  assert.equal(second.status, 303);

  const aliceKey = await createKey(alice, 'scripts', [
    'accounts:read',
    'posts:read',
    'posts:write',
    'tokens:issue',
  ]);
  const aliceReadOnly = await createKey(alice, 'reader', ['accounts:read', 'posts:read']);
  const bobKey = await createKey(bob, 'bob-bot', [
    'accounts:read',
    'posts:read',
    'posts:write',
    'tokens:issue',
  ]);

  const accounts = async (key: string) =>
    (await api(s, key, 'GET', '/accounts')).json.accounts as {
      id: string;
      username: string;
      status: string;
    }[];
  const mine = await accounts(aliceKey);
  assert.deepEqual(mine.map((a) => a.username).sort(), ['alice', 'hanako']);
  assert.deepEqual(
    (await accounts(bobKey)).map((a) => a.username),
    ['bob'],
  );
  const aliceId = mine.find((a) => a.username === 'alice')?.id ?? '';
  const bobId = (await accounts(bobKey))[0]?.id ?? '';

  await t.test('no key, an unknown key: 401 with a JSON error', async () => {
    const none = await api(s, undefined, 'GET', '/accounts');
    assert.equal(none.status, 401);
    assert.equal((none.json.error as { code: string }).code, 'unauthenticated');
    const wrong = await api(s, `rotor_${'x'.repeat(43)}`, 'GET', '/accounts');
    assert.equal(wrong.status, 401);
  });

  let alicePost = '';
  await t.test('ownership: one user cannot read, cancel or post for another’s account', async () => {
    const created = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'alice, next year',
      mode: 'schedule',
      localTime: '2027-06-01T09:00',
      timeZone: 'Asia/Tokyo',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const post = created.json.post as { id: string; status: string; dueAt: string };
    assert.equal(post.status, 'scheduled');
    assert.equal(post.dueAt, '2027-06-01T00:00:00.000Z', '09:00 in Tokyo is 00:00 UTC');
    alicePost = post.id;

    assert.equal((await api(s, bobKey, 'GET', `/posts/${alicePost}`)).status, 404);
    assert.equal((await api(s, bobKey, 'DELETE', `/posts/${alicePost}`)).status, 404);
    const foreign = await api(s, bobKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'not mine',
      mode: 'now',
    });
    assert.equal(foreign.status, 404);
    assert.equal((await api(s, bobKey, 'POST', `/accounts/${aliceId}/token`)).status, 404);
    const bobList = (await api(s, bobKey, 'GET', '/posts')).json.posts as { id: string }[];
    assert.ok(!bobList.some((p) => p.id === alicePost));
    const still = await api(s, aliceKey, 'GET', `/posts/${alicePost}`);
    assert.equal((still.json.post as { status: string }).status, 'scheduled', 'nothing changed');
    const xPosts = (await state({ url: s.emu })).posts;
    assert.ok(!xPosts.some((p) => p.text === 'not mine'), 'nothing reached X');
  });

  await t.test('permissions: a read-only key cannot write; 403 forbidden', async () => {
    const res = await api(s, aliceReadOnly, 'POST', '/posts', {
      accountId: aliceId,
      text: 'x',
      mode: 'queue',
    });
    assert.equal(res.status, 403);
    assert.equal((res.json.error as { code: string }).code, 'forbidden');
    assert.equal((await api(s, aliceReadOnly, 'POST', `/accounts/${aliceId}/token`)).status, 403);
  });

  await t.test('validation errors: 400 with the code, a message, and each bad field', async () => {
    const bad = await api(s, aliceKey, 'POST', '/posts', {
      accountId: 'nope',
      text: 5,
      mode: 'later',
      extra: 1,
    });
    assert.equal(bad.status, 400);
    const error = bad.json.error as { code: string; message: string; issues: { path: string }[] };
    assert.equal(error.code, 'invalid_input');
    assert.deepEqual(error.issues.map((i) => i.path).sort(), ['', 'accountId', 'mode', 'text']);
    const long = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'あ'.repeat(141),
      mode: 'now',
    });
    assert.equal(long.status, 400);
    assert.match((long.json.error as { message: string }).message, /282 of 280/);
    const zone = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'hi',
      mode: 'schedule',
      localTime: '2027-01-01T09:00',
      timeZone: 'Mars/Olympus',
    });
    assert.equal(zone.status, 400);
    const notJson = await fetch(`${s.web}/api/v1/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceKey}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, 'invalid_input');
    // Ids Postgres could not read are "not found", not a crash.
    for (const id of ['-'.repeat(36), 'a'.repeat(36), '1', "x' OR 1=1 --"]) {
      assert.equal((await api(s, aliceKey, 'GET', `/posts/${encodeURIComponent(id)}`)).status, 404, id);
      assert.equal((await api(s, aliceKey, 'DELETE', `/posts/${encodeURIComponent(id)}`)).status, 404, id);
    }
    const past = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'yesterday',
      mode: 'schedule',
      at: new Date(Date.now() - 86_400_000).toISOString(),
    });
    assert.equal(past.status, 400, 'a time in the past is refused, not posted at once');
    assert.match((past.json.error as { message: string }).message, /already passed/);
    const huge = await postOversized(
      `${s.web}/api/v1/posts`,
      { authorization: `Bearer ${aliceKey}`, 'content-type': 'application/json' },
      31 * 1024 * 1024,
    );
    assert.equal(huge, 413);
    const unknownRoute = await api(s, aliceKey, 'GET', '/nothing');
    assert.equal(unknownRoute.status, 404);
  });

  await t.test('post now through the API reaches X', async () => {
    const res = await api(s, aliceKey, 'POST', '/posts', {
      accountId: aliceId,
      text: 'hello from the API',
      mode: 'now',
    });
    assert.equal(res.status, 201);
    const post = res.json.post as { status: string; xPostId: string; url: string };
    assert.equal(post.status, 'published');
    assert.ok(
      (await state({ url: s.emu })).posts.some(
        (p) => p.id === post.xPostId && p.text === 'hello from the API',
      ),
    );
  });

  await t.test('CSRF: session calls without the token are refused and change nothing', async () => {
    // API through the session cookie, without x-csrf-token.
    const noToken = await alice.fetch(`/api/v1/posts/${alicePost}`, {
      method: 'DELETE',
      headers: { origin: s.web },
    });
    assert.equal(noToken.status, 403);
    // A page form without _csrf, with a wrong one, and with the right one from another origin.
    assert.equal((await alice.form(`/posts/${alicePost}/cancel`, {})).status, 403);
    assert.equal((await alice.form(`/posts/${alicePost}/cancel`, { _csrf: 'forged' })).status, 403);
    const token = await alice.csrf();
    assert.equal(
      (await alice.form(`/posts/${alicePost}/cancel`, { _csrf: token }, 'https://evil.example')).status,
      403,
    );
    // Bob's token is not Alice's.
    assert.equal((await alice.form(`/posts/${alicePost}/cancel`, { _csrf: await bob.csrf() })).status, 403);
    const unchanged = await api(s, aliceKey, 'GET', `/posts/${alicePost}`);
    assert.equal((unchanged.json.post as { status: string }).status, 'scheduled');
    // With the token, from this origin: cancelled.
    const ok = await alice.form(`/posts/${alicePost}/cancel`, { _csrf: token });
    assert.equal(ok.status, 303);
    const cancelled = await api(s, aliceKey, 'GET', `/posts/${alicePost}`);
    assert.equal((cancelled.json.post as { status: string }).status, 'cancelled');
    // And the API with the header works for the session.
    const viaHeader = await alice.fetch('/api/v1/text/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token, origin: s.web },
      body: JSON.stringify({ text: '日本語' }),
    });
    assert.equal(viaHeader.status, 200);
    assert.equal(((await viaHeader.json()) as { weightedLength: number }).weightedLength, 6);
  });

  await t.test('token broker: a valid access token, audit-logged, never in a page', async () => {
    const res = await api(s, aliceKey, 'POST', `/accounts/${aliceId}/token`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const token = res.json.accessToken as string;
    assert.ok(Date.parse(res.json.expiresAt as string) > Date.now() + 60_000);
    const me = await fetch(`${s.emu}/2/users/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { data: { username: string } }).data.username, 'alice');
    const settings = await (await alice.fetch('/settings')).text();
    assert.match(settings, /@alice/, 'the hand-out is listed');
    assert.match(settings, /scripts/);
    // …and in the audit log, in UTC, without the token (property 27).
    const audit = s.proc
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"audit":"token_issued"'));
    assert.ok(audit.length >= 1, 'a token_issued audit line');
    assert.match(audit[0] ?? '', /"at":"\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    assert.match(audit[0] ?? '', /"username":"alice"/);
    assert.ok(!audit.some((l) => l.includes(token)), 'no token in the audit line');
    for (const path of ['/', '/settings', '/posts?view=history', '/compose', '/schedules']) {
      const html = await (await alice.fetch(path)).text();
      assert.ok(!html.includes(token), `no token in ${path} (property 23)`);
    }
    const list = await (await alice.fetch('/api/v1/accounts')).text();
    assert.ok(!list.includes(token), 'no token in the account JSON');
    // Property 23: not to a browser session, even with its CSRF token.
    const viaSession = await alice.fetch(`/api/v1/accounts/${aliceId}/token`, {
      method: 'POST',
      headers: { 'x-csrf-token': await alice.csrf(), origin: s.web },
    });
    assert.equal(viaSession.status, 403);
    assert.ok(!(await viaSession.text()).includes('accessToken'));
    const bobToken = await api(s, bobKey, 'POST', `/accounts/${bobId}/token`);
    assert.equal(bobToken.status, 200);
  });

  await t.test('a revoked key stops working at once', async () => {
    const keysPage = await (await alice.fetch('/settings')).text();
    const id = /action="\/settings\/keys\/([0-9a-f-]{36})\/revoke"/.exec(keysPage)?.[1];
    assert.ok(id);
    const before = await api(s, aliceKey, 'GET', '/accounts');
    const other = await api(s, aliceReadOnly, 'GET', '/accounts');
    assert.equal(before.status, 200);
    assert.equal(other.status, 200);
    assert.equal(
      (await alice.form(`/settings/keys/${id}/revoke`, { _csrf: await alice.csrf() })).status,
      303,
    );
    const statuses = [
      (await api(s, aliceKey, 'GET', '/accounts')).status,
      (await api(s, aliceReadOnly, 'GET', '/accounts')).status,
    ];
    assert.equal(statuses.filter((x) => x === 401).length, 1, 'exactly the revoked key is refused');
  });

  await t.test('/openapi.json describes every route and its schemas resolve', async () => {
    const doc = (await (await fetch(`${s.web}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, object>;
      components: { schemas: Record<string, object> };
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of [
      '/accounts',
      '/accounts/{id}/token',
      '/posts',
      '/posts/{id}',
      '/schedules',
      '/schedules/{id}',
    ])
      assert.ok(doc.paths[p], p);
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    assert.ok(refs.length > 10);
    for (const r of refs) assert.ok(doc.components.schemas[r.split('/').pop() ?? ''], `${r} resolves`);
    const props = (doc.components.schemas.CreatePost as { properties: Record<string, unknown> }).properties;
    assert.deepEqual(Object.keys(props).sort(), [
      'accountId',
      'at',
      'localTime',
      'media',
      'mode',
      'parts',
      'text',
      'timeZone',
    ]);
  });

  await t.test('/readyz, /metrics and request ids are served by the same process', async () => {
    const ready = await fetch(`${s.web}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${s.web}/metrics`)).text();
    assert.match(metrics, /^rotor_posts_total\{[^}]*outcome="published"[^}]*\} [1-9]/m);
    const res = await fetch(`${s.web}/signin`);
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  await t.test(
    'a signed-out page redirects to sign-in; a tampered session cookie is signed out',
    async () => {
      const anon = new Jar(s.web);
      const home = await anon.fetch('/');
      assert.equal(home.status, 303);
      assert.equal(home.headers.get('location'), '/signin');
      const forged = new Jar(s.web);
      forged.cookies.set(
        'rotor-session',
        `${[...alice.cookies].find(([k]) => k === 'rotor-session')?.[1] ?? ''}x`,
      );
      assert.equal((await forged.fetch('/')).status, 303);
    },
  );
});
