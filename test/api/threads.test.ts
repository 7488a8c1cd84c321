/**
 * Threads through the HTTP API (property 40), against a real `rotor serve` (demo mode,
 * PostgreSQL, its workers): `parts` in POST (now, draft, schedule, queue), `parts` in responses
 * (checked against the API's own OpenAPI schema with ajv), PATCH replacing a thread's parts,
 * DELETE ending a thread, ownership, and validation that names the part and stores nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { killLeftovers } from '../helpers/cli.ts';
import { state } from '../helpers/emulator.ts';
import { api, createKey, serve, signedIn } from '../helpers/web.ts';

after(killLeftovers);

interface Part {
  text: string;
  status: string;
  xPostId: string | null;
}
interface Post {
  id: string;
  text: string;
  status: string;
  xPostId: string | null;
  parts?: Part[];
}
const code = (json: Record<string, unknown>) => (json.error as { code: string }).code;
const message = (json: Record<string, unknown>) => (json.error as { message: string }).message;
const texts = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ text: `${tag} ${i + 1}/${n}` }));

test('threads in the API: parts in and out, in order on X, PATCH, DELETE, ownership, validation', async (t) => {
  const s = await serve();
  const alice = await signedIn(s, 'alice');
  const bob = await signedIn(s, 'bob');
  const key = await createKey(alice, 'threads', ['accounts:read', 'posts:read', 'posts:write']);
  const bobKey = await createKey(bob, 'bob', ['accounts:read', 'posts:read', 'posts:write']);
  const accountId = ((await api(s, key, 'GET', '/accounts')).json.accounts as { id: string }[])[0]?.id ?? '';
  const doc = (await (await fetch(`${s.web}/openapi.json`)).json()) as {
    components: { schemas: Record<string, object> };
  };
  const validPost = new Ajv({ strict: false }).compile(doc.components.schemas.Post ?? {});
  const get = async (id: string) => (await api(s, key, 'GET', `/posts/${id}`)).json.post as Post;
  const onX = async (tag: string) =>
    (await state({ url: s.emu })).posts.filter((p) => p.text.startsWith(tag));
  const total = async () => ((await api(s, key, 'GET', '/posts?limit=500')).json.posts as Post[]).length;

  await t.test('"now": every part published, in order, each a reply to the one before', async () => {
    const res = await api(s, key, 'POST', '/posts', { accountId, mode: 'now', parts: texts('now', 3) });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const post = res.json.post as Post;
    assert.ok(validPost(post), JSON.stringify(validPost.errors));
    assert.equal(post.status, 'published');
    assert.deepEqual(
      post.parts?.map((p) => [p.text, p.status]),
      [
        ['now 1/3', 'published'],
        ['now 2/3', 'published'],
        ['now 3/3', 'published'],
      ],
    );
    const posted = await onX('now ');
    assert.deepEqual(
      posted.map((p) => p.id),
      post.parts?.map((p) => p.xPostId),
    );
    assert.equal(posted[1]?.replyTo, posted[0]?.id);
    assert.equal(posted[2]?.replyTo, posted[1]?.id);
    assert.equal(post.xPostId, posted[0]?.id, 'the thread’s X id is its first part’s');
  });

  let draft: Post;
  await t.test('a thread drafted is listed once, by ?status=draft, its later parts waiting', async () => {
    const res = await api(s, key, 'POST', '/posts', { accountId, mode: 'draft', parts: texts('draft', 2) });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    draft = res.json.post as Post;
    assert.deepEqual(
      draft.parts?.map((p) => p.status),
      ['draft', 'waiting'],
    );
    const drafts = (await api(s, key, 'GET', '/posts?status=draft')).json.posts as Post[];
    assert.deepEqual(
      drafts.map((p) => p.id),
      [draft.id],
    );
    assert.equal(drafts[0]?.parts?.length, 2);
  });

  await t.test('PATCH replaces the parts and schedules it; the workers publish it in order', async () => {
    const res = await api(s, key, 'PATCH', `/posts/${draft.id}`, {
      parts: texts('edited', 4),
      mode: 'schedule',
      at: new Date(Date.now() + 1500).toISOString(),
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const edited = res.json.post as Post;
    assert.equal(edited.id, draft.id, 'the same post');
    assert.deepEqual(
      edited.parts?.map((p) => [p.text, p.status]),
      [
        ['edited 1/4', 'scheduled'],
        ['edited 2/4', 'waiting'],
        ['edited 3/4', 'waiting'],
        ['edited 4/4', 'waiting'],
      ],
    );
    const until = Date.now() + 30_000;
    let now = await get(draft.id);
    while (now.status !== 'published') {
      if (Date.now() > until) assert.fail(`not published: ${JSON.stringify(now.parts)}`);
      await new Promise((r) => setTimeout(r, 200));
      now = await get(draft.id);
    }
    const posted = await onX('edited ');
    assert.deepEqual(
      posted.map((p) => p.text),
      ['edited 1/4', 'edited 2/4', 'edited 3/4', 'edited 4/4'],
    );
    for (let i = 1; i < 4; i++) assert.equal(posted[i]?.replyTo, posted[i - 1]?.id);
    assert.equal((await onX('draft ')).length, 0, 'the replaced parts never went out');
    const late = await api(s, key, 'PATCH', `/posts/${draft.id}`, { parts: texts('late', 2) });
    assert.equal(late.status, 409);
    assert.equal(code(late.json), 'conflict');
  });

  await t.test('DELETE ends a queued thread: every part cancelled', async () => {
    const res = await api(s, key, 'POST', '/posts', { accountId, mode: 'queue', parts: texts('queued', 3) });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const id = (res.json.post as Post).id;
    const gone = await api(s, key, 'DELETE', `/posts/${id}`);
    assert.equal(gone.status, 200);
    assert.deepEqual(
      (gone.json.post as Post).parts?.map((p) => p.status),
      ['cancelled', 'cancelled', 'cancelled'],
    );
  });

  await t.test('someone else’s thread is not found, to read, edit or cancel', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { parts: texts('bob', 2) }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(s, bobKey, method, `/posts/${draft.id}`, body);
      assert.equal(res.status, 404, method);
    }
  });

  await t.test('bad threads: a clear 400 naming the part, nothing stored', async () => {
    const before = await total();
    const cases: [unknown, RegExp][] = [
      [{ accountId, mode: 'now', parts: texts('one', 1) }, /2 to 25 parts/],
      [{ accountId, mode: 'now', parts: texts('many', 26) }, /2 to 25 parts/],
      [{ accountId, mode: 'now', text: 'both', parts: texts('both', 2) }, /not both/],
      [
        { accountId, mode: 'now', parts: [{ text: 'ok' }, { text: '日'.repeat(141) }] },
        /^part 2: .*282 of 280/,
      ],
      [
        { accountId, mode: 'now', parts: [{ text: 'same' }, { text: 'same' }] },
        /^part 2: the same text as part 1/,
      ],
      [
        { accountId, mode: 'queue', parts: [{ text: 'a' }, { text: 'b', media: ['iVBORw0KGgo='] }] },
        /part 2|text only/,
      ],
      [{ accountId, mode: 'now' }, /give "text" for a post, or "parts" for a thread/],
    ];
    for (const [body, why] of cases) {
      const res = await api(s, key, 'POST', '/posts', body);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.match(message(res.json) + JSON.stringify(res.json), why);
    }
    const thread = (
      await api(s, key, 'POST', '/posts', { accountId, mode: 'draft', parts: texts('keep', 2) })
    ).json.post as Post;
    const text = await api(s, key, 'PATCH', `/posts/${thread.id}`, { text: 'just one text' });
    assert.equal(text.status, 400);
    assert.match(message(text.json), /this post is a thread: give its "parts"/);
    assert.deepEqual(
      (await get(thread.id)).parts?.map((p) => p.text),
      ['keep 1/2', 'keep 2/2'],
      'nothing changed',
    );
    assert.equal(await total(), before + 1, 'only the good thread was stored');
  });
});
