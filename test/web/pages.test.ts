/**
 * The pages as a browser without a screen uses them, against a real `rotor serve` (demo mode,
 * PostgreSQL): CSV import (all or nothing, each bad line named), recurring schedules and queue
 * slots from the forms, cookie mode ("post now" with the tokens only in a sealed cookie), the
 * language from Accept-Language and the switch, one owner per X account, and disconnecting.
 */
import { test, after } from 'node:test';
import pg from 'pg';
import assert from 'node:assert/strict';
import { killLeftovers } from '../helpers/cli.ts';
import { consent, control, state } from '../helpers/emulator.ts';
import { api, createKey, Jar, postOversized, serve, signIn, signedIn } from '../helpers/web.ts';

after(killLeftovers);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** Posts a multipart form (as the compose and import pages do). */
async function multipart(
  jar: Jar,
  path: string,
  fields: Record<string, string>,
  file?: { name: string; field: string; body: string | Uint8Array; type?: string },
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append(file.field, new Blob([file.body], { type: file.type ?? 'text/csv' }), file.name);
  return jar.fetch(path, { method: 'POST', headers: { origin: jar.base }, body: form });
}

test('pages: import, schedules, cookie mode, languages, ownership, disconnect', async (t) => {
  const s = await serve();
  const alice = await signedIn(s, 'alice');
  const key = await createKey(alice, 'reader', ['accounts:read', 'posts:read', 'schedules:read']);
  const accounts = (await api(s, key, 'GET', '/accounts')).json.accounts as {
    id: string;
    username: string;
  }[];
  const aliceId = accounts[0]?.id ?? '';
  const postCount = async () =>
    ((await api(s, key, 'GET', '/posts?limit=500')).json.posts as unknown[]).length;

  await t.test('CSV import: one bad line imports nothing and names every bad line', async () => {
    const csrf = await alice.csrf();
    const bad = [
      'text,at,time_zone',
      '"fine, with a comma",2030-01-02 09:00,Asia/Tokyo',
      `"${'x'.repeat(281)}",,`,
      'also fine,,',
      'bad time,2030-13-45 25:00,UTC',
      'bad zone,2030-01-01 10:00,Mars/Base',
    ].join('\n');
    const before = await postCount();
    const res = await multipart(
      alice,
      '/import',
      { _csrf: csrf, accountId: aliceId, timeZone: 'UTC' },
      { name: 'p.csv', field: 'file', body: bad },
    );
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /Line 3: The text is too long: 281 of 280/);
    assert.match(html, /Line 5: “2030-13-45 25:00” is not a date and time/);
    assert.match(html, /Line 6: “Mars\/Base” is not a time zone/);
    assert.doesNotMatch(html, /Line 2:|Line 4:/);
    assert.equal(await postCount(), before, 'nothing imported');

    const good = [
      'text,at,time_zone',
      '"fine, with a comma",2030-01-02 09:00,Asia/Tokyo',
      'to the queue,,',
      '日本語の下書き,,',
    ].join('\r\n');
    const ok = await multipart(
      alice,
      '/import',
      { _csrf: csrf, accountId: aliceId, timeZone: 'UTC' },
      { name: 'p.csv', field: 'file', body: `\uFEFF${good}` },
    );
    assert.equal(ok.status, 303);
    const posts = (await api(s, key, 'GET', '/posts?limit=500')).json.posts as {
      text: string;
      status: string;
      dueAt: string | null;
    }[];
    const scheduled = posts.find((p) => p.text === 'fine, with a comma');
    assert.equal(scheduled?.status, 'scheduled');
    assert.equal(scheduled?.dueAt, '2030-0102T00:00:00.000Z'.replace('01', '01-'), '09:00 Tokyo = 00:00 UTC');
    assert.deepEqual(
      posts
        .filter((p) => p.status === 'queued')
        .map((p) => p.text)
        .sort(),
      ['to the queue', '日本語の下書き'].sort(),
    );
    const queuePage = await (await alice.fetch('/posts?view=queue')).text();
    assert.match(queuePage, /日本語の下書き/);
  });

  await t.test(
    'schedules: create, pause, resume, delete from the forms; refusals keep the page',
    async () => {
      const csrf = await alice.csrf();
      const badCron = await alice.form('/schedules', {
        _csrf: csrf,
        kind: 'recurring',
        accountId: aliceId,
        cron: 'every day',
        timeZone: 'Asia/Tokyo',
        template: 'Good morning #{counter}',
      });
      assert.equal(badCron.status, 400);
      assert.match(await badCron.text(), /class="notice error"/);
      const created = await alice.form('/schedules', {
        _csrf: csrf,
        kind: 'recurring',
        accountId: aliceId,
        cron: '0 9 * * *',
        timeZone: 'Asia/Tokyo',
        template: 'Good morning #{counter}',
      });
      assert.equal(created.status, 303);
      const slots = await alice.form('/schedules', {
        _csrf: csrf,
        kind: 'queue',
        accountId: aliceId,
        cron: '0 12,18 * * 1-5',
        timeZone: 'Europe/Paris',
      });
      assert.equal(slots.status, 303);
      const list = async () =>
        (await api(s, key, 'GET', '/schedules')).json.schedules as {
          id: string;
          kind: string;
          paused: boolean;
          nextAt: string;
          timeZone: string;
        }[];
      const recurring = (await list()).find((x) => x.kind === 'recurring');
      assert.ok(recurring);
      assert.equal(new Date(recurring.nextAt).getUTCHours(), 0, '09:00 Tokyo');
      assert.equal((await list()).find((x) => x.kind === 'queue')?.timeZone, 'Europe/Paris');
      assert.equal((await alice.form(`/schedules/${recurring.id}/pause`, { _csrf: csrf })).status, 303);
      assert.equal((await list()).find((x) => x.id === recurring.id)?.paused, true);
      assert.equal((await alice.form(`/schedules/${recurring.id}/resume`, { _csrf: csrf })).status, 303);
      assert.equal((await list()).find((x) => x.id === recurring.id)?.paused, false);
      // Another user cannot touch it.
      const bob = await signedIn(s, 'bob');
      assert.equal(
        (await bob.form(`/schedules/${recurring.id}/delete`, { _csrf: await bob.csrf() })).status,
        404,
      );
      assert.ok((await list()).some((x) => x.id === recurring.id));
      assert.equal((await alice.form(`/schedules/${recurring.id}/delete`, { _csrf: csrf })).status, 303);
      assert.ok(!(await list()).some((x) => x.id === recurring.id));
    },
  );

  await t.test('compose: a refused post keeps its text in the form', async () => {
    const res = await multipart(alice, '/compose', {
      _csrf: await alice.csrf(),
      accountId: aliceId,
      text: 'あ'.repeat(150),
      action: 'now',
    });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /300 of 280/);
    assert.ok(html.includes('あ'.repeat(150)), 'the text is still there');
  });

  await t.test('compose: post now with an image; the image reaches X with the post', async () => {
    const res = await multipart(
      alice,
      '/compose',
      { _csrf: await alice.csrf(), accountId: aliceId, text: 'with a picture', action: 'now' },
      { name: 'dot.png', field: 'media', body: PNG, type: 'image/png' },
    );
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Posted to X\./);
    const post = (await state({ url: s.emu })).posts.find((p) => p.text === 'with a picture') as
      { mediaIds: string[] } | undefined;
    assert.equal(post?.mediaIds.length, 1);
    const notImage = await multipart(
      alice,
      '/compose',
      { _csrf: await alice.csrf(), accountId: aliceId, text: 'with a text file', action: 'now' },
      { name: 'a.txt', field: 'media', body: 'hello', type: 'text/plain' },
    );
    assert.equal(notImage.status, 400);
    assert.match(await notImage.text(), /not a PNG, JPEG, WebP or GIF image/);
  });

  await t.test('dashboard: followers over time from the metrics job, drawn as SVG', async () => {
    const db = new pg.Client({ connectionString: s.databaseUrl });
    await db.connect();
    try {
      for (const [hoursAgo, followers] of [
        [48, 100],
        [24, 140],
        [1, 180],
      ] as const) {
        await db.query(
          `INSERT INTO account_metrics (account_id, at, followers, following, posts)
           VALUES ($1, now() - $2 * interval '1 hour', $3, 10, 5)`,
          [aliceId, hoursAgo, followers],
        );
      }
    } finally {
      await db.end();
    }
    const html = await (await alice.fetch('/')).text();
    const chart = /<svg class="chart"[^>]*aria-label="Followers @alice: 180"[\s\S]*?<\/svg>/.exec(html)?.[0];
    assert.ok(chart, 'a followers chart for @alice ending at 180');
    assert.match(chart, /<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/, 'three points');
    assert.match(chart, />100</);
  });

  await t.test('cookie mode: post now with the tokens only in a sealed HttpOnly cookie', async () => {
    const jar = new Jar(s.web);
    const begin = await jar.fetch('/auth/x/start?mode=cookie');
    const back = await consent({ url: s.emu }, new URL(begin.headers.get('location') ?? ''), 'hanako');
    const done = await jar.fetch(back.pathname + back.search);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/quick');
    const sealed = done.headers.getSetCookie().find((c) => c.startsWith('rotor-x='));
    assert.ok(sealed);
    assert.match(sealed, /HttpOnly/);
    assert.ok(!jar.cookies.has('rotor-session'), 'no Rotor session: nothing is stored for cookie mode');
    const pageHtml = await (await jar.fetch('/quick')).text();
    assert.match(pageHtml, /@hanako/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(pageHtml)?.[1] ?? '';
    assert.equal((await jar.form('/quick', { _csrf: 'wrong', text: 'nope' })).status, 403);
    const posted = await jar.form('/quick', { _csrf: csrf, text: 'posted from a cookie' });
    assert.equal(posted.status, 200);
    assert.ok((await state({ url: s.emu })).posts.some((p) => p.text === 'posted from a cookie'));
    const hanakoOwned = (await api(s, key, 'GET', '/accounts')).json.accounts as { username: string }[];
    assert.ok(!hanakoOwned.some((a) => a.username === 'hanako'));
    // Tampering with the cookie signs out.
    jar.cookies.set('rotor-x', `${jar.cookies.get('rotor-x') ?? ''}A`);
    assert.doesNotMatch(await (await jar.fetch('/quick')).text(), /@hanako/);
  });

  await t.test('language: from Accept-Language, and the switch sticks', async () => {
    const anon = new Jar(s.web);
    const ja = await anon.fetch('/signin', { headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' } });
    assert.match(await ja.text(), /<html lang="ja">[\s\S]*X でログイン/);
    const en = await anon.fetch('/signin', { headers: { 'accept-language': 'fr-FR,en;q=0.8,ja;q=0.1' } });
    assert.match(await en.text(), /Sign in with X/);
    const sw = await anon.fetch('/lang/ja?back=/signin');
    assert.equal(sw.headers.get('location'), '/signin');
    assert.match(
      await (await anon.fetch('/signin', { headers: { 'accept-language': 'en' } })).text(),
      /X でログイン/,
    );
    for (const back of [
      '//evil.example/',
      '/.//evil.example',
      '/%2e%2e//evil.example',
      '/\\evil.example',
      'https://evil.example',
    ]) {
      const evil = await anon.fetch(`/lang/en?back=${encodeURIComponent(back)}`);
      assert.equal(evil.headers.get('location'), '/', `only same-origin paths: ${back}`);
    }
    // Anything but small forms is refused before it is read (on its own connection: the server
    // closes it after refusing a body it did not read).
    const big = await postOversized(
      `${s.web}/auth/signout`,
      { 'content-type': 'application/x-www-form-urlencoded', origin: s.web },
      1024 * 1024,
    );
    assert.equal(big, 413);
  });

  await t.test(
    'reconnect after X revoked the grant keeps the account, its id and its schedules',
    async () => {
      const writer = await createKey(alice, 'writer', ['accounts:read', 'posts:write', 'schedules:read']);
      const schedulesBefore = (await api(s, writer, 'GET', '/schedules')).json.schedules as { id: string }[];
      assert.ok(schedulesBefore.length > 0);
      await control({ url: s.emu }, 'POST', '/grants/revoke', { username: 'alice' });
      const refused = await api(s, writer, 'POST', '/posts', {
        accountId: aliceId,
        text: 'after revoke',
        mode: 'now',
      });
      assert.equal(refused.status, 201, JSON.stringify(refused.json));
      assert.equal((refused.json.post as { status: string }).status, 'blocked');
      const broken = (await api(s, writer, 'GET', '/accounts')).json.accounts as {
        status: string;
        reason: string;
        reasonText: string;
      }[];
      assert.deepEqual([broken[0]?.status, broken[0]?.reason], ['reauth_required', 'revoked']);
      assert.equal(broken[0]?.reasonText, 'the access was revoked on X');
      const back = await signIn(alice, s.emu, 'alice', '/accounts/connect?returnTo=/');
      assert.equal(back.status, 303);
      const healed = (await api(s, writer, 'GET', '/accounts')).json.accounts as {
        id: string;
        status: string;
      }[];
      assert.deepEqual(
        healed.map((a) => [a.id, a.status]),
        [[aliceId, 'active']],
      );
      const schedulesAfter = (await api(s, writer, 'GET', '/schedules')).json.schedules as { id: string }[];
      assert.deepEqual(schedulesAfter.map((x) => x.id).sort(), schedulesBefore.map((x) => x.id).sort());
      // The blocked post resumes after the reconnect (the worker's sweep) and reaches X once.
      const deadline = Date.now() + 30_000;
      while (!(await state({ url: s.emu })).posts.some((p) => p.text === 'after revoke')) {
        assert.ok(Date.now() < deadline, 'the blocked post was published after the reconnect');
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal((await state({ url: s.emu })).posts.filter((p) => p.text === 'after revoke').length, 1);
    },
  );

  await t.test('a connection started before signing out does not finish afterwards', async () => {
    const jar = await signedIn(s, 'bob');
    const begin = await jar.fetch('/accounts/connect');
    const consentUrl = new URL(begin.headers.get('location') ?? '');
    assert.equal((await jar.form('/auth/signout', { _csrf: await jar.csrf() })).status, 303);
    const back = await consent({ url: s.emu }, consentUrl, 'hanako');
    const done = await jar.fetch(back.pathname + back.search);
    assert.equal(done.status, 400);
    assert.ok(!jar.cookies.has('rotor-session'), 'nobody is signed in by it');
    const bobKey = await createKey(await signedIn(s, 'bob'), 'b', ['accounts:read']);
    const bobs = (await api(s, bobKey, 'GET', '/accounts')).json.accounts as { username: string }[];
    assert.deepEqual(
      bobs.map((a) => a.username),
      ['bob'],
      'hanako was not attached to bob',
    );
  });

  await t.test('one owner per X account: connecting someone else’s changes nothing', async () => {
    const bob = await signedIn(s, 'bob');
    const taken = await signIn(bob, s.emu, 'alice', '/accounts/connect');
    assert.equal(taken.status, 400);
    assert.match(await taken.text(), /already connected to Rotor by another user/);
    const still = (await api(s, key, 'GET', '/accounts')).json.accounts as {
      username: string;
      status: string;
    }[];
    assert.deepEqual(
      still.map((a) => [a.username, a.status]),
      [['alice', 'active']],
    );
  });

  await t.test('disconnect revokes at X and removes the account', async () => {
    const csrf = await alice.csrf();
    const res = await alice.form(`/accounts/${aliceId}/disconnect`, { _csrf: csrf });
    assert.equal(res.status, 303);
    assert.deepEqual((await api(s, key, 'GET', '/accounts')).json.accounts, []);
    const grants = (await state({ url: s.emu })).grants.filter((g) => g.username === 'alice');
    assert.ok(grants.length > 0 && grants.every((g) => g.status !== 'active'), JSON.stringify(grants));
  });
});
