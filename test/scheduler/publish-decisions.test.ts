/** Each decision of the publish path (`src/scheduler/publish-decisions.ts`), without a database. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RotorError } from '../../src/core/errors.ts';
import {
  afterLookupNoted,
  backoffMs,
  callDeadlineMs,
  capDecision,
  duplicateDecision,
  fenceOf,
  firstUnowned,
  interpretCreate,
  mediaFailureDecision,
  limitsToSave,
  lookupDecision,
  lookupFailedReason,
  notClaimedDecision,
  sameText,
  settleReschedule,
  tokenFailureDecision,
  unlookableDecision,
  type RetryPolicy,
} from '../../src/scheduler/publish-decisions.ts';

const now = 1_800_000_000_000;
const policy = (o: Partial<RetryPolicy> = {}): RetryPolicy => ({
  now,
  retries: 0,
  retryBaseMs: 30_000,
  random: () => 0.5,
  ...o,
});
const reset = now + 15 * 60_000;
const exhausted = { window: { limit: 1, remaining: 0, resetAt: reset } };

describe('claim and prepare', () => {
  test('not claimed: gone, not due, settled; unknown → look it up; publishing → is it stale?', () => {
    const result = (r: unknown) => ({ kind: 'result', result: r });
    assert.deepEqual(notClaimedDecision(undefined), result({ kind: 'settled', status: 'deleted' }));
    assert.deepEqual(
      notClaimedDecision({ status: 'scheduled', dueAt: now }),
      result({ kind: 'not_due', dueAt: now }),
    );
    assert.deepEqual(
      notClaimedDecision({ status: 'published', dueAt: null }),
      result({ kind: 'settled', status: 'published' }),
    );
    assert.deepEqual(notClaimedDecision({ status: 'unknown', dueAt: null }), { kind: 'look_up' });
    assert.deepEqual(notClaimedDecision({ status: 'publishing', dueAt: null }), { kind: 'check_stale' });
  });

  test('a fence names the claim: an unknown row is written as unknown, anything else as publishing', () => {
    assert.deepEqual(fenceOf({ status: 'unknown', claimSeq: 3 }), { status: 'unknown', claimSeq: 3 });
    assert.deepEqual(fenceOf({ status: 'publishing', claimSeq: 4 }), { status: 'publishing', claimSeq: 4 });
  });

  test('a call to X ends well before the claim goes stale (a third of it, at least 1 s)', () => {
    assert.equal(callDeadlineMs(90_000), 30_000);
    assert.equal(callDeadlineMs(2_000), 1_000);
  });

  test('backoff doubles per retry, stops at an hour, and jitters by ±25 %', () => {
    assert.equal(
      backoffMs(0, 30_000, () => 0.5),
      30_000,
    );
    assert.equal(
      backoffMs(2, 30_000, () => 0.5),
      120_000,
    );
    assert.equal(
      backoffMs(20, 30_000, () => 0.5),
      3_600_000,
    );
    assert.equal(
      backoffMs(0, 30_000, () => 0),
      22_500,
    );
    assert.equal(
      backoffMs(0, 30_000, () => 1),
      37_500,
    );
  });

  test('an exhausted cap reschedules after its reset without using an attempt; no cap, no decision', () => {
    assert.equal(
      capDecision({ cappedUntil: null, cappedBy: null }, () => 0.5),
      undefined,
    );
    assert.deepEqual(
      capDecision({ cappedUntil: reset, cappedBy: ['app24h'] }, () => 0.5),
      {
        kind: 'reschedule',
        dueAt: reset + 3000,
        reason: "waiting for X's rate limit (app24h)",
        refund: true,
      },
    );
  });

  test('no token: the account needing its user blocks the post; a transient failure retries; else it fails', () => {
    const reauth = new RotorError('reauth_required', 'x', { reason: 'revoked' });
    const blocked = tokenFailureDecision(reauth, 'alice', policy());
    assert.equal(blocked.kind === 'final' && blocked.status, 'blocked');
    assert.match(blocked.kind === 'final' ? blocked.reason : '', /^@alice needs to be reconnected: /);
    const later = tokenFailureDecision(
      new RotorError('x_unavailable', 'x', { retryAfterMs: 600_000 }),
      'a',
      policy(),
    );
    assert.deepEqual(later, {
      kind: 'reschedule',
      dueAt: now + 600_000,
      reason: 'could not get a token (x_unavailable); retrying',
      refund: true,
    });
    const client = tokenFailureDecision(new RotorError('invalid_client', 'x'), 'a', policy());
    assert.equal(client.kind, 'reschedule', 'a client refusal is an operator’s to fix: the post waits');
    assert.deepEqual(tokenFailureDecision(new Error('boom'), 'a', policy()), {
      kind: 'final',
      status: 'failed',
      reason: 'could not get a token: error',
      retryable: true,
    });
  });
});

describe('interpret', () => {
  test('created → published with X’s id', () => {
    assert.deepEqual(interpretCreate({ kind: 'created', id: '17', text: 't', limits: {} }, policy()), {
      kind: 'published',
      xPostId: '17',
    });
  });

  test('429 → rescheduled at X’s reset (with jitter), the attempt given back (property 30)', () => {
    const d = interpretCreate({ kind: 'rate_limited', limits: exhausted }, policy());
    assert.deepEqual(d, {
      kind: 'reschedule',
      dueAt: reset + 3000,
      reason: 'X rate limit (429)',
      refund: true,
    });
  });

  test('401 after the refresh → access refused (the vault marks the account)', () => {
    assert.equal(interpretCreate({ kind: 'unauthorized' }, policy()).kind, 'access_refused');
  });

  test('a duplicate is checked (it may be this very post), then published or failed for good', () => {
    assert.deepEqual(interpretCreate({ kind: 'duplicate', limits: {} }, policy()), {
      kind: 'check_duplicate',
    });
    assert.deepEqual(duplicateDecision('99'), { kind: 'published', xPostId: '99' });
    for (const none of ['', undefined]) {
      const d = duplicateDecision(none);
      assert.deepEqual(d.kind === 'final' && [d.status, d.retryable], ['failed', false]);
    }
  });

  test('402, 403 and 4xx fail for good, with X’s detail', () => {
    const credits = interpretCreate({ kind: 'no_credits' }, policy());
    assert.match(credits.kind === 'final' ? credits.reason : '', /no API credits/);
    const refused = interpretCreate({ kind: 'invalid', detail: 'too long', limits: {} }, policy());
    assert.deepEqual(refused, {
      kind: 'final',
      status: 'failed',
      reason: 'X refused the post: too long',
      retryable: false,
    });
  });

  test('no answer → unknown, to be looked up (never resent blindly)', () => {
    assert.deepEqual(interpretCreate({ kind: 'unknown', detail: 'timeout' }, policy()), {
      kind: 'unknown',
      detail: 'timeout',
    });
  });

  test('a failed media call: refused → failed; 429 → X’s reset; X failing → backoff; 401 → access refused; claim gone → busy', () => {
    assert.deepEqual(mediaFailureDecision({ kind: 'stopped' }, policy()), { kind: 'busy' });
    assert.equal(mediaFailureDecision({ kind: 'invalid', detail: 'bad' }, policy()).kind, 'final');
    const limited = mediaFailureDecision({ kind: 'rate_limited', limits: exhausted }, policy());
    assert.equal(limited.kind === 'reschedule' && limited.dueAt, reset + 3000);
    const failed = mediaFailureDecision({ kind: 'failed', detail: 'HTTP 503' }, policy({ retries: 1 }));
    assert.deepEqual(failed, {
      kind: 'reschedule',
      dueAt: now + 60_000,
      reason: 'media upload failed (HTTP 503); retrying',
      refund: true,
    });
    assert.equal(mediaFailureDecision({ kind: 'unauthorized' }, policy()).kind, 'access_refused');
  });
});

describe('record', () => {
  test('the reschedule that reaches maxRetries fails for good instead (retryable)', () => {
    const again = { kind: 'reschedule', dueAt: now, reason: 'X rate limit (429)', refund: true } as const;
    assert.equal(settleReschedule(again, 18, 20), again);
    assert.deepEqual(settleReschedule(again, 19, 20), {
      kind: 'final',
      status: 'failed',
      reason: 'X rate limit (429); gave up after 20 tries (you can retry it)',
      retryable: true,
    });
    const published = { kind: 'published', xPostId: '1' } as const;
    assert.equal(settleReschedule(published, 99, 20), published, 'only reschedules are counted');
  });

  test('only used-up limits are saved, and none whose reset is more than a day away', () => {
    const limits = {
      window: { limit: 100, remaining: 0, resetAt: reset },
      user24h: { limit: 100, remaining: 3, resetAt: reset },
      app24h: { limit: 100, remaining: 0, resetAt: now + 26 * 3_600_000 },
    };
    assert.deepEqual(limitsToSave('a1', limits, now), [['window:a1', limits.window]]);
    assert.deepEqual(limitsToSave('a1', {}, now), []);
  });
});

describe('lookup of an unknown outcome (property 29)', () => {
  const post = (lookups: number, attempts = 1) => ({ lookups, attempts });

  test('found → published; X silent → still unknown', () => {
    assert.deepEqual(lookupDecision('42', post(0), 5, policy()), { kind: 'published', xPostId: '42' });
    assert.equal(lookupDecision(undefined, post(3), 5, policy()).kind, 'still_unknown');
  });

  test('absent at the first look is not enough; absent at the second → scheduled again (attempt kept)', () => {
    assert.equal(lookupDecision('', post(0), 5, policy()).kind, 'still_unknown');
    assert.deepEqual(lookupDecision('', post(1), 5, policy()), {
      kind: 'reschedule',
      dueAt: now + 30_000,
      reason: 'X did not answer; not posted; retrying',
      refund: false,
    });
  });

  test('absent after maxAttempts sends → failed, for the user to retry', () => {
    const d = lookupDecision('', post(1, 5), 5, policy());
    assert.deepEqual(d.kind === 'final' && [d.status, d.retryable], ['failed', true]);
  });

  test('after maxLookups looks the post fails for the user to check; before, it stays unknown', () => {
    assert.equal(afterLookupNoted(9, 10, 'alice'), undefined);
    assert.equal(afterLookupNoted(undefined, 10, 'alice'), undefined, 'the fence refused the note');
    assert.match(
      (afterLookupNoted(10, 10, 'alice') as { reason: string }).reason,
      /after 10 looks; check @alice/,
    );
  });

  test('why a look failed; a post without text cannot be looked up', () => {
    const reauth = new RotorError('reauth_required', 'x', { reason: 'revoked' });
    assert.match(lookupFailedReason(reauth, 'bob'), /@bob needs to be reconnected before Rotor can check/);
    assert.equal(lookupFailedReason(new Error('net'), 'bob'), 'could not reach X to check; will look again');
    assert.equal(unlookableDecision().kind, 'final');
  });

  test('the post on X is the one with the same text that no other post of ours owns', () => {
    const recent = [
      { id: '3', text: 'hello https://t.co/abc' },
      { id: '2', text: 'other' },
      { id: '1', text: 'hello https://t.co/xyz' },
    ];
    const candidates = sameText('hello https://example.com', recent);
    assert.deepEqual(candidates, ['3', '1']);
    assert.equal(firstUnowned(candidates, new Set(['3'])), '1');
    assert.equal(firstUnowned(candidates, new Set(['3', '1'])), '');
  });
});
