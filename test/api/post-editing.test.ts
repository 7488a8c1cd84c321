/**
 * Drafts and editing through the HTTP API, against a real `rotor serve` (demo mode, PostgreSQL):
 * `mode: "draft"` and `?status=draft`, `PATCH /posts/{id}` with each of POST's fields (mode
 * included), the scheduled job following an edited time, `409 conflict` once publishing has
 * started, ownership (someone else's post is not found) and validation (as POST, nothing changed).
 */
import { test, after } from 'node:test';
import pg from 'pg';
import assert from 'node:assert/strict';
import { killLeftovers } from '../helpers/cli.ts';
import { state } from '../helpers/emulator.ts';
import { api, createKey, serve, signIn, signedIn } from '../helpers/web.ts';

after(killLeftovers);

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
).toString('base64');

interface Post {
  id: string;
  accountId: string;
  text: string;
  status: string;
  dueAt: string | null;
  mediaCount: number;
  xPostId: string | null;
}
const code = (json: Record<string, unknown>) => (json.error as { code: string }).code;

test('drafts and PATCH: fields, modes, the job following the time, 409, ownership, validation', async (t) => {
  // No sweep in this run: a post moved sooner is published by the job its edit enqueued, not by
  // the safety net.
  const s = await serve({ env: { ROTOR_SWEEP_SECONDS: '3600' } });
  const alice = await signedIn(s, 'alice');
  assert.equal((await signIn(alice, s.emu, 'hanako', '/accounts/connect')).status, 303);
  const bob = await signedIn(s, 'bob');
  const key = await createKey(alice, 'planner', ['accounts:read', 'posts:read', 'posts:write']);
  const bobKey = await createKey(bob, 'bob', ['accounts:read', 'posts:read', 'posts:write']);
  const accounts = (await api(s, key, 'GET', '/accounts')).json.accounts as {
    id: string;
    username: string;
  }[];
  const aliceId = accounts.find((a) => a.username === 'alice')?.id ?? '';
  const hanakoId = accounts.find((a) => a.username === 'hanako')?.id ?? '';
  const get = async (id: string) => (await api(s, key, 'GET', `/posts/${id}`)).json.post as Post;

  let draft: Post;
  await t.test('mode "draft" saves it unpublished, listed by ?status=draft', async () => {
    const res = await api(s, key, 'POST', '/posts', {
      accountId: aliceId,
      text: 'a draft to finish later',
      mode: 'draft',
      media: [PNG],
    });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    draft = res.json.post as Post;
    assert.equal(draft.status, 'draft');
    assert.equal(draft.dueAt, null);
    assert.equal(draft.mediaCount, 1);
    const drafts = (await api(s, key, 'GET', '/posts?status=draft')).json.posts as Post[];
    assert.deepEqual(
      drafts.map((p) => p.id),
      [draft.id],
    );
    assert.ok(!(await state({ url: s.emu })).posts.some((p) => p.text === draft.text), 'not sent to X');
  });

  await t.test('PATCH edits text, account and images; mode "schedule" schedules the draft', async () => {
    const text = await api(s, key, 'PATCH', `/posts/${draft.id}`, { text: 'a draft, finished' });
    assert.equal(text.status, 200, JSON.stringify(text.json));
    assert.equal((text.json.post as Post).text, 'a draft, finished');
    assert.equal((text.json.post as Post).status, 'draft', 'still a draft');
    const moved = await api(s, key, 'PATCH', `/posts/${draft.id}`, {
      accountId: hanakoId,
      media: [PNG, PNG],
    });
    assert.equal((moved.json.post as Post).accountId, hanakoId);
    assert.equal((moved.json.post as Post).mediaCount, 2);
    const scheduled = await api(s, key, 'PATCH', `/posts/${draft.id}`, {
      mode: 'schedule',
      localTime: '2027-06-01T09:00',
      timeZone: 'Asia/Tokyo',
    });
    assert.equal(scheduled.status, 200, JSON.stringify(scheduled.json));
    const post = scheduled.json.post as Post;
    assert.equal(post.status, 'scheduled');
    assert.equal(post.dueAt, '2027-06-01T00:00:00.000Z', '09:00 in Tokyo');
    assert.equal(((await api(s, key, 'GET', '/posts?status=draft')).json.posts as Post[]).length, 0);
    // Back to the queue (text only there), then to a draft again.
    const noImages = await api(s, key, 'PATCH', `/posts/${draft.id}`, { mode: 'queue' });
    assert.equal(noImages.status, 400, 'a queued post takes text only: the images are said, not dropped');
    assert.equal((await get(draft.id)).mediaCount, 2, 'nothing changed');
    const queued = await api(s, key, 'PATCH', `/posts/${draft.id}`, { mode: 'queue', media: [] });
    assert.equal((queued.json.post as Post).status, 'queued');
    assert.equal((queued.json.post as Post).dueAt, null);
    const back = await api(s, key, 'PATCH', `/posts/${draft.id}`, { mode: 'draft' });
    assert.equal((back.json.post as Post).status, 'draft');
  });

  await t.test('the publish job follows an edited time (earlier and later)', async () => {
    const later = await api(s, key, 'POST', '/posts', {
      accountId: aliceId,
      text: 'moved to sooner',
      mode: 'schedule',
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = (later.json.post as Post).id;
    const sooner = await api(s, key, 'PATCH', `/posts/${id}`, {
      at: new Date(Date.now() + 2_000).toISOString(),
    });
    assert.equal(sooner.status, 200, JSON.stringify(sooner.json));
    // And one whose time moves away: its old job must not publish it.
    const soon = await api(s, key, 'POST', '/posts', {
      accountId: aliceId,
      text: 'moved to later',
      mode: 'schedule',
      at: new Date(Date.now() + 2_000).toISOString(),
    });
    const laterId = (soon.json.post as Post).id;
    const away = await api(s, key, 'PATCH', `/posts/${laterId}`, {
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.equal(away.status, 200);
    const deadline = Date.now() + 30_000;
    while ((await get(id)).status !== 'published') {
      assert.ok(Date.now() < deadline, 'the post moved sooner was published at its new time');
      await new Promise((r) => setTimeout(r, 250));
    }
    // The old job of the other (at its first time) ran, found it not due, and published nothing.
    const db = new pg.Client({ connectionString: s.databaseUrl });
    await db.connect();
    try {
      const ran = async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'rotor-publish' AND data->>'postId' = $1
               AND state = 'completed' AND start_after < to_timestamp($2 / 1000.0)`,
            [laterId, Date.parse((away.json.post as Post).dueAt ?? '')],
          )
        ).rows[0]?.n ?? 0;
      while ((await ran()) === 0) {
        assert.ok(Date.now() < deadline, 'the job at the old time ran');
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await db.end();
    }
    assert.equal((await get(laterId)).status, 'scheduled');
    assert.ok(!(await state({ url: s.emu })).posts.some((p) => p.text === 'moved to later'));
  });

  await t.test('mode "now" publishes a draft (through its job)', async () => {
    const created = await api(s, key, 'POST', '/posts', {
      accountId: aliceId,
      text: 'a draft, now',
      mode: 'draft',
    });
    const id = (created.json.post as Post).id;
    const now = await api(s, key, 'PATCH', `/posts/${id}`, { mode: 'now' });
    assert.equal(now.status, 200, JSON.stringify(now.json));
    const deadline = Date.now() + 30_000;
    while ((await get(id)).status !== 'published') {
      assert.ok(Date.now() < deadline, 'published');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal((await state({ url: s.emu })).posts.filter((p) => p.text === 'a draft, now').length, 1);
  });

  await t.test('409 conflict once publishing has started; nothing changed', async () => {
    // X answers slowly: the post stays "publishing" while the edit comes.
    const fault = await fetch(`${s.emu}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'tweets', kind: 'latency', latencyMs: 4000 }),
    });
    assert.equal(fault.status, 201);
    const sending = api(s, key, 'POST', '/posts', { accountId: aliceId, text: 'being sent', mode: 'now' });
    let id = '';
    const deadline = Date.now() + 20_000;
    while (id === '') {
      assert.ok(Date.now() < deadline, 'the post reached publishing');
      const all = (await api(s, key, 'GET', '/posts?status=publishing')).json.posts as Post[];
      id = all.find((p) => p.text === 'being sent')?.id ?? '';
      if (id === '') await new Promise((r) => setTimeout(r, 100));
    }
    const edit = await api(s, key, 'PATCH', `/posts/${id}`, { text: 'changed while sending' });
    assert.equal(edit.status, 409, JSON.stringify(edit.json));
    assert.equal(code(edit.json), 'conflict');
    const done = await sending;
    assert.equal((done.json.post as Post).status, 'published');
    assert.equal((done.json.post as Post).text, 'being sent');
    const onX = (await state({ url: s.emu })).posts.find((p) => p.id === (done.json.post as Post).xPostId);
    assert.equal(onX?.text, 'being sent', 'X got the text as it was when publishing started');
    const again = await api(s, key, 'PATCH', `/posts/${id}`, { text: 'after' });
    assert.equal(again.status, 409, 'a published post cannot be edited either');
  });

  await t.test("ownership: another user's post is not found, and stays as it was", async () => {
    const mine = await api(s, key, 'POST', '/posts', { accountId: aliceId, text: 'mine', mode: 'draft' });
    const id = (mine.json.post as Post).id;
    const foreign = await api(s, bobKey, 'PATCH', `/posts/${id}`, { text: 'bob was here' });
    assert.equal(foreign.status, 404);
    assert.equal(code(foreign.json), 'not_found');
    const bobAccount = ((await api(s, bobKey, 'GET', '/accounts')).json.accounts as { id: string }[])[0]?.id;
    const toBob = await api(s, key, 'PATCH', `/posts/${id}`, { accountId: bobAccount });
    assert.equal(toBob.status, 404, "a post cannot be moved to someone else's account");
    const still = await get(id);
    assert.equal(still.text, 'mine');
    assert.equal(still.accountId, aliceId);
  });

  await t.test(
    'validation as POST: 400 invalid_input (invalid_media for a file X does not take), nothing changed',
    async () => {
      const created = await api(s, key, 'POST', '/posts', {
        accountId: aliceId,
        text: 'valid',
        mode: 'draft',
      });
      const id = (created.json.post as Post).id;
      const cases: [string, Record<string, unknown>, string?][] = [
        ['too long', { text: 'あ'.repeat(141) }],
        ['empty', { text: '' }],
        ['unknown field', { colour: 'red' }],
        ['bad mode', { mode: 'later' }],
        ['bad zone', { localTime: '2027-01-01T09:00', timeZone: 'Mars/Olympus' }],
        ['past', { at: new Date(Date.now() - 86_400_000).toISOString() }],
        ['schedule without a time', { mode: 'schedule' }],
        ['a time for a draft', { mode: 'draft', at: new Date(Date.now() + 86_400_000).toISOString() }],
        ['not base64', { media: ['***'] }],
        ['not an image', { media: [Buffer.from('hello').toString('base64')] }, 'invalid_media'],
      ];
      for (const [name, body, expected = 'invalid_input'] of cases) {
        const res = await api(s, key, 'PATCH', `/posts/${id}`, body);
        assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.json)}`);
        assert.equal(code(res.json), expected, name);
      }
      const after = await get(id);
      assert.equal(after.text, 'valid');
      assert.equal(after.status, 'draft');
      assert.equal(after.mediaCount, 0);
      assert.equal((await api(s, key, 'PATCH', `/posts/${'0'.repeat(36)}`, { text: 'x' })).status, 404);
    },
  );
});
