/**
 * X's answer times (settings `latency`, latency.ts, applied in http/env.ts): off by default; when
 * set, `POST /2/tweets` and token requests are answered no sooner than the fixed time and within
 * fixed + jitter; other endpoints are not held back. The CLI flags build the same setting.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { settingsFromFlags } from '../../src/cli/emulator-command.ts';
import { latencyFor, parseLatencyFlag } from '../../src/emulator/latency.ts';
import { parseEmulatorSettings } from '../../src/emulator/settings.ts';
import { api, connect, emulator, refresh } from '../helpers/emulator.ts';

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

const POST_FIXED = 400;
const TOKEN_FIXED = 300;

describe('emulator latency', () => {
  test('is off by default: every group 0 + 0, and a post is answered without a wait', async () => {
    const settings = parseEmulatorSettings({});
    assert.deepEqual(settings.latency, {
      post: { fixedMs: 0, jitterMs: 0 },
      token: { fixedMs: 0, jitterMs: 0 },
    });
    const emu = await emulator();
    const tokens = await connect(emu);
    // Warm the connection, then time one post.
    await api(emu, 'POST', '/2/tweets', tokens.access_token, { text: 'warm-up' });
    const { ms, value } = await timed(() =>
      api(emu, 'POST', '/2/tweets', tokens.access_token, { text: 'no wait' }),
    );
    assert.equal(value.status, 201);
    assert.ok(ms < POST_FIXED / 2, `answered in ${ms.toFixed(0)} ms`);
  });

  test('holds posts and token requests back by fixed + jitter as set, and nothing else', async () => {
    const emu = await emulator({
      latency: {
        post: { fixedMs: POST_FIXED, jitterMs: 100 },
        token: { fixedMs: TOKEN_FIXED, jitterMs: 100 },
      },
    });
    const tokens = await connect(emu);
    for (let i = 0; i < 3; i += 1) {
      const post = await timed(() =>
        api(emu, 'POST', '/2/tweets', tokens.access_token, { text: `held ${i}` }),
      );
      assert.equal(post.value.status, 201);
      assert.ok(post.ms >= POST_FIXED - 5, `post answered after ${post.ms.toFixed(0)} ms`);
    }
    const rotated = await timed(() => refresh(emu, tokens.refresh_token));
    assert.equal(rotated.value.status, 200);
    assert.ok(rotated.ms >= TOKEN_FIXED - 5, `refresh answered after ${rotated.ms.toFixed(0)} ms`);
    const me = await timed(() => api(emu, 'GET', '/2/users/me', String(rotated.value.body.access_token)));
    assert.equal(me.value.status, 200);
    assert.ok(me.ms < TOKEN_FIXED / 2, `users/me answered after ${me.ms.toFixed(0)} ms`);
  });

  test('the wait is the fixed time plus a share of the jitter', () => {
    const spec = { fixedMs: 150, jitterMs: 250 };
    assert.equal(
      latencyFor(spec, () => 0),
      150,
    );
    assert.equal(
      latencyFor(spec, () => 0.5),
      275,
    );
    assert.equal(
      latencyFor(spec, () => 1),
      400,
    );
  });

  test('the CLI flags give FIXED or FIXED+JITTER, and override the settings file', () => {
    assert.deepEqual(parseLatencyFlag('150+250'), { fixedMs: 150, jitterMs: 250 });
    assert.deepEqual(parseLatencyFlag('80'), { fixedMs: 80, jitterMs: 0 });
    assert.equal(parseLatencyFlag('150-400'), undefined);
    assert.equal(parseLatencyFlag('fast'), undefined);
    const settings = parseEmulatorSettings(
      settingsFromFlags({
        postLatency: { fixedMs: 150, jitterMs: 250 },
        tokenLatency: { fixedMs: 100, jitterMs: 200 },
      }),
    );
    assert.deepEqual(settings.latency, {
      post: { fixedMs: 150, jitterMs: 250 },
      token: { fixedMs: 100, jitterMs: 200 },
    });
  });
});
