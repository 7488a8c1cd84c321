/**
 * @module The publish path's decisions (`publish-path.ts`, `lookup.ts`), pure: what an answer of X,
 * a refused token or a look at the account's posts means for the post. No I/O; each is unit-tested
 * without a database (test/scheduler/publish-decisions.test.ts). The record step writes what these
 * return.
 */
import { backoffMs as retryDelayMs } from '../core/backoff.ts';
import { isRotorError, REAUTH_EXPLANATIONS, type ReauthReason } from '../core/errors.ts';
import type { PostRow } from '../store/posts.ts';
import type { Fence } from '../store/post-claims.ts';
import type { CreatePostOutcome } from '../x/client.ts';
import { retryAt, type LimitWindow, type RateLimits } from '../x/limits.ts';

export type PublishResult =
  /** `next`: the thread's next part, which this publication released (due now). */
  | { kind: 'published'; xPostId: string; next?: string }
  /** Nothing to do: published already, deleted, failed, a draft… */
  | { kind: 'settled'; status: string }
  /** Another worker holds it right now. */
  | { kind: 'busy' }
  | { kind: 'not_due'; dueAt: number }
  | { kind: 'rescheduled'; dueAt: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'blocked'; reason: string }
  | { kind: 'unknown'; reason: string };

/** What the record step writes for a claimed (or unknown) post. */
export type Decision =
  | { kind: 'published'; xPostId: string }
  /** Back to `scheduled` at `dueAt`; `refund` gives the attempt back (nothing reached X). */
  | { kind: 'reschedule'; dueAt: number; reason: string; refund: boolean }
  | { kind: 'final'; status: 'failed' | 'blocked'; reason: string; retryable: boolean }
  /** Sent, and X did not say what came of it: looked up later, never resent blindly. */
  | { kind: 'unknown'; detail: string }
  /** X refused even a just-refreshed token: the post is blocked and the vault marks the account. */
  | { kind: 'access_refused'; reason: string }
  /** The claim moved on (another worker holds the post): nothing is written. */
  | { kind: 'busy' };

/** What a decision needs to know of the post and of time. */
export interface RetryPolicy {
  now: number;
  /** Reschedules so far (the post's `retries`). */
  retries: number;
  /** First retry delay (ms), doubling with each retry. */
  retryBaseMs: number;
  random: () => number;
}

/** A post that could not be claimed: what its row says, or what to look at next. */
export type NotClaimed =
  | { kind: 'result'; result: PublishResult }
  /** `unknown`: look it up on X. */
  | { kind: 'look_up' }
  /** `publishing` by someone: theirs, unless it went stale (its worker stopped). */
  | { kind: 'check_stale' };

export function notClaimedDecision(row: Pick<PostRow, 'status' | 'dueAt'> | undefined): NotClaimed {
  if (!row) return { kind: 'result', result: { kind: 'settled', status: 'deleted' } };
  switch (row.status) {
    case 'scheduled':
      return { kind: 'result', result: { kind: 'not_due', dueAt: row.dueAt ?? 0 } };
    case 'unknown':
      return { kind: 'look_up' };
    case 'publishing':
      return { kind: 'check_stale' };
    default:
      return { kind: 'result', result: { kind: 'settled', status: row.status } };
  }
}

/** The claim a write belongs to: the row's status as the writer saw it, and its `claim_seq`. */
export const fenceOf = (post: Pick<PostRow, 'status' | 'claimSeq'>): Fence => ({
  status: post.status === 'unknown' ? 'unknown' : 'publishing',
  claimSeq: post.claimSeq,
});

/** Every call to X by a claim holder ends well before its claim could be taken over (ms). */
export const callDeadlineMs = (staleMs: number) => Math.max(1000, Math.floor(staleMs / 3));

/** The delay before retry number `retries + 1`: doubling, at most an hour, ±25 % jitter. */
export const backoffMs = (retries: number, baseMs: number, random: () => number) =>
  retryDelayMs({ baseMs, capMs: 60 * 60_000, spread: 0.25 }, retries, random);

/** Caps X reported (per user and per app, 24 h; the 15-minute window) are respected before sending. */
export function capDecision(
  caps: { cappedUntil: number | null; cappedBy: string[] | null },
  random: () => number,
): Decision | undefined {
  if (caps.cappedUntil === null) return undefined;
  return {
    kind: 'reschedule',
    dueAt: caps.cappedUntil + 1000 + random() * 4000,
    reason: `waiting for X's rate limit (${(caps.cappedBy ?? []).join(', ')})`,
    refund: true,
  };
}

/** The vault gave no token: the account needs its user (blocked), a pause (retry), or a failure. */
export function tokenFailureDecision(e: unknown, username: string, p: RetryPolicy): Decision {
  if (isRotorError(e, 'reauth_required')) {
    return { kind: 'final', status: 'blocked', reason: blockedReason(username, e.reason), retryable: false };
  }
  if (isRotorError(e) && (e.transient || e.code === 'invalid_client')) {
    const wait = Math.max(e.retryAfterMs ?? 0, backoffMs(p.retries, p.retryBaseMs, p.random));
    return {
      kind: 'reschedule',
      dueAt: p.now + wait,
      reason: `could not get a token (${e.code}); retrying`,
      refund: true,
    };
  }
  return {
    kind: 'final',
    status: 'failed',
    reason: `could not get a token: ${isRotorError(e) ? e.code : 'error'}`,
    retryable: true,
  };
}

/** What X's answer to the post means; a duplicate needs a look first (is it this very post?). */
export function interpretCreate(
  outcome: CreatePostOutcome,
  p: RetryPolicy,
): Decision | { kind: 'check_duplicate' } {
  switch (outcome.kind) {
    case 'created':
      return { kind: 'published', xPostId: outcome.id };
    case 'rate_limited':
      return {
        kind: 'reschedule',
        dueAt: retryAt(p.now, outcome.limits, p.retries, p.random),
        reason: 'X rate limit (429)',
        refund: true,
      };
    case 'unauthorized':
      return {
        kind: 'access_refused',
        reason: 'X refused the access token even after a refresh; reconnect the account',
      };
    case 'duplicate':
      // Not retried. But if the earlier post with this text is this very post (an answer lost
      // before), it is published.
      return { kind: 'check_duplicate' };
    case 'no_credits':
      return failed('X answered 402: the X developer account has no API credits left', false);
    case 'forbidden':
    case 'invalid':
      return failed(`X refused the post: ${outcome.detail}`, false);
    case 'unknown':
      // Looked up later (after the stale time), when X has surely finished with the request.
      return { kind: 'unknown', detail: outcome.detail };
  }
}

/** The reason a post whose send X did not answer keeps, until a look says what happened. */
export const noAnswerReason = (detail: string) =>
  `X did not answer (${detail}); will look whether it was posted`;

/** After a duplicate: X's id of this very post (found among the account's posts), or a failure. */
export const duplicateDecision = (mine: string | undefined): Decision =>
  mine
    ? { kind: 'published', xPostId: mine }
    : failed('X refused it as a duplicate of an earlier post', false);

/** Why a media call (upload, append, status) did not succeed; `stopped`: the claim moved on. */
export type MediaFailure =
  | { kind: 'unauthorized' }
  | { kind: 'rate_limited'; limits: RateLimits }
  | { kind: 'invalid'; detail: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'stopped' };

/** What a failed media call means for the post: nothing sent yet, so never `unknown`. */
export function mediaFailureDecision(f: MediaFailure, p: RetryPolicy, what = 'image'): Decision {
  switch (f.kind) {
    case 'stopped':
      return { kind: 'busy' };
    case 'invalid':
      return failed(`X refused the ${what}: ${f.detail}`, false);
    case 'rate_limited':
      return {
        kind: 'reschedule',
        dueAt: retryAt(p.now, f.limits, p.retries, p.random),
        reason: 'X rate limit on media upload (429)',
        refund: true,
      };
    case 'unauthorized':
      return {
        kind: 'access_refused',
        reason: 'X refused the access token for media upload; reconnect the account (media.write)',
      };
    case 'failed':
      return mediaLater(p, `media upload failed (${f.detail}); retrying`);
  }
}

/** Media not ready yet (a transient failure, X still processing): the post again later, the attempt given back. */
export const mediaLater = (p: RetryPolicy, reason: string): Decision => ({
  kind: 'reschedule',
  dueAt: p.now + backoffMs(p.retries, p.retryBaseMs, p.random),
  reason,
  refund: true,
});

/** A reschedule past `maxRetries` (of any kind) fails for good instead (the user can retry it). */
export function settleReschedule(d: Decision, retries: number, maxRetries: number): Decision {
  if (d.kind !== 'reschedule' || retries + 1 < maxRetries) return d;
  return failed(`${d.reason}; gave up after ${retries + 1} tries (you can retry it)`, true);
}

/**
 * The limits X reported that are used up, to be saved: the pre-check only looks for exhausted
 * ones, and a row stops counting at its reset time. A reset more than a day away is not believed.
 */
export function limitsToSave(accountId: string, limits: RateLimits, now: number): [string, LimitWindow][] {
  const horizon = now + 25 * 3_600_000;
  const entries: [string, LimitWindow | undefined][] = [
    [`window:${accountId}`, limits.window],
    [`user24h:${accountId}`, limits.user24h],
    ['app24h', limits.app24h],
  ];
  return entries.filter((e): e is [string, LimitWindow] => {
    const w = e[1];
    return w !== undefined && w.remaining <= 0 && w.resetAt <= horizon;
  });
}

/** What a look at the account's posts means for a post whose outcome is unknown (property 29). */
export type LookupDecision = Decision | { kind: 'still_unknown'; reason: string };

/**
 * `found`: X's id of the post, '' if it is absent, undefined if X did not say. Absent once is not
 * enough (X may still have been working on it): absent at the second look → scheduled again.
 */
export function lookupDecision(
  found: string | undefined,
  post: Pick<PostRow, 'lookups' | 'attempts'>,
  maxAttempts: number,
  p: RetryPolicy,
): LookupDecision {
  if (found === undefined) return stillUnknown('X did not list the recent posts; will look again');
  if (found) return { kind: 'published', xPostId: found };
  if (post.lookups === 0) return stillUnknown('not on X yet; will look again before retrying');
  if (post.attempts >= maxAttempts) {
    return failed(`X did not answer ${post.attempts} times; gave up (you can retry it)`, true);
  }
  return {
    kind: 'reschedule',
    dueAt: p.now + backoffMs(p.retries, p.retryBaseMs, p.random),
    reason: 'X did not answer; not posted; retrying',
    refund: false,
  };
}

/** Why a look could not happen (the account needing its user does not make the outcome known). */
export function lookupFailedReason(e: unknown, username: string): string {
  return isRotorError(e, 'reauth_required')
    ? `X may have posted it; @${username} needs to be reconnected before Rotor can check`
    : 'could not reach X to check; will look again';
}

/** A post without text cannot be looked up: it fails at once, for the user to check. */
export const unlookableDecision = (): Decision =>
  failed('X did not answer and a post without text cannot be looked up; check X before retrying', true);

/** After one more look is noted: a failure to check after `maxLookups`; undefined: still unknown. */
export function afterLookupNoted(
  lookups: number | undefined,
  maxLookups: number,
  username: string,
): Decision | undefined {
  if (lookups === undefined || lookups < maxLookups) return undefined;
  return failed(
    `X did not say whether it was posted after ${lookups} looks; check @${username} on X before retrying`,
    true,
  );
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/**
 * The same text as X keeps it: NFC, HTML entities decoded (X answers `&amp;`), links as
 * placeholders (X rewrites them to t.co, and appends one for attached media), leading @mentions
 * of a reply dropped, spaces folded.
 */
export const comparable = (text: string) =>
  text
    .normalize('NFC')
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e)
    .replace(/^(@\w+\s+)+/, '')
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/(\s*<url>)+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();

/** The ids of the account's posts on X whose text is this post's. */
export const sameText = (text: string, recent: { id: string; text: string }[]): string[] => {
  const wanted = comparable(text);
  return recent.filter((p) => comparable(p.text) === wanted).map((p) => p.id);
};

/** Of those, the first no other post of ours already owns ('' if none). */
export const firstUnowned = (candidates: string[], owned: Set<string>): string =>
  candidates.find((id) => !owned.has(id)) ?? '';

export function blockedReason(username: string, reason: string | undefined): string {
  return `@${username} needs to be reconnected: ${REAUTH_EXPLANATIONS[(reason ?? 'unknown') as ReauthReason]}`;
}

const failed = (reason: string, retryable: boolean): Decision => ({
  kind: 'final',
  status: 'failed',
  reason,
  retryable,
});

function stillUnknown(reason: string): LookupDecision {
  return { kind: 'still_unknown', reason };
}
