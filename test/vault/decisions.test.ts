/** Each decision of the refresh critical section (`src/vault/decisions.ts`), without a database. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffMs,
  decideAfterRead,
  interpret,
  isFresh,
  isUsable,
  leaseLeft,
  margins,
  mayStoreAsOwner,
  maySend,
  reauthReason,
  tokenLifetime,
  waitStepMs,
  type RowFacts,
  type TokenFacts,
} from '../../src/vault/decisions.ts';
import type { RefreshOutcome } from '../../src/oauth/token-client.ts';

const HOUR = 3_600_000;
const now = 1_000_000_000_000;
const token = (leftMs: number, o: Partial<TokenFacts> = {}): TokenFacts => ({
  now,
  expiresAt: now + leftMs,
  margins: margins(2 * HOUR, 3600_000),
  minValidityMs: 0,
  refused: false,
  ...o,
});
const row = (o: Partial<RowFacts> = {}): RowFacts => ({
  hasRefreshToken: true,
  sentCount: 0,
  clientPaused: false,
  backoffUntil: 0,
  leased: false,
  ...o,
});

describe('margins and freshness', () => {
  test('default margin: 5 minutes, at most a quarter of the life; usable margin ≤ 60 s; retry due at half the margin', () => {
    assert.deepEqual(margins(2 * HOUR), { refreshMs: 300_000, usableMs: 60_000, retryDueMs: 150_000 });
    assert.equal(margins(60_000).refreshMs, 15_000);
    assert.equal(margins(60_000).usableMs, 3_000);
    assert.equal(margins(2 * HOUR, 0).refreshMs, 0, 'an explicit margin is honoured');
  });

  test('a token never refreshed is taken to live 2 h', () => {
    assert.equal(tokenLifetime(now, null), 2 * HOUR);
    assert.equal(tokenLifetime(now + 1000, now), 1000);
  });

  test('fresh above the margin (and the caller’s minimum); usable above the small margin; a refused token is neither', () => {
    assert.equal(isFresh(token(2 * HOUR)), true);
    assert.equal(isFresh(token(30 * 60_000)), false, 'inside the 1 h margin');
    assert.equal(isUsable(token(30 * 60_000)), true);
    assert.equal(isUsable(token(30_000)), false, 'under the 60 s safety margin');
    assert.equal(isUsable(token(30 * 60_000, { minValidityMs: HOUR })), false, 'the caller needs longer');
    assert.equal(isFresh(token(2 * HOUR, { refused: true })), false);
    assert.equal(isUsable(token(2 * HOUR, { refused: true })), false);
  });
});

describe('the read step decides', () => {
  test('fresh → hand out; inside the margin with nothing in the way → refresh', () => {
    assert.deepEqual(decideAfterRead(token(2 * HOUR), row()), { kind: 'hand_out' });
    assert.deepEqual(decideAfterRead(token(30 * 60_000), row()), { kind: 'refresh' });
  });

  test('no refresh possible and the token still usable → degrade, with the cause', () => {
    const t = token(40 * 60_000);
    assert.deepEqual(decideAfterRead(t, row({ hasRefreshToken: false })), {
      kind: 'degrade',
      because: 'no_refresh_token',
    });
    assert.deepEqual(decideAfterRead(t, row({ clientPaused: true })), {
      kind: 'degrade',
      because: 'client_refused',
    });
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 2 })), {
      kind: 'degrade',
      because: 'sends_exhausted',
    });
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 1 })), { kind: 'degrade', because: 'in_doubt' });
    assert.deepEqual(decideAfterRead(t, row({ backoffUntil: now + 1 })), {
      kind: 'degrade',
      because: 'backoff',
    });
  });

  test('a send counted under a lease still held may be in flight: the lease step waits, no degrade yet', () => {
    const t = token(10 * 60_000);
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 1, leased: true })), { kind: 'refresh' });
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 2, leased: true })), { kind: 'refresh' });
  });

  test('the retry after an unknown outcome waits until the token has less than half the margin left', () => {
    assert.deepEqual(decideAfterRead(token(29 * 60_000), row({ sentCount: 1 })), { kind: 'refresh' });
  });

  test('the token not usable → the user, a paused client, or a refresh (the lease enforces any hold)', () => {
    const t = token(10_000);
    assert.deepEqual(decideAfterRead(t, row({ hasRefreshToken: false })), {
      kind: 'needs_user',
      reason: 'expired',
    });
    assert.deepEqual(decideAfterRead(t, row({ clientPaused: true })), { kind: 'client_refused' });
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 2 })), { kind: 'refresh' });
    assert.deepEqual(decideAfterRead(t, row({ sentCount: 1 })), { kind: 'refresh' });
    assert.deepEqual(decideAfterRead(t, row({ backoffUntil: now + 1 })), { kind: 'refresh' });
  });
});

describe('lease life (property 33)', () => {
  test('a send needs the whole HTTP deadline plus slack left; storing as owner needs the slack', () => {
    assert.equal(leaseLeft(100, 30_000, 100), 30_000);
    assert.equal(leaseLeft(100, 30_000, 20_100), 10_000);
    assert.equal(maySend(30_000, 15_000, 30_000), true);
    assert.equal(maySend(16_000, 15_000, 30_000), false, '15 s + 1 s slack is not more than 16 s');
    assert.equal(maySend(-5_000, 15_000, 30_000), false, 'frozen past the lease');
    assert.equal(mayStoreAsOwner(2_000, 30_000), true);
    assert.equal(mayStoreAsOwner(500, 30_000), false);
  });
});

describe('interpreting X’s answer', () => {
  const c = { sentCount: 1, transientTries: 0, maxTransientRetries: 2, random: 0.5 };
  const transient = (
    code: 'x_unavailable' | 'x_rate_limited',
    outcomeUnknown: boolean,
    retryAfterMs?: number,
  ) => ({ kind: 'transient', code, status: 502, retryAfterMs, outcomeUnknown }) as RefreshOutcome;

  test('rotated → store; refused → check for a lost race; client refused → pause', () => {
    const tokens = { accessToken: 'a', refreshToken: 'r', expiresIn: 7200, scope: undefined };
    assert.deepEqual(interpret({ kind: 'rotated', tokens }, c), { kind: 'store' });
    assert.deepEqual(interpret({ kind: 'rejected', error: 'invalid_grant' }, c), { kind: 'check_race' });
    assert.deepEqual(interpret({ kind: 'invalid_client', error: 'invalid_client' }, c), {
      kind: 'client_refused',
    });
  });

  test('unknown outcome: hold the lease and retry once; after the second, the cool-down and no retry', () => {
    assert.deepEqual(interpret(transient('x_unavailable', true), c), {
      kind: 'transient',
      release: 'hold',
      retry: true,
      delayMs: 0,
    });
    assert.deepEqual(interpret(transient('x_unavailable', true), { ...c, sentCount: 2 }), {
      kind: 'transient',
      release: 'cool_down',
      retry: false,
      delayMs: 0,
    });
  });

  test('known transient: give the lease back, retry with backoff a bounded number of times; never a 429', () => {
    const once = interpret(transient('x_unavailable', false), c);
    assert.deepEqual(once, { kind: 'transient', release: 'clear', retry: true, delayMs: backoffMs(0, 0.5) });
    assert.equal(
      interpret(transient('x_unavailable', false), { ...c, transientTries: 2 }).kind === 'transient' &&
        (interpret(transient('x_unavailable', false), { ...c, transientTries: 2 }) as { retry: boolean })
          .retry,
      false,
    );
    const limited = interpret(transient('x_rate_limited', false, 9_000), c);
    assert.deepEqual(limited, { kind: 'transient', release: 'clear', retry: false, delayMs: 9_000 });
  });

  test('backoff doubles from 200 ms up to 5 s, jittered to half or more', () => {
    assert.equal(backoffMs(0, 0), 100);
    assert.equal(backoffMs(0, 1), 200);
    assert.equal(backoffMs(10, 1), 5_000);
  });
});

describe('waiting for a lease (property 11, no busy poll)', () => {
  test('50 ms doubling to 1 s, never past the lease’s end or the caller’s deadline', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 9].map((i) => waitStepMs(i, 60_000, 60_000)),
      [50, 100, 200, 400, 800, 1_000, 1_000],
    );
    assert.equal(waitStepMs(5, 120, 60_000), 125, 'the lease ends sooner');
    assert.equal(waitStepMs(5, 60_000, 30), 30, 'the caller’s deadline comes sooner');
  });
});

describe('why a refused refresh needs the user (property 14)', () => {
  const f = {
    inDoubt: false,
    reuseSuspected: false,
    pastHorizon: false,
    accessProbe: 'not_checked' as const,
  };
  test('in doubt first, then reuse, the horizon, a refused access token, else unknown', () => {
    assert.equal(reauthReason({ ...f, inDoubt: true, reuseSuspected: true }), 'lost_response');
    assert.equal(reauthReason({ ...f, reuseSuspected: true, pastHorizon: true }), 'reused');
    assert.equal(reauthReason({ ...f, pastHorizon: true }), 'expired');
    assert.equal(reauthReason({ ...f, accessProbe: 'unauthorized' }), 'revoked');
    assert.equal(reauthReason(f), 'unknown');
  });
});
