/**
 * Every reason the scheduler keeps on a post is said in Japanese on the web pages that show it
 * (the history, the calendar, the edit page). The reasons come from the code that writes them (the
 * publish decisions, the store's cancel and stale-claim texts), not from copies: a new wording
 * without its Japanese rule fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RotorError } from '../../src/core/errors.ts';
import { STALE_CLAIM_REASON, THREAD_ENDED } from '../../src/store/post-claims.ts';
import { CANCELLED_REASON } from '../../src/store/posts.ts';
import {
  afterLookupNoted,
  capDecision,
  duplicateDecision,
  interpretCreate,
  lookupDecision,
  lookupFailedReason,
  mediaFailureDecision,
  noAnswerReason,
  settleReschedule,
  tokenFailureDecision,
  unlookableDecision,
  type Decision,
  type LookupDecision,
} from '../../src/scheduler/publish-decisions.ts';
import { translator } from '../../src/web/i18n.ts';
import { userMessage } from '../../src/web/user-messages.ts';

const policy = { now: 0, retries: 0, retryBaseMs: 1000, random: () => 0.5 };
const limits = {};
const reasonOf = (d: Decision | LookupDecision | undefined): string => {
  assert.ok(d && 'reason' in d, `a decision with a reason: ${JSON.stringify(d)}`);
  return d.reason;
};

/** The reasons, each made by the code that stores it. */
function storedReasons(): string[] {
  const rescheduled = capDecision({ cappedUntil: 1, cappedBy: ['user_posts_24h'] }, () => 0);
  return [
    reasonOf(rescheduled),
    reasonOf(tokenFailureDecision(new RotorError('store_unavailable', 'down'), 'alice', policy)),
    reasonOf(tokenFailureDecision(new Error('boom'), 'alice', policy)),
    reasonOf(
      tokenFailureDecision(new RotorError('reauth_required', 'x', { reason: 'revoked' }), 'alice', policy),
    ),
    reasonOf(interpretCreate({ kind: 'rate_limited', limits }, policy) as Decision),
    reasonOf(interpretCreate({ kind: 'unauthorized' }, policy) as Decision),
    reasonOf(interpretCreate({ kind: 'no_credits' } as never, policy) as Decision),
    reasonOf(interpretCreate({ kind: 'invalid', detail: 'text is too long' } as never, policy) as Decision),
    reasonOf(duplicateDecision(undefined)),
    reasonOf(mediaFailureDecision({ kind: 'rate_limited', limits }, policy)),
    reasonOf(mediaFailureDecision({ kind: 'unauthorized' }, policy)),
    reasonOf(mediaFailureDecision({ kind: 'invalid', detail: 'bad file' }, policy, 'video')),
    reasonOf(mediaFailureDecision({ kind: 'failed', detail: 'HTTP 503' }, policy)),
    reasonOf(settleReschedule(rescheduled as Decision, 4, 5)),
    noAnswerReason('timeout'),
    reasonOf(lookupDecision(undefined, { lookups: 0, attempts: 1 }, 3, policy)),
    reasonOf(lookupDecision('', { lookups: 0, attempts: 1 }, 3, policy)),
    reasonOf(lookupDecision('', { lookups: 1, attempts: 3 }, 3, policy)),
    reasonOf(lookupDecision('', { lookups: 1, attempts: 1 }, 3, policy)),
    lookupFailedReason(new RotorError('reauth_required', 'x'), 'alice'),
    lookupFailedReason(new Error('ECONNREFUSED'), 'alice'),
    reasonOf(unlookableDecision()),
    reasonOf(afterLookupNoted(5, 5, 'alice')),
    STALE_CLAIM_REASON,
    CANCELLED_REASON,
    THREAD_ENDED,
  ];
}

/** Latin words left in a Japanese text, names and codes apart (@user, X, Rotor, an error code). */
const englishLeft = (ja: string, reason: string): string[] => {
  const kept = new Set(['X', 'Rotor', 'HTTP', 'API']);
  // Words the reason carries over as they are: usernames, codes, X's own details.
  const words = (s: string) => s.match(/[A-Za-z][\w'’]*/g) ?? [];
  for (const w of reason.match(/@\w+|\([^)]*\)|: [^;]*$/g) ?? []) for (const x of words(w)) kept.add(x);
  return words(ja).filter((w) => !kept.has(w));
};

test('every reason the scheduler keeps on a post is said in Japanese, with no English words left', () => {
  const ja = translator('ja');
  const untranslated: string[] = [];
  for (const reason of storedReasons()) {
    const said = userMessage(ja, 'ja', reason);
    const left = englishLeft(said, reason);
    if (said === reason || left.length > 0) untranslated.push(`${reason} → ${said} (${left.join(' ')})`);
  }
  assert.deepEqual(untranslated, []);
});

test('in English every reason reads as a sentence (the stored texts start in lower case), with its names kept', () => {
  const en = translator('en');
  for (const reason of storedReasons()) {
    const said = userMessage(en, 'en', reason);
    assert.match(said, /^[A-Z@]/, `a sentence: ${said}`);
    for (const name of reason.match(/@\w+/g) ?? []) assert.ok(said.includes(name), `${reason} → ${said}`);
  }
});
