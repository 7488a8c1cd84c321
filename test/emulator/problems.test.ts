/**
 * The v2 API's errors as X serves them: problem JSON (`application/problem+json`, RFC 9457)
 * with X's `type` URIs, and a not-found that names the resource (`resource_type`,
 * `resource_id`, `parameter`, `value`). See docs/x-fidelity.md.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, connect, emulator } from '../helpers/emulator.ts';

describe('problem responses as X serves them', async () => {
  const emu = await emulator();
  const tokens = await connect(emu, 'alice');

  test('401 without a token: application/problem+json, about:blank', async () => {
    const r = await api(emu, 'GET', '/2/users/me', undefined);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(r.body, {
      title: 'Unauthorized',
      type: 'about:blank',
      status: 401,
      detail: 'Unauthorized',
    });
  });

  test('400 invalid request: X’s invalid-request type and its errors list', async () => {
    const r = await api(emu, 'POST', '/2/tweets', tokens.access_token, '{not json');
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.body.type, 'https://api.twitter.com/2/problems/invalid-request');
    assert.equal(r.body.title, 'Invalid Request');
    assert.ok(Array.isArray(r.body.errors) && r.body.errors.length > 0);
  });

  test('403 duplicate: X’s exact body, as problem JSON', async () => {
    const text = `same words ${Date.now()}`;
    assert.equal((await api(emu, 'POST', '/2/tweets', tokens.access_token, { text })).status, 201);
    const r = await api(emu, 'POST', '/2/tweets', tokens.access_token, { text });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(r.body, {
      detail: 'You are not allowed to create a Tweet with duplicate content.',
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
    });
  });

  test('404 not found names the resource: resource_type, resource_id, parameter, value', async () => {
    const r = await api(emu, 'DELETE', '/2/tweets/1999999999999999999', tokens.access_token);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(r.body, {
      title: 'Not Found Error',
      type: 'https://api.twitter.com/2/problems/resource-not-found',
      status: 404,
      detail: 'Could not find tweet with id: [1999999999999999999].',
      resource_type: 'tweet',
      resource_id: '1999999999999999999',
      parameter: 'id',
      value: '1999999999999999999',
    });
  });
});
