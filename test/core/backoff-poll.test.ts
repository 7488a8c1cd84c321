/** The one backoff formula and the one polling wait, without a database or real time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from '../../src/core/backoff.ts';
import type { Timer } from '../../src/core/clock.ts';
import { pollUntil } from '../../src/core/poll.ts';

test('backoff: doubles from the base, stops at the cap, and jitters within ± spread', () => {
  const b = { baseMs: 30_000, capMs: 3_600_000, spread: 0.2 };
  const mid = () => 0.5;
  assert.deepEqual(
    [0, 1, 2, 3].map((n) => backoffMs(b, n, mid)),
    [30_000, 60_000, 120_000, 240_000],
  );
  assert.equal(backoffMs(b, 20, mid), 3_600_000, 'capped');
  assert.equal(backoffMs(b, -1, mid), 30_000, 'no retry below the first');
  assert.equal(
    backoffMs(b, 0, () => 0),
    24_000,
  );
  assert.ok(backoffMs(b, 0, () => 0.999_999) < 36_000);
  // The notifier's formula before it used this one: the same delays.
  for (const attempts of [1, 2, 5, 12])
    for (const r of [0, 0.3, 0.9]) {
      const before = Math.min(30_000 * 2 ** (attempts - 1), 3_600_000) * (0.8 + r * 0.4);
      assert.ok(Math.abs(backoffMs(b, attempts - 1, () => r) - before) < 1e-6);
    }
});

/** A timer whose sleeps move its clock (no real waiting). */
function fakeTimer(): Timer & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    monotonic: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

test('poll: the first try at once, then every step; a value ends it; the deadline gives undefined', async () => {
  const timer = fakeTimer();
  let tries = 0;
  const found = await pollUntil(() => Promise.resolve(++tries === 3 ? 'done' : undefined), {
    timeoutMs: 1000,
    stepMs: 100,
    timer,
  });
  assert.equal(found, 'done');
  assert.deepEqual(timer.slept, [100, 100]);

  const late = fakeTimer();
  let calls = 0;
  const none = await pollUntil(
    () => {
      calls += 1;
      return Promise.resolve(undefined);
    },
    { timeoutMs: 250, stepMs: 100, timer: late },
  );
  assert.equal(none, undefined);
  assert.equal(calls, 4, 'tries at 0, 100, 200 and 300 ms (the last at or after the deadline)');
});
