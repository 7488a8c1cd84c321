/**
 * The v2 API Rotor posts with (docs/x-fidelity.md): `GET /2/users/me`, `POST /2/tweets`,
 * `DELETE /2/tweets/:id`, `GET /2/users/:id/tweets`, their rate limits and problem bodies,
 * access-token expiry, and the HTML timeline at `/`. Real HTTP on loopback, no mocks.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { api, connect, control, emulator, refresh, state } from '../helpers/emulator.ts';

const UNAUTHORIZED = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' };
const DUPLICATE = {
  detail: 'You are not allowed to create a Tweet with duplicate content.',
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
};
const TOO_MANY = {
  title: 'Too Many Requests',
  type: 'about:blank',
  status: 429,
  detail: 'Too Many Requests',
};
const INVALID_TYPE = 'https://api.twitter.com/2/problems/invalid-request';

let seq = 0;
/** A text no other test in this file posts. */
const unique = (label: string) => `${label} #${++seq} ${process.pid}`;

interface PostData {
  id: string;
  text: string;
  edit_history_tweet_ids: string[];
  created_at?: string;
}

const dataOf = (body: Record<string, unknown>) => body.data as PostData;
const listOf = (body: Record<string, unknown>) => (body.data ?? []) as PostData[];
const metaOf = (body: Record<string, unknown>) => body.meta as Record<string, unknown>;
const messagesOf = (body: Record<string, unknown>) =>
  ((body.errors ?? []) as { message: string }[]).map((e) => e.message).join('\n');

/** Asserts X's 400 invalid-request problem body and returns its messages joined. */
function assertInvalid(res: { status: number; body: Record<string, unknown> }): string {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.title, 'Invalid Request');
  assert.equal(res.body.detail, 'One or more parameters to your request was invalid.');
  assert.equal(res.body.type, INVALID_TYPE);
  assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, 'errors array expected');
  return messagesOf(res.body);
}

const post = (emu: RunningEmulator, token: string, body: unknown) =>
  api(emu, 'POST', '/2/tweets', token, body);

async function nowSeconds(emu: RunningEmulator): Promise<number> {
  const { body } = await control(emu, 'GET', '/state');
  return Date.parse(String(body.now)) / 1000;
}

async function advance(emu: RunningEmulator, seconds: number): Promise<void> {
  const res = await control(emu, 'POST', '/clock', { advanceSeconds: seconds });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function userId(emu: RunningEmulator, token: string): Promise<string> {
  const me = await api(emu, 'GET', '/2/users/me', token);
  assert.equal(me.status, 200, JSON.stringify(me.body));
  return (me.body.data as { id: string }).id;
}

// One emulator for everything that never moves the clock.
const emu = await emulator();
const alice = await connect(emu, 'alice');
const bob = await connect(emu, 'bob');
const aliceId = await userId(emu, alice.access_token);
const bobId = await userId(emu, bob.access_token);

describe('GET /2/users/me', () => {
  test('without a token: 401 with the exact problem body', async () => {
    const res = await api(emu, 'GET', '/2/users/me', undefined);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHORIZED);
  });

  test('with an unknown bearer token or a non-bearer scheme: 401 with the exact problem body', async () => {
    const bad = await api(emu, 'GET', '/2/users/me', 'not-a-real-token');
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, UNAUTHORIZED);
    const basic = await fetch(new URL('/2/users/me', emu.url), {
      headers: { authorization: `Basic ${alice.access_token}` },
    });
    assert.equal(basic.status, 401);
    assert.deepEqual(await basic.json(), UNAUTHORIZED);
  });

  test('returns id, name and username, and no public_metrics unless asked', async () => {
    const res = await api(emu, 'GET', '/2/users/me', alice.access_token);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { data: { id: aliceId, name: 'Alice', username: 'alice' } });
    assert.match(aliceId, /^\d{1,19}$/);
    const other = await api(emu, 'GET', '/2/users/me', bob.access_token);
    assert.deepEqual(other.body, { data: { id: bobId, name: 'Bob', username: 'bob' } });
    assert.notEqual(aliceId, bobId);
  });

  test('user.fields=public_metrics adds the seeded public metrics', async () => {
    const res = await api(emu, 'GET', '/2/users/me?user.fields=public_metrics', alice.access_token);
    assert.equal(res.status, 200);
    const data = res.body.data as Record<string, unknown>;
    assert.equal(data.username, 'alice');
    const metrics = data.public_metrics as Record<string, unknown>;
    assert.equal(metrics.followers_count, 1200);
    assert.equal(metrics.following_count, 180);
    assert.equal(metrics.listed_count, 4);
    assert.equal(typeof metrics.tweet_count, 'number');
  });

  test('other user.fields do not bring public_metrics', async () => {
    const res = await api(emu, 'GET', '/2/users/me?user.fields=created_at', alice.access_token);
    assert.equal(res.status, 200);
    const data = res.body.data as Record<string, unknown>;
    assert.equal(data.public_metrics, undefined);
    assert.equal(typeof data.created_at, 'string');
  });

  test('a grant without users.read gets 403 (and so cannot post either)', async () => {
    const narrow = await connect(emu, 'hanako', 'tweet.read offline.access');
    const res = await api(emu, 'GET', '/2/users/me', narrow.access_token);
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Forbidden');
    assert.equal(res.body.status, 403);
    assert.equal(res.body.type, 'about:blank');
    const before = (await state(emu)).posts.length;
    const created = await post(emu, narrow.access_token, { text: unique('no users.read') });
    assert.equal(created.status, 403);
    assert.equal((await state(emu)).posts.length, before);
  });

  test('a grant without tweet.write may read /2/users/me but gets 403 on POST /2/tweets', async () => {
    const readOnly = await connect(emu, 'hanako', 'tweet.read users.read');
    const me = await api(emu, 'GET', '/2/users/me', readOnly.access_token);
    assert.equal(me.status, 200);
    assert.equal((me.body.data as { username: string }).username, 'hanako');
    const before = (await state(emu)).posts.length;
    const created = await post(emu, readOnly.access_token, { text: unique('no tweet.write') });
    assert.equal(created.status, 403, JSON.stringify(created.body));
    assert.equal(created.body.title, 'Forbidden');
    assert.equal((await state(emu)).posts.length, before);
  });
});

describe('POST /2/tweets', () => {
  test('creates a post: 201 with {data:{id,text,edit_history_tweet_ids:[id]}}', async () => {
    const text = unique('hello from rotor');
    const res = await post(emu, alice.access_token, { text });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { id } = dataOf(res.body);
    assert.match(id, /^\d{1,19}$/);
    assert.deepEqual(res.body, { data: { id, text, edit_history_tweet_ids: [id] } });
  });

  test('the created post appears in GET /_emulator/state posts, with its author', async () => {
    const text = unique('in the state');
    const res = await post(emu, alice.access_token, { text });
    const { id } = dataOf(res.body);
    const found = (await state(emu)).posts.find((p) => p.id === id);
    assert.ok(found, 'post listed in state');
    assert.equal(found.text, text);
    assert.equal(found.userId, aliceId);
    assert.equal(found.deleted, false);
  });

  test('without a token: 401 with the exact problem body, nothing created', async () => {
    const before = (await state(emu)).posts.length;
    const res = await post(emu, 'nope', { text: unique('anonymous') });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHORIZED);
    assert.equal((await state(emu)).posts.length, before);
  });

  test('the same text twice by the same user: 403 with X exact duplicate body, nothing created', async () => {
    const text = unique('say it once');
    assert.equal((await post(emu, alice.access_token, { text })).status, 201);
    const before = (await state(emu)).posts.length;
    const again = await post(emu, alice.access_token, { text });
    assert.equal(again.status, 403);
    assert.deepEqual(again.body, DUPLICATE);
    assert.equal((await state(emu)).posts.length, before);
  });

  test('another user may post the same text', async () => {
    const text = unique('shared words');
    assert.equal((await post(emu, alice.access_token, { text })).status, 201);
    const other = await post(emu, bob.access_token, { text });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    assert.equal(dataOf(other.body).text, text);
  });

  test('280 × "a" is accepted', async () => {
    const text = 'a'.repeat(280);
    const res = await post(emu, alice.access_token, { text });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(dataOf(res.body).text, text);
  });

  test('281 × "a" is rejected with 400, an errors array naming the weighted length, nothing created', async () => {
    const before = (await state(emu)).posts.length;
    const messages = assertInvalid(await post(emu, alice.access_token, { text: 'b'.repeat(281) }));
    assert.match(messages, /weighted length/);
    assert.match(messages, /281/);
    assert.equal((await state(emu)).posts.length, before);
  });

  test('140 CJK characters (weight 2 each) are accepted', async () => {
    const res = await post(emu, bob.access_token, { text: '漢'.repeat(140) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  test('141 CJK characters are rejected with 400 (weighted length 282)', async () => {
    const messages = assertInvalid(await post(emu, bob.access_token, { text: '字'.repeat(141) }));
    assert.match(messages, /weighted length/);
    assert.match(messages, /282/);
  });

  test('a URL counts 23 whatever its length', async () => {
    const url = `https://example.com/${'p'.repeat(80)}`;
    const fits = `${'c'.repeat(256)} ${url}`; // 256 + 1 + 23 = 280, though 357 characters long
    const ok = await post(emu, alice.access_token, { text: fits });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const tooLong = `${'d'.repeat(257)} ${url}`; // 281
    const messages = assertInvalid(await post(emu, alice.access_token, { text: tooLong }));
    assert.match(messages, /281/);
  });

  test('an unknown field is rejected with 400 naming it, nothing created', async () => {
    const text = unique('with a stray field');
    const before = (await state(emu)).posts.length;
    const messages = assertInvalid(await post(emu, alice.access_token, { text, scheduled_for: 'tomorrow' }));
    assert.match(messages, /scheduled_for/);
    const after = await state(emu);
    assert.equal(after.posts.length, before);
    assert.ok(!after.posts.some((p) => p.text === text));
  });

  test('a body that is not JSON is rejected with 400, nothing created', async () => {
    const before = (await state(emu)).posts.length;
    assertInvalid(await post(emu, alice.access_token, '{"text": "unterminated'));
    assertInvalid(await post(emu, alice.access_token, 'text=hello'));
    assert.equal((await state(emu)).posts.length, before);
  });

  test('JSON that is not an object, or text that is not a string, is rejected with 400', async () => {
    assertInvalid(await post(emu, alice.access_token, ['text']));
    assertInvalid(await post(emu, alice.access_token, { text: 42 }));
  });

  test('empty, blank or missing text without media is rejected with 400', async () => {
    const before = (await state(emu)).posts.length;
    assertInvalid(await post(emu, alice.access_token, { text: '' }));
    assertInvalid(await post(emu, alice.access_token, { text: '   \n ' }));
    assertInvalid(await post(emu, alice.access_token, {}));
    assert.equal((await state(emu)).posts.length, before);
  });

  test('a reply to an unknown post is refused with 403, nothing created', async () => {
    const before = (await state(emu)).posts.length;
    const res = await post(emu, alice.access_token, {
      text: unique('reply into the void'),
      reply: { in_reply_to_tweet_id: '1234567890123456789' },
    });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Forbidden');
    assert.equal(res.body.status, 403);
    assert.equal((await state(emu)).posts.length, before);
  });

  test('a reply to an existing post is created', async () => {
    const parent = dataOf((await post(emu, alice.access_token, { text: unique('parent') })).body);
    const res = await post(emu, bob.access_token, {
      text: unique('child'),
      reply: { in_reply_to_tweet_id: parent.id },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  test('a reply id that is not numeric is rejected with 400', async () => {
    assertInvalid(
      await post(emu, alice.access_token, {
        text: unique('bad reply'),
        reply: { in_reply_to_tweet_id: 'abc' },
      }),
    );
  });

  test('a valid poll (2 options, 5 and 10080 minutes, 4 options of 25 chars) is accepted', async () => {
    for (const poll of [
      { options: ['yes', 'no'], duration_minutes: 5 },
      { options: ['x'.repeat(25), 'b', 'c', 'd'], duration_minutes: 10080 },
    ]) {
      const res = await post(emu, alice.access_token, { text: unique('poll'), poll });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });

  const badPolls: [string, unknown][] = [
    ['one option', { options: ['only'], duration_minutes: 60 }],
    ['five options', { options: ['a', 'b', 'c', 'd', 'e'], duration_minutes: 60 }],
    ['an empty option', { options: ['a', ''], duration_minutes: 60 }],
    ['an option of 26 characters', { options: ['a', 'y'.repeat(26)], duration_minutes: 60 }],
    ['4 minutes', { options: ['a', 'b'], duration_minutes: 4 }],
    ['10081 minutes', { options: ['a', 'b'], duration_minutes: 10081 }],
    ['a fractional duration', { options: ['a', 'b'], duration_minutes: 60.5 }],
    ['no duration', { options: ['a', 'b'] }],
    ['not an object', 'yes/no'],
  ];
  for (const [name, poll] of badPolls) {
    test(`a poll with ${name} is rejected with 400, nothing created`, async () => {
      const before = (await state(emu)).posts.length;
      const messages = assertInvalid(
        await post(emu, bob.access_token, { text: unique(`poll ${name}`), poll }),
      );
      assert.match(messages, /poll/);
      assert.equal((await state(emu)).posts.length, before);
    });
  }

  test('a poll combined with media is rejected with 400', async () => {
    const messages = assertInvalid(
      await post(emu, bob.access_token, {
        text: unique('poll and media'),
        poll: { options: ['a', 'b'], duration_minutes: 60 },
        media: { media_ids: ['1455952740635586573'] },
      }),
    );
    assert.match(messages, /poll/);
  });

  test('an unknown reply_settings value is rejected with 400', async () => {
    const messages = assertInvalid(
      await post(emu, bob.access_token, { text: unique('rs'), reply_settings: 'everyone' }),
    );
    assert.match(messages, /reply_settings/);
  });
});

describe('DELETE /2/tweets/:id', () => {
  test('deletes the caller own post: {data:{deleted:true}}, marked deleted in the state', async () => {
    const { id } = dataOf((await post(emu, alice.access_token, { text: unique('short-lived') })).body);
    const res = await api(emu, 'DELETE', `/2/tweets/${id}`, alice.access_token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { data: { deleted: true } });
    assert.equal((await state(emu)).posts.find((p) => p.id === id)?.deleted, true);
  });

  test('another user post: 403, and the post stays', async () => {
    const { id } = dataOf((await post(emu, alice.access_token, { text: unique('mine, not bob') })).body);
    const res = await api(emu, 'DELETE', `/2/tweets/${id}`, bob.access_token);
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Forbidden');
    assert.equal((await state(emu)).posts.find((p) => p.id === id)?.deleted, false);
  });

  test('an unknown id: 404', async () => {
    const res = await api(emu, 'DELETE', '/2/tweets/1999999999999999999', alice.access_token);
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(res.body.status, 404);
  });

  test('an already deleted post: 404', async () => {
    const { id } = dataOf((await post(emu, alice.access_token, { text: unique('delete me twice') })).body);
    assert.equal((await api(emu, 'DELETE', `/2/tweets/${id}`, alice.access_token)).status, 200);
    assert.equal((await api(emu, 'DELETE', `/2/tweets/${id}`, alice.access_token)).status, 404);
  });

  test('without a token: 401 with the exact problem body, post kept', async () => {
    const { id } = dataOf((await post(emu, alice.access_token, { text: unique('keep me') })).body);
    const res = await api(emu, 'DELETE', `/2/tweets/${id}`, undefined);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHORIZED);
    assert.equal((await state(emu)).posts.find((p) => p.id === id)?.deleted, false);
  });

  test('after deletion the same text may be posted again', async () => {
    const text = unique('say it again');
    const first = dataOf((await post(emu, alice.access_token, { text })).body);
    assert.equal((await post(emu, alice.access_token, { text })).status, 403);
    assert.equal((await api(emu, 'DELETE', `/2/tweets/${first.id}`, alice.access_token)).status, 200);
    const again = await post(emu, alice.access_token, { text });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.notEqual(dataOf(again.body).id, first.id);
  });
});

describe('GET /2/users/:id/tweets', async () => {
  // Its own emulator, so the timeline holds exactly the posts made here.
  const tl = await emulator();
  const carol = await connect(tl, 'alice');
  const carolId = await userId(tl, carol.access_token);
  const reader = await connect(tl, 'bob');
  const readerId = await userId(tl, reader.access_token);
  const texts = Array.from({ length: 12 }, (_, i) => `timeline post ${i + 1}`);
  const ids: string[] = [];
  for (const text of texts) {
    const res = await post(tl, carol.access_token, { text });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ids.push(dataOf(res.body).id);
  }
  const newestFirst = [...ids].reverse();
  const timeline = (query: string, token = reader.access_token, id = carolId) =>
    api(tl, 'GET', `/2/users/${id}/tweets${query}`, token);

  test('lists newest first, 10 by default, each {id,text,edit_history_tweet_ids}', async () => {
    const res = await timeline('');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const data = listOf(res.body);
    assert.deepEqual(
      data.map((p) => p.id),
      newestFirst.slice(0, 10),
    );
    assert.deepEqual(data[0], { id: ids[11], text: 'timeline post 12', edit_history_tweet_ids: [ids[11]] });
    const meta = metaOf(res.body);
    assert.equal(meta.result_count, 10);
    assert.equal(meta.newest_id, ids[11]);
    assert.equal(meta.oldest_id, ids[2]);
  });

  test('tweet.fields=created_at adds created_at as an ISO time', async () => {
    const plain = listOf((await timeline('?max_results=5')).body);
    for (const p of plain) assert.equal(p.created_at, undefined);
    const res = await timeline('?max_results=5&tweet.fields=created_at');
    assert.equal(res.status, 200);
    const data = listOf(res.body);
    assert.equal(data.length, 5);
    for (const p of data) {
      assert.equal(typeof p.created_at, 'string');
      assert.equal(new Date(p.created_at ?? '').toISOString(), p.created_at);
    }
  });

  test('max_results below 5 or above 100 is rejected with 400; 5 and 100 are accepted', async () => {
    assertInvalid(await timeline('?max_results=4'));
    assertInvalid(await timeline('?max_results=101'));
    assertInvalid(await timeline('?max_results=ten'));
    const five = await timeline('?max_results=5');
    assert.equal(five.status, 200);
    assert.equal(listOf(five.body).length, 5);
    assert.equal(metaOf(five.body).result_count, 5);
    const hundred = await timeline('?max_results=100');
    assert.equal(hundred.status, 200);
    assert.equal(listOf(hundred.body).length, 12);
    assert.equal(metaOf(hundred.body).next_token, undefined);
  });

  test('meta.next_token with pagination_token returns the rest, no overlap, then no next_token', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    const sizes: number[] = [];
    for (let page = 0; page < 5; page += 1) {
      const res = await timeline(
        `?max_results=5${token ? `&pagination_token=${encodeURIComponent(token)}` : ''}`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const data = listOf(res.body);
      sizes.push(data.length);
      seen.push(...data.map((p) => p.id));
      token = metaOf(res.body).next_token as string | undefined;
      if (!token) break;
    }
    assert.deepEqual(sizes, [5, 5, 2]);
    assert.equal(new Set(seen).size, seen.length, 'no post on two pages');
    assert.deepEqual(seen, newestFirst);
  });

  test('a garbled pagination_token is rejected with 400', async () => {
    assertInvalid(await timeline('?pagination_token=%21%21not-a-token'));
  });

  test('deleted posts are not listed', async () => {
    const res = await post(tl, reader.access_token, { text: 'bob: soon gone' });
    const { id } = dataOf(res.body);
    assert.equal(listOf((await timeline('?max_results=5', reader.access_token, readerId)).body)[0]?.id, id);
    assert.equal((await api(tl, 'DELETE', `/2/tweets/${id}`, reader.access_token)).status, 200);
    const after = await timeline('?max_results=5', reader.access_token, readerId);
    assert.ok(!listOf(after.body).some((p) => p.id === id));
  });

  test('a user with no posts: meta.result_count 0 and no data', async () => {
    const hanako = await connect(tl, 'hanako');
    const hanakoId = await userId(tl, hanako.access_token);
    const res = await timeline('', reader.access_token, hanakoId);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal('data' in res.body, false);
    assert.deepEqual(res.body, { meta: { result_count: 0 } });
  });

  test('an unknown user id: 404', async () => {
    const res = await timeline('', reader.access_token, '1999999999999999999');
    assert.equal(res.status, 404, JSON.stringify(res.body));
  });

  test('without a token: 401 with the exact problem body', async () => {
    const res = await api(tl, 'GET', `/2/users/${carolId}/tweets`, undefined);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHORIZED);
  });
});

describe('GET /2/users/:id/tweets start_time', async () => {
  // Moves its own clock, which no other test relies on.
  const st = await emulator();
  const alice2 = await connect(st, 'alice');
  const id = await userId(st, alice2.access_token);

  test('start_time keeps only posts created at or after it', async () => {
    const early = [];
    for (const text of ['early one', 'early two'])
      early.push(dataOf((await post(st, alice2.access_token, { text })).body).id);
    await advance(st, 60);
    const cut = new Date((await nowSeconds(st)) * 1000 - 1000).toISOString();
    const late = [];
    for (const text of ['late one', 'late two', 'late three'])
      late.push(dataOf((await post(st, alice2.access_token, { text })).body).id);
    const res = await api(
      st,
      'GET',
      `/2/users/${id}/tweets?start_time=${encodeURIComponent(cut)}`,
      alice2.access_token,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      listOf(res.body).map((p) => p.id),
      [...late].reverse(),
    );
    assert.equal(metaOf(res.body).result_count, 3);
    const all = await api(st, 'GET', `/2/users/${id}/tweets`, alice2.access_token);
    assert.deepEqual(
      listOf(all.body).map((p) => p.id),
      [...early, ...late].reverse(),
    );
  });

  test('a start_time after every post gives result_count 0 and no data', async () => {
    const future = new Date((await nowSeconds(st)) * 1000 + 3_600_000).toISOString();
    const res = await api(
      st,
      'GET',
      `/2/users/${id}/tweets?start_time=${encodeURIComponent(future)}`,
      alice2.access_token,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { meta: { result_count: 0 } });
  });

  test('a start_time that is not a time is rejected with 400', async () => {
    assertInvalid(await api(st, 'GET', `/2/users/${id}/tweets?start_time=yesterday`, alice2.access_token));
  });
});

describe('rate limit: POST /2/tweets per user per 15 minutes', async () => {
  const rl = await emulator({ rateLimits: { postTweets15m: 2 } });
  const a = await connect(rl, 'alice');

  test('the third post in 15 minutes gets 429 with X body and x-rate-limit-* headers; after 901 s posting works again', async () => {
    const first = await post(rl, a.access_token, { text: 'rl one' });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('x-rate-limit-limit'), '2');
    assert.equal(first.headers.get('x-rate-limit-remaining'), '1');
    const second = await post(rl, a.access_token, { text: 'rl two' });
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('x-rate-limit-remaining'), '0');

    const third = await post(rl, a.access_token, { text: 'rl three' });
    assert.equal(third.status, 429);
    assert.deepEqual(third.body, TOO_MANY);
    assert.equal(third.headers.get('x-rate-limit-limit'), '2');
    assert.equal(third.headers.get('x-rate-limit-remaining'), '0');
    const reset = Number(third.headers.get('x-rate-limit-reset'));
    const now = await nowSeconds(rl);
    assert.ok(
      Number.isInteger(reset),
      `reset is whole Unix seconds: ${third.headers.get('x-rate-limit-reset')}`,
    );
    assert.ok(reset > now, `reset ${reset} is in the future of ${now}`);
    assert.ok(reset <= Math.ceil(now) + 900, `reset ${reset} within 15 minutes of ${now}`);
    assert.ok(
      !(await state(rl)).posts.some((p) => p.text === 'rl three'),
      'the refused post was not created',
    );

    await advance(rl, 901);
    const later = await post(rl, a.access_token, { text: 'rl three' });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    assert.equal(later.headers.get('x-rate-limit-remaining'), '1');
    assert.ok(Number(later.headers.get('x-rate-limit-reset')) > (await nowSeconds(rl)));
  });
});

describe('rate limit: per-user 24-hour post cap', async () => {
  const cap = await emulator({ rateLimits: { userPosts24h: 2 } });
  const a = await connect(cap, 'alice');
  const b = await connect(cap, 'bob');

  test('alice third post in 24 h gets 429 with x-user-limit-24hour-* headers; bob still posts; a refusal uses no quota', async () => {
    const one = await post(cap, a.access_token, { text: 'u1' });
    assert.equal(one.status, 201);
    assert.equal(one.headers.get('x-user-limit-24hour-limit'), '2');
    assert.equal(one.headers.get('x-user-limit-24hour-remaining'), '1');
    const appLimit = Number(one.headers.get('x-app-limit-24hour-limit'));
    assert.equal(one.headers.get('x-app-limit-24hour-remaining'), String(appLimit - 1));
    const two = await post(cap, a.access_token, { text: 'u2' });
    assert.equal(two.status, 201);
    assert.equal(two.headers.get('x-user-limit-24hour-remaining'), '0');
    assert.equal(two.headers.get('x-rate-limit-remaining'), '98');

    for (const attempt of ['u3', 'u3 again']) {
      const refused = await post(cap, a.access_token, { text: attempt });
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, TOO_MANY);
      assert.equal(refused.headers.get('x-user-limit-24hour-limit'), '2');
      assert.equal(refused.headers.get('x-user-limit-24hour-remaining'), '0');
      const reset = Number(refused.headers.get('x-user-limit-24hour-reset'));
      const now = await nowSeconds(cap);
      assert.ok(reset > now + 900 && reset <= Math.ceil(now) + 86400, `24 h reset ${reset} vs now ${now}`);
      // Refused: neither the 15-minute window nor the app's daily quota was used.
      assert.equal(refused.headers.get('x-rate-limit-remaining'), '98');
      assert.equal(refused.headers.get('x-app-limit-24hour-remaining'), String(appLimit - 2));
    }

    const other = await post(cap, b.access_token, { text: 'u3' });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    assert.equal(other.headers.get('x-user-limit-24hour-remaining'), '1');
    assert.equal(other.headers.get('x-app-limit-24hour-remaining'), String(appLimit - 3));
    assert.deepEqual(
      (await state(cap)).posts.map((p) => p.text),
      ['u1', 'u2', 'u3'],
    );
  });
});

describe('rate limit: per-app 24-hour post cap shared by users', async () => {
  const cap = await emulator({ rateLimits: { appPosts24h: 3 } });
  const a = await connect(cap, 'alice');
  const b = await connect(cap, 'bob');

  test('alice and bob share the app cap: the fourth post of the app gets 429 with x-app-limit-24hour-* headers', async () => {
    const r1 = await post(cap, a.access_token, { text: 'p1' });
    assert.equal(r1.headers.get('x-app-limit-24hour-limit'), '3');
    assert.equal(r1.headers.get('x-app-limit-24hour-remaining'), '2');
    const r2 = await post(cap, b.access_token, { text: 'p2' });
    assert.equal(r2.status, 201);
    assert.equal(r2.headers.get('x-app-limit-24hour-remaining'), '1');
    const r3 = await post(cap, a.access_token, { text: 'p3' });
    assert.equal(r3.status, 201);
    assert.equal(r3.headers.get('x-app-limit-24hour-remaining'), '0');

    for (const [who, token] of [
      ['bob', b.access_token],
      ['alice', a.access_token],
    ] as const) {
      const refused = await post(cap, token, { text: `p4 by ${who}` });
      assert.equal(refused.status, 429, who);
      assert.deepEqual(refused.body, TOO_MANY);
      assert.equal(refused.headers.get('x-app-limit-24hour-limit'), '3');
      assert.equal(refused.headers.get('x-app-limit-24hour-remaining'), '0');
      const reset = Number(refused.headers.get('x-app-limit-24hour-reset'));
      const now = await nowSeconds(cap);
      assert.ok(reset > now + 900 && reset <= Math.ceil(now) + 86400, `24 h reset ${reset} vs now ${now}`);
    }
    // The refusals used none of bob's own quota: still one post counted, by the headers of another refusal.
    const again = await post(cap, b.access_token, { text: 'p5' });
    assert.equal(again.status, 429);
    const userLimit = Number(again.headers.get('x-user-limit-24hour-limit'));
    assert.equal(again.headers.get('x-user-limit-24hour-remaining'), String(userLimit - 1));
    assert.equal(again.headers.get('x-rate-limit-remaining'), '99');
    assert.equal((await state(cap)).posts.length, 3);
  });

  test('after 24 hours the app may post again', async () => {
    await advance(cap, 86401);
    const fresh = await connect(cap, 'bob'); // the old access tokens expired meanwhile
    const res = await post(cap, fresh.access_token, { text: 'next day' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.get('x-app-limit-24hour-remaining'), '2');
  });
});

describe('access-token expiry', async () => {
  const ex = await emulator();
  const a = await connect(ex, 'alice');

  test('a token works until 7200 s, then /2/users/me and POST /2/tweets answer 401; a refresh gives a working token', async () => {
    assert.equal(a.expires_in, 7200);
    await advance(ex, 7190);
    assert.equal((await api(ex, 'GET', '/2/users/me', a.access_token)).status, 200);
    await advance(ex, 11);
    const expired = await api(ex, 'GET', '/2/users/me', a.access_token);
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, UNAUTHORIZED);
    const refused = await post(ex, a.access_token, { text: 'too late' });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, UNAUTHORIZED);

    const renewed = await refresh(ex, a.refresh_token);
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    const token = String(renewed.body.access_token);
    assert.notEqual(token, a.access_token);
    const me = await api(ex, 'GET', '/2/users/me', token);
    assert.equal(me.status, 200);
    assert.equal((me.body.data as { username: string }).username, 'alice');
    assert.equal((await post(ex, token, { text: 'on time again' })).status, 201);
    assert.equal(
      (await api(ex, 'GET', '/2/users/me', a.access_token)).status,
      401,
      'the old token stays expired',
    );
  });
});

describe('timeline page at /', () => {
  test('shows a posted text HTML-escaped', async () => {
    const text = '<b>hi</b> & co';
    const res = await post(emu, bob.access_token, { text });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const page = await fetch(new URL('/', emu.url));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.ok(html.includes('&lt;b&gt;hi&lt;/b&gt; &amp; co'), 'escaped text shown');
    assert.ok(!html.includes('<b>hi</b>'), 'raw tag absent');
    assert.ok(html.includes(`post-${dataOf(res.body).id}`));
  });

  test('a deleted post is no longer shown', async () => {
    const text = unique('gone from the page');
    const { id } = dataOf((await post(emu, bob.access_token, { text })).body);
    assert.ok((await (await fetch(new URL('/', emu.url))).text()).includes(text));
    assert.equal((await api(emu, 'DELETE', `/2/tweets/${id}`, bob.access_token)).status, 200);
    assert.ok(!(await (await fetch(new URL('/', emu.url))).text()).includes(text));
  });
});
