/**
 * The emulator's answers checked against X's own OpenAPI document with `ajv` (the schema for each
 * operation, status and media type, from `test/fixtures/x-openapi-v2.167.json`): success bodies
 * against their operation's schema; problem bodies against the shapes X serves (the document's
 * `Problem` admits only its own `type` URIs, not X's `about:blank`). Where X's document and what X
 * serves disagree, the emulator follows X, and `X_SERVES_OTHERWISE` and docs/x-fidelity.md say so.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, connect, emulator } from '../helpers/emulator.ts';
import { X_SCOPES } from '../../src/emulator/scopes.ts';
import { OPENAPI_SCOPES, openApiProblems, servedProblemProblems } from '../helpers/x-openapi.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAfbLI3wAAAABJRU5ErkJggg==',
  'base64',
);

/** A success body against its operation's schema; a problem body against the shapes X serves. */
function conforms(path: string, method: string, r: { status: number; body: unknown; headers: Headers }) {
  const mediaType = (r.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const problems =
    r.status < 400
      ? openApiProblems(path, method, r.status, mediaType, r.body)
      : mediaType === 'application/problem+json'
        ? servedProblemProblems(r.body)
        : [`${r.status} served as ${mediaType}, not application/problem+json`];
  assert.deepEqual(problems, [], `${method} ${path} ${r.status} ${JSON.stringify(r.body)}`);
}

describe('the emulator’s bodies against X’s OpenAPI schemas (ajv)', async () => {
  const emu = await emulator({ rateLimits: { usersMe15m: 2 } });
  const alice = await connect(emu, 'alice', 'tweet.read tweet.write users.read media.write offline.access');

  test('the validator catches a body that does not conform (positive control)', () => {
    assert.notDeepEqual(
      openApiProblems('/2/tweets', 'POST', 201, 'application/json', { data: { id: 7 } }),
      [],
    );
    assert.notDeepEqual(
      openApiProblems('/2/users/me', 'GET', 401, 'application/problem+json', { title: 1 }),
      [],
    );
  });

  test('every scope X’s OpenAPI lists is known to the emulator', () => {
    assert.ok(OPENAPI_SCOPES.length > 20, 'the document lists its scopes');
    assert.deepEqual(
      OPENAPI_SCOPES.filter((s) => !X_SCOPES.has(s)),
      [],
    );
  });

  test('GET /2/users/me (200), with user.fields', async () => {
    const r = await api(emu, 'GET', '/2/users/me?user.fields=public_metrics,description', alice.access_token);
    assert.equal(r.status, 200);
    conforms('/2/users/me', 'GET', r);
  });

  test('POST /2/tweets (201), a reply (201), GET /2/users/{id}/tweets (200), DELETE /2/tweets/{id} (200)', async () => {
    const post = await api(emu, 'POST', '/2/tweets', alice.access_token, { text: `openapi ${Date.now()}` });
    assert.equal(post.status, 201);
    conforms('/2/tweets', 'POST', post);
    const id = (post.body.data as { id: string }).id;
    const reply = await api(emu, 'POST', '/2/tweets', alice.access_token, {
      text: `reply ${Date.now()}`,
      reply: { in_reply_to_tweet_id: id },
    });
    assert.equal(reply.status, 201);
    conforms('/2/tweets', 'POST', reply);
    const me = await api(emu, 'GET', '/2/users/me', alice.access_token);
    const userId = (me.body.data as { id: string }).id;
    const listed = await api(
      emu,
      'GET',
      `/2/users/${userId}/tweets?tweet.fields=created_at`,
      alice.access_token,
    );
    assert.equal(listed.status, 200);
    conforms('/2/users/{id}/tweets', 'GET', listed);
    const deleted = await api(emu, 'DELETE', `/2/tweets/${id}`, alice.access_token);
    assert.equal(deleted.status, 200);
    conforms('/2/tweets/{id}', 'DELETE', deleted);
  });

  test('POST /2/media/upload (200, simple upload)', async () => {
    const form = new FormData();
    form.set('media', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    form.set('media_category', 'tweet_image');
    const res = await fetch(new URL('/2/media/upload', emu.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.access_token}` },
      body: form,
    });
    const r = { status: res.status, body: await res.json(), headers: res.headers };
    assert.equal(r.status, 200, JSON.stringify(r.body));
    conforms('/2/media/upload', 'POST', r);
  });

  test('problems (401, 400, 403 duplicate, 404, 429) against the problem shapes X serves', async () => {
    conforms('/2/users/me', 'GET', await api(emu, 'GET', '/2/users/me', undefined));
    conforms('/2/tweets', 'POST', await api(emu, 'POST', '/2/tweets', alice.access_token, '{not json'));
    const text = `twice ${Date.now()}`;
    await api(emu, 'POST', '/2/tweets', alice.access_token, { text });
    const dup = await api(emu, 'POST', '/2/tweets', alice.access_token, { text });
    assert.equal(dup.status, 403);
    conforms('/2/tweets', 'POST', dup);
    const missing = await api(emu, 'DELETE', '/2/tweets/1999999999999999999', alice.access_token);
    assert.equal(missing.status, 404);
    conforms('/2/tweets/{id}', 'DELETE', missing);
    let limited = await api(emu, 'GET', '/2/users/me', alice.access_token);
    for (let i = 0; i < 3 && limited.status !== 429; i += 1)
      limited = await api(emu, 'GET', '/2/users/me', alice.access_token);
    assert.equal(limited.status, 429);
    conforms('/2/users/me', 'GET', limited);
  });
});
