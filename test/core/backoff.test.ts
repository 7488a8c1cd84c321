/**
 * The one backoff formula in each of its jitter shapes, with an injected random; and each
 * caller's numbers as they were before it used the shared formula (the vault's refresh retries,
 * X's rate-limit fallback).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addedJitterMs, backoffMs, type Backoff } from '../../src/core/backoff.ts';
import { backoffMs as refreshBackoffMs, REFRESH_BACKOFF } from '../../src/vault/decisions.ts';
import { RATE_LIMIT_BACKOFF, retryAt } from '../../src/x/limits.ts';

const at = (r: number) => () => r;
const DRAWS = [0, 0.1, 0.25, 0.5, 0.75, 0.999_999];

test('spread: doubling from the base to the cap, times a factor in [1 − spread, 1 + spread)', () => {
  const b: Backoff = { baseMs: 1000, capMs: 10_000, spread: 0.25 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((n) => backoffMs(b, n, at(0.5))),
    [1000, 2000, 4000, 8000, 10_000, 10_000],
  );
  assert.equal(backoffMs(b, 0, at(0)), 750, 'the shortest: 1 − spread');
  assert.equal(backoffMs(b, 1, at(0.75)), 2250, '2000 × 1.125');
  assert.ok(backoffMs(b, 0, at(0.999_999)) < 1250, 'never 1 + spread itself');
  assert.equal(backoffMs(b, -3, at(0.5)), 1000, 'no delay below the first');
});

test('below: times a factor in [1 − below, 1), never longer than the delay itself', () => {
  const b: Backoff = { baseMs: 1000, capMs: 10_000, below: 0.5 };
  assert.equal(backoffMs(b, 0, at(0)), 500);
  assert.equal(backoffMs(b, 0, at(0.5)), 750);
  assert.equal(backoffMs(b, 2, at(0.5)), 3000);
  assert.equal(backoffMs(b, 9, at(0)), 5000, 'capped before the jitter');
  for (const r of DRAWS) assert.ok(backoffMs(b, 9, at(r)) < 10_000);
  const quarter: Backoff = { baseMs: 1000, capMs: 10_000, below: 0.25 };
  assert.equal(backoffMs(quarter, 0, at(0)), 750);
});

test('addedMs: plus between min and max ms, after the cap', () => {
  const b: Backoff = { baseMs: 1000, capMs: 10_000, addedMs: { min: 100, max: 500 } };
  assert.equal(backoffMs(b, 0, at(0)), 1100);
  assert.equal(backoffMs(b, 1, at(0.5)), 2300);
  assert.equal(backoffMs(b, 20, at(0.25)), 10_200, 'capped, then added');
  assert.equal(addedJitterMs({ min: 100, max: 500 }, at(0.5)), 300);
});

test('each shape draws random exactly once', () => {
  for (const b of [
    { baseMs: 1, capMs: 2, spread: 0.1 },
    { baseMs: 1, capMs: 2, below: 0.5 },
    { baseMs: 1, capMs: 2, addedMs: { min: 0, max: 1 } },
  ] satisfies Backoff[]) {
    let draws = 0;
    backoffMs(b, 1, () => (draws++, 0.5));
    assert.equal(draws, 1, JSON.stringify(b));
  }
});

test('the vault’s refresh retries: the numbers it had before (200 ms doubling, at most 5 s, × [0.5, 1))', () => {
  assert.deepEqual(REFRESH_BACKOFF, { baseMs: 200, capMs: 5_000, below: 0.5 });
  for (const attempt of [0, 1, 2, 3, 4, 5, 6, 12])
    for (const r of DRAWS) {
      const before = Math.min(200 * 2 ** attempt, 5_000) * (0.5 + r / 2);
      assert.equal(refreshBackoffMs(attempt, r), before, `attempt ${attempt}, random ${r}`);
    }
});

test('X’s rate-limit fallback: the numbers it had before (a minute doubling, at most an hour, + 1–5 s)', () => {
  const now = Date.parse('2026-12-02T06:00:00Z');
  for (const attempt of [0, 1, 2, 3, 5, 6, 7, 40])
    for (const r of DRAWS) {
      const jitter = 1000 + r * 4000;
      const capped = Math.min(60_000 * 2 ** Math.min(attempt, 6), 3600_000);
      assert.equal(
        backoffMs(RATE_LIMIT_BACKOFF, attempt, at(r)),
        capped + jitter,
        `attempt ${attempt}, r ${r}`,
      );
      // No usable reset: the fallback; a reset within 25 h: the reset plus the same jitter.
      assert.equal(retryAt(now, {}, attempt, at(r)), now + capped + jitter);
      const resetAt = now + 900_000;
      const limits = { window: { limit: 100, remaining: 0, resetAt } };
      assert.equal(retryAt(now, limits, attempt, at(r)), resetAt + jitter);
    }
});
