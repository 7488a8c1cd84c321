/**
 * Fault injection through `/_emulator/faults` (faults.ts, http/env.ts `withFault`): latency,
 * 5xx/4xx errors, hangs, lost responses and malformed bodies on the token endpoint and on
 * `POST /2/tweets`, how often a fault hits, and the control endpoints' loopback-only rule.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEmulatorApp } from '../../src/emulator/app.ts';
import { FaultRegistry } from '../../src/emulator/faults.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { parseEmulatorSettings } from '../../src/emulator/settings.ts';
import { EmulatorWorld } from '../../src/emulator/world.ts';
import { api, basic, connect, control, emulator, refresh, state, type Tokens } from '../helpers/emulator.ts';

const emu = await emulator();

type FaultInput = Record<string, unknown>;
interface FaultView {
  id: string;
  target: string;
  kind: string;
  times: number | null;
  probability: number;
  hits: number;
}

async function addFault(e: RunningEmulator, spec: FaultInput): Promise<FaultView> {
  const res = await control(e, 'POST', '/faults', spec);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as unknown as FaultView;
}

async function listFaults(e: RunningEmulator): Promise<FaultView[]> {
  const res = await control(e, 'GET', '/faults');
  assert.equal(res.status, 200);
  return (res.body as { faults: FaultView[] }).faults;
}

async function clearFaults(e: RunningEmulator): Promise<void> {
  assert.equal((await control(e, 'DELETE', '/faults')).status, 200);
}

/** A refresh request answered with whatever body it has (the helper's `refresh` wants JSON). */
function rawRefresh(e: RunningEmulator, refreshToken: string, signal?: AbortSignal): Promise<Response> {
  return fetch(new URL('/2/oauth2/token', e.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    signal,
  });
}

function rawPost(
  e: RunningEmulator,
  accessToken: string,
  text: string,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(new URL('/2/tweets', e.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ text }),
    signal,
  });
}

const uniqueText = (label: string) => `${label} ${randomBytes(6).toString('hex')}`;

/** The grant most recently created (grants are listed in creation order). */
async function newestGrant(e: RunningEmulator) {
  const grants = (await state(e)).grants;
  const grant = grants.at(-1);
  assert.ok(grant, 'expected a grant');
  return grant;
}

/** Asserts a refresh with `refreshToken` works, and returns the rotated tokens. */
async function assertRefreshWorks(e: RunningEmulator, refreshToken: string): Promise<Tokens> {
  const res = await refresh(e, refreshToken);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(typeof res.body.access_token, 'string');
  assert.equal(typeof res.body.refresh_token, 'string');
  assert.notEqual(res.body.refresh_token, refreshToken);
  return res.body as unknown as Tokens;
}

/** Whether `text` parses as a token response with the fields a client needs. */
function isValidTokenResponse(text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return (
    typeof b.access_token === 'string' &&
    b.access_token !== '' &&
    typeof b.refresh_token === 'string' &&
    typeof b.expires_in === 'number' &&
    typeof b.token_type === 'string'
  );
}

afterEach(() => clearFaults(emu));

describe('latency', () => {
  test('token: the refresh answers after at least latencyMs, and succeeds', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'token', kind: 'latency', latencyMs: 400 });
    const started = performance.now();
    const res = await refresh(emu, tokens.refresh_token);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 400, `answered after ${elapsed.toFixed(0)} ms`);
    assert.ok(elapsed < 3000, `answered after ${elapsed.toFixed(0)} ms`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(typeof res.body.access_token, 'string');
    assert.equal(typeof res.body.refresh_token, 'string');
    assert.notEqual(res.body.refresh_token, tokens.refresh_token);
    assert.equal((await newestGrant(emu)).refreshCount, 1);
  });

  test('tweets: the post answers after at least latencyMs, and is created', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'latency', latencyMs: 300 });
    const text = uniqueText('slow');
    const started = performance.now();
    const res = await api(emu, 'POST', '/2/tweets', tokens.access_token, { text });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 300, `answered after ${elapsed.toFixed(0)} ms`);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((res.body.data as { text: string }).text, text);
    assert.ok((await state(emu)).posts.some((p) => p.text === text));
  });
});

describe('error', () => {
  test('token 503: HTML body, and the refresh token is not rotated (it still works)', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'token', kind: 'error', status: 503 });
    const res = await rawRefresh(emu, tokens.refresh_token);
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html/i);
    assert.equal((await newestGrant(emu)).refreshCount, 0);
    await assertRefreshWorks(emu, tokens.refresh_token);
    const after = await state(emu);
    assert.equal(after.reuseDetected, 0, 'the retried refresh token was not spent');
  });

  test('tweets 503: HTML body, and no post is created', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'error', status: 503 });
    const text = uniqueText('edge down');
    const res = await rawPost(emu, tokens.access_token, text);
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /<html/i);
    assert.ok(!(await state(emu)).posts.some((p) => p.text === text));
  });

  test('tweets 402: problem JSON, and no post is created', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'error', status: 402 });
    const text = uniqueText('no credits');
    const res = await api(emu, 'POST', '/2/tweets', tokens.access_token, { text });
    assert.equal(res.status, 402);
    assert.match(res.headers.get('content-type') ?? '', /^application\/(problem\+)?json/);
    assert.equal(res.body.status, 402);
    assert.equal(typeof res.body.title, 'string');
    assert.equal(typeof res.body.type, 'string');
    assert.equal(typeof res.body.detail, 'string');
    assert.ok(!(await state(emu)).posts.some((p) => p.text === text));
  });

  test('tweets 429: problem JSON with x-rate-limit-* headers, and no post is created', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'error', status: 429 });
    const text = uniqueText('too many');
    const res = await api(emu, 'POST', '/2/tweets', tokens.access_token, { text });
    assert.equal(res.status, 429);
    assert.match(res.headers.get('content-type') ?? '', /^application\/(problem\+)?json/);
    assert.equal(res.body.title, 'Too Many Requests');
    assert.equal(res.body.status, 429);
    const limit = res.headers.get('x-rate-limit-limit');
    const remaining = res.headers.get('x-rate-limit-remaining');
    const reset = res.headers.get('x-rate-limit-reset');
    assert.match(limit ?? '', /^\d+$/);
    assert.equal(remaining, '0');
    assert.match(reset ?? '', /^\d+$/);
    assert.ok(Number(reset) * 1000 > Date.now() - 1000, 'reset is a Unix time in seconds, not in the past');
    assert.ok(!(await state(emu)).posts.some((p) => p.text === text));
  });
});

describe('hang', () => {
  for (const target of ['token', 'tweets'] as const) {
    test(`${target}: no answer, the client times out, and the server stays usable`, async () => {
      const tokens = await connect(emu);
      await addFault(emu, { target, kind: 'hang' });
      const started = performance.now();
      const pending =
        target === 'token'
          ? rawRefresh(emu, tokens.refresh_token, AbortSignal.timeout(300))
          : rawPost(emu, tokens.access_token, uniqueText('hung'), AbortSignal.timeout(300));
      await assert.rejects(pending, (err: Error) => err.name === 'TimeoutError');
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 290 && elapsed < 2000, `aborted after ${elapsed.toFixed(0)} ms`);
      // The fault was used up; the same endpoint answers normally now.
      if (target === 'token') {
        await assertRefreshWorks(emu, tokens.refresh_token);
      } else {
        const res = await api(emu, 'POST', '/2/tweets', tokens.access_token, {
          text: uniqueText('after hang'),
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      assert.equal((await control(emu, 'GET', '/state')).status, 200);
    });
  }

  test('closing the emulator ends a hung connection (the pending request rejects)', async () => {
    const own = await emulator();
    const tokens = await connect(own);
    await addFault(own, { target: 'token', kind: 'hang' });
    let settled = false;
    const pending = rawRefresh(own, tokens.refresh_token).finally(() => {
      settled = true;
    });
    // Let the request reach the server and hang there.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(settled, false, 'the hung request must not have been answered');
    const started = performance.now();
    const within = <T>(promise: Promise<T>, ms: number) =>
      Promise.race([
        promise,
        new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms).unref()),
      ]);
    const closed = await within(
      own.close().then(() => 'closed'),
      2000,
    );
    assert.equal(closed, 'closed', 'close() must not wait for the hung request');
    const outcome = await within(
      pending.then(
        (res) => `answered ${res.status}`,
        () => 'rejected',
      ),
      2000,
    );
    assert.equal(outcome, 'rejected');
    assert.ok(performance.now() - started < 2000);
  });
});

describe('lost_response', () => {
  test('token: the client sees a network error, but the refresh token was rotated; reusing it revokes the grant', async () => {
    const tokens = await connect(emu);
    const before = await state(emu);
    await addFault(emu, { target: 'token', kind: 'lost_response' });
    await assert.rejects(rawRefresh(emu, tokens.refresh_token), TypeError);
    const grant = await newestGrant(emu);
    assert.equal(grant.refreshCount, 1, 'the server did the refresh');
    assert.equal(grant.status, 'active');

    const again = await refresh(emu, tokens.refresh_token);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_request');
    const after = await state(emu);
    assert.equal(after.reuseDetected, before.reuseDetected + 1);
    const ended = after.grants.find((g) => g.id === grant.id);
    assert.equal(ended?.status, 'revoked');
    assert.equal(ended?.endReason, 'reuse');
    assert.equal(after.familiesRevoked, before.familiesRevoked + 1);
  });

  test('tweets: the client sees a network error, but the post exists', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'lost_response' });
    const text = uniqueText('lost');
    await assert.rejects(rawPost(emu, tokens.access_token, text), TypeError);
    const post = (await state(emu)).posts.find((p) => p.text === text);
    assert.ok(post, 'the post was created');
    assert.equal(post.deleted, false);
  });
});

describe('malformed', () => {
  for (const variant of ['truncated_json', 'not_json', 'wrong_types', 'empty'] as const) {
    test(`token ${variant}: 200 with a body that is no token response, and the refresh token is not spent`, async () => {
      const tokens = await connect(emu);
      await addFault(emu, { target: 'token', kind: 'malformed', variant });
      const res = await rawRefresh(emu, tokens.refresh_token);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.equal(isValidTokenResponse(text), false, `body: ${text}`);
      if (variant === 'empty') assert.equal(text, '');
      if (variant === 'not_json') assert.throws(() => JSON.parse(text) as unknown);
      if (variant === 'wrong_types') assert.doesNotThrow(() => JSON.parse(text) as unknown);
      assert.equal((await newestGrant(emu)).refreshCount, 0);
      await assertRefreshWorks(emu, tokens.refresh_token);
    });
  }

  test('tweets: 200 with a broken body, and no post is created', async () => {
    const tokens = await connect(emu);
    await addFault(emu, { target: 'tweets', kind: 'malformed', variant: 'not_json' });
    const text = uniqueText('malformed');
    const res = await rawPost(emu, tokens.access_token, text);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.throws(() => JSON.parse(body) as unknown, `body: ${body}`);
    assert.ok(!(await state(emu)).posts.some((p) => p.text === text));
  });
});

describe('how often a fault hits', () => {
  test('times 2 hits exactly two requests', async () => {
    const tokens = await connect(emu);
    const fault = await addFault(emu, { target: 'token', kind: 'error', status: 503, times: 2 });
    assert.equal(fault.times, 2);
    assert.equal(fault.hits, 0);
    const first = await rawRefresh(emu, tokens.refresh_token);
    assert.equal(first.status, 503);
    await first.body?.cancel();
    const listed = (await listFaults(emu)).find((f) => f.id === fault.id);
    assert.equal(listed?.hits, 1);
    const second = await rawRefresh(emu, tokens.refresh_token);
    assert.equal(second.status, 503);
    await second.body?.cancel();
    await assertRefreshWorks(emu, tokens.refresh_token);
    assert.equal(
      (await listFaults(emu)).some((f) => f.id === fault.id),
      false,
      'a used-up fault is gone',
    );
  });

  test('textContains hits only a create-post request whose text contains it', async () => {
    const tokens = await connect(emu);
    const mark = uniqueText('part two');
    const fault = await addFault(emu, {
      target: 'tweets',
      kind: 'error',
      status: 503,
      times: null,
      textContains: mark,
    });
    const other = uniqueText('part one');
    const passed = await rawPost(emu, tokens.access_token, other);
    assert.equal(passed.status, 201, 'a text without it passes the fault by');
    await passed.body?.cancel();
    assert.equal((await listFaults(emu)).find((f) => f.id === fault.id)?.hits, 0, 'and uses no time');
    const hit = await rawPost(emu, tokens.access_token, `2/3 ${mark} and more`);
    assert.equal(hit.status, 503, 'a text containing it is hit');
    await hit.body?.cancel();
    assert.equal((await listFaults(emu)).find((f) => f.id === fault.id)?.hits, 1);
    const posts = (await state(emu)).posts.map((p) => p.text);
    assert.ok(posts.includes(other));
    assert.ok(!posts.some((t) => t.includes(mark)), 'the hit request created nothing');
  });

  test('times null hits every request until DELETE /_emulator/faults/:id removes it', async () => {
    const tokens = await connect(emu);
    const fault = await addFault(emu, { target: 'tweets', kind: 'error', status: 503, times: null });
    assert.equal(fault.times, null);
    for (let i = 0; i < 4; i += 1) {
      const res = await rawPost(emu, tokens.access_token, uniqueText(`always ${i}`));
      assert.equal(res.status, 503);
      await res.body?.cancel();
    }
    const listed = await listFaults(emu);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.id, fault.id);
    assert.equal(listed[0]?.hits, 4);
    assert.equal(listed[0]?.times, null);

    const removed = await control(emu, 'DELETE', `/faults/${fault.id}`);
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body, { removed: true });
    assert.deepEqual(await listFaults(emu), []);
    const res = await api(emu, 'POST', '/2/tweets', tokens.access_token, {
      text: uniqueText('fault removed'),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await control(emu, 'DELETE', `/faults/${fault.id}`)).status, 404);
  });

  test('probability 0 never hits', async () => {
    let tokens = await connect(emu);
    const fault = await addFault(emu, {
      target: 'token',
      kind: 'error',
      status: 503,
      times: null,
      probability: 0,
    });
    for (let i = 0; i < 5; i += 1) tokens = await assertRefreshWorks(emu, tokens.refresh_token);
    const listed = (await listFaults(emu)).find((f) => f.id === fault.id);
    assert.equal(listed?.hits, 0);
  });

  test('GET /_emulator/faults lists every fault with its hits; DELETE /_emulator/faults clears them', async () => {
    const tokens = await connect(emu);
    const a = await addFault(emu, { target: 'token', kind: 'latency', latencyMs: 0, times: null });
    const b = await addFault(emu, { target: 'tweets', kind: 'error', status: 429, times: 3 });
    await assertRefreshWorks(emu, tokens.refresh_token);
    const listed = await listFaults(emu);
    assert.deepEqual(
      listed.map((f) => [f.id, f.target, f.kind, f.hits]),
      [
        [a.id, 'token', 'latency', 1],
        [b.id, 'tweets', 'error', 0],
      ],
    );
    assert.equal((await state(emu)).grants.length > 0, true);
    await clearFaults(emu);
    assert.deepEqual(await listFaults(emu), []);
  });

  const invalid: [string, FaultInput, RegExp][] = [
    ['unknown kind', { target: 'token', kind: 'explode' }, /kind/],
    ['unknown key', { target: 'token', kind: 'error', colour: 'red' }, /colour/],
    ['unknown target', { target: 'everything', kind: 'error' }, /target/],
    ['times 0', { target: 'token', kind: 'error', times: 0 }, /times/],
    ['probability above 1', { target: 'token', kind: 'error', probability: 2 }, /probability/],
    ['textContains off tweets', { target: 'token', kind: 'error', textContains: 'x' }, /textContains/],
  ];
  for (const [name, spec, mentions] of invalid) {
    test(`POST with an invalid spec (${name}) is refused with 400 and details`, async () => {
      const res = await control(emu, 'POST', '/faults', spec);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_body');
      const details = res.body.details as string[];
      assert.ok(Array.isArray(details) && details.length > 0);
      assert.match(details.join('\n'), mentions);
      assert.deepEqual(await listFaults(emu), []);
    });
  }
});

describe('counters', () => {
  test('tokenRequests.refresh_token counts refresh requests, faulted ones included', async () => {
    const own = await emulator();
    const tokens = await connect(own);
    const before = await state(own);
    assert.equal(before.tokenRequests.authorization_code, 1);
    assert.equal(before.tokenRequests.refresh_token, 0);

    await addFault(own, { target: 'token', kind: 'error', status: 503 });
    assert.equal((await rawRefresh(own, tokens.refresh_token)).status, 503);
    await addFault(own, { target: 'token', kind: 'malformed', variant: 'empty' });
    await (await rawRefresh(own, tokens.refresh_token)).text();
    await addFault(own, { target: 'token', kind: 'latency', latencyMs: 0 });
    const next = await assertRefreshWorks(own, tokens.refresh_token);
    await addFault(own, { target: 'token', kind: 'lost_response' });
    await assert.rejects(rawRefresh(own, next.refresh_token));

    const after = await state(own);
    assert.equal(after.tokenRequests.refresh_token, 4);
    assert.equal(after.tokenRequests.authorization_code, 1);
  });
});

describe('control endpoints on a non-loopback host', () => {
  const build = (host: string) => {
    const settings = parseEmulatorSettings({ host });
    const faults = new FaultRegistry();
    const app = createEmulatorApp({
      world: new EmulatorWorld(settings),
      faults,
      closing: new AbortController().signal,
    });
    return { app, faults };
  };

  test('are refused with 403 when host is 0.0.0.0', async () => {
    const { app, faults } = build('0.0.0.0');
    const res = await app.request('/_emulator/state');
    assert.equal(res.status, 403);
    const post = await app.request('/_emulator/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'token', kind: 'hang' }),
    });
    assert.equal(post.status, 403);
    assert.deepEqual(faults.list(), [], 'no fault was added');
  });

  test('are served when host is 127.0.0.1', async () => {
    const { app } = build('127.0.0.1');
    const res = await app.request('/_emulator/state');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { faults: unknown[] };
    assert.deepEqual(body.faults, []);
  });
});
