/**
 * @module What must hold after a chaos run, decided from what was measured (no I/O).
 *
 * Rotor cannot keep an account whose refresh X performed while its answer was lost: the new
 * refresh token exists only in that answer, and the old one is spent. That happens in two ways
 * here: a request that ended without an answer (the emulator dropped the connection after
 * rotating, or the answer came after the vault's deadline), or a process `kill -9`ed between
 * sending the refresh and storing its result. The vault then retries once (property 16), X sees
 * the spent token (reuse detected, the grant ends) and the account ends `reauth_required` with the
 * reason `lost_response`, said to its owner. Any other end of an account, any reuse on an account
 * Rotor did not lose that way, and any loss Rotor does not know of break an invariant.
 *
 * A thread's parts are posts here too (one row each); a later part still `waiting` is counted as
 * the part its thread stopped at is, and the thread invariants are `thread-invariants.ts`.
 */
import { THREAD_ENDED } from '../../src/store/post-claims.ts';
import { brokenThreadInvariants, threadStops, type ThreadFigures } from './thread-invariants.ts';

export interface PostFigures {
  /** Posts scheduled during the run (all due before it ended). */
  due: number;
  /** On X exactly once or more, and recorded as published. */
  published: number;
  /** On X more than once. */
  duplicated: number;
  /** Not on X, and neither waiting for its account's user nor rescheduled past the end by X's limits. */
  lost: number;
  /** Not on X yet: rescheduled by X's rate limit (429) to a time after the run's end. */
  later: number;
  /**
   * Waiting because its account needs its user: `blocked`, or `unknown` (sent as the account was
   * lost; on X or not, it is looked up once the user reconnects, never resent blindly).
   */
  blocked: number;
  /** On X but not recorded as published (or recorded with another id) when the run settled. */
  unrecorded: number;
  /** Not on X: a thread's later part, cancelled because an earlier part failed for good. */
  ended: number;
}

/** Counts posts (a thread's parts each count) from Rotor's rows and X's timeline (texts are unique per run) at time `now`. */
export function postFigures(
  rows: readonly {
    text: string;
    status: string;
    xPostId: string | null;
    dueAt: number | null;
    accountId: string;
    reason?: string | null;
    threadId?: string | null;
    threadPart?: number | null;
  }[],
  onX: readonly { id: string; text: string; deleted: boolean }[],
  lostAccounts: ReadonlySet<string>,
  now: number,
): PostFigures {
  const ids = new Map<string, string[]>();
  for (const p of onX) if (!p.deleted) ids.set(p.text, [...(ids.get(p.text) ?? []), p.id]);
  const f: PostFigures = {
    due: rows.length,
    published: 0,
    duplicated: 0,
    lost: 0,
    later: 0,
    blocked: 0,
    unrecorded: 0,
    ended: 0,
  };
  type Row = (typeof rows)[number];
  const stops = threadStops(
    rows.map((r) => ({ ...r, threadId: r.threadId ?? null, threadPart: r.threadPart ?? null })),
  );
  /** Why a row is not on X: waiting for its user, moved past the end by a 429, or lost. */
  const missing = (row: Row): 'blocked' | 'later' | 'lost' => {
    // `blocked` or `unknown` on an account that is still active would wait for nobody: lost.
    if ((row.status === 'blocked' || row.status === 'unknown') && lostAccounts.has(row.accountId))
      return 'blocked';
    if (row.status === 'scheduled' && row.dueAt !== null && row.dueAt > now) return 'later';
    return 'lost';
  };
  for (const row of rows) {
    const seen = ids.get(row.text) ?? [];
    if (seen.length > 1) f.duplicated += 1;
    if (seen.length === 0) {
      if (row.status === 'cancelled' && row.reason === THREAD_ENDED) f.ended += 1;
      else if (row.status === 'waiting') {
        // A later part waits on the part its thread stopped at, and shares its fate; one waiting
        // behind nothing (the part before it published) is lost.
        const stop = row.threadId ? stops.get(row.threadId) : undefined;
        f[stop && stop.status !== 'waiting' ? missing(stop) : 'lost'] += 1;
      } else f[missing(row)] += 1;
    } else if (row.status === 'published' && row.xPostId !== null && seen.includes(row.xPostId)) {
      f.published += 1;
    } else if (row.status === 'unknown' && lostAccounts.has(row.accountId)) {
      // X took it as its answer was lost; Rotor looks it up once the user reconnects the account.
      f.blocked += 1;
    } else f.unrecorded += 1;
  }
  return f;
}

export interface AccountEnd {
  id: string;
  username: string;
  /** Rotor's status for it at the end. */
  status: 'active' | 'reauth_required';
  reason: string | null;
  /** A refresh forced at the end, after the run, succeeded: its tokens at X still work. */
  alive: boolean;
}

export interface RotorEvidence {
  accounts: readonly AccountEnd[];
  /** Usernames whose grant X ended because a spent refresh token was presented. */
  reusedAtX: ReadonlySet<string>;
  /** Accounts with a refresh sent and not yet stored in a process at the moment it was killed. */
  cutByKill: ReadonlySet<string>;
  /** Accounts with a refresh that ended without an answer (dropped connection, deadline). */
  answerLost: ReadonlySet<string>;
  posts: PostFigures;
  threads: ThreadFigures;
  secrets: number;
}

/** Every invariant the run broke, in words; empty when all held. */
export function brokenInvariants(e: RotorEvidence): string[] {
  const broken: string[] = [];
  if (e.secrets > 0) broken.push(`${e.secrets} secret(s) in the logs`);
  if (e.posts.duplicated > 0) broken.push(`${e.posts.duplicated} post(s) on X more than once`);
  if (e.posts.lost > 0)
    broken.push(`${e.posts.lost} due post(s) lost (not on X, not waiting for their user)`);
  if (e.posts.unrecorded > 0)
    broken.push(`${e.posts.unrecorded} post(s) on X that Rotor does not record as published`);
  broken.push(...brokenThreadInvariants(e.threads));
  const silent = e.accounts.filter((a) => a.status === 'active' && !a.alive);
  if (silent.length > 0)
    broken.push(`${silent.length} account(s) dead at X while Rotor shows them active: ${names(silent)}`);
  const otherReason = e.accounts.filter((a) => a.status !== 'active' && a.reason !== 'lost_response');
  if (otherReason.length > 0)
    broken.push(
      `${otherReason.length} account(s) lost for a reason other than a lost answer: ${otherReason.map((a) => `@${a.username} (${a.reason ?? 'none'})`).join(', ')}`,
    );
  const lostResponse = e.accounts.filter((a) => a.status !== 'active' && a.reason === 'lost_response');
  const unexplained = lostResponse.filter((a) => !e.cutByKill.has(a.id) && !e.answerLost.has(a.id));
  if (unexplained.length > 0)
    broken.push(
      `${unexplained.length} account(s) lost_response with no refresh cut by a kill and none unanswered: ${names(unexplained)}`,
    );
  const honest = new Set(lostResponse.map((a) => a.username));
  const reused = [...e.reusedAtX].filter((u) => !honest.has(u));
  if (reused.length > 0)
    broken.push(
      `X saw a spent refresh token on ${reused.length} account(s) Rotor did not lose to a lost answer: ${reused
        .slice(0, 10)
        .map((u) => `@${u}`)
        .join(', ')}`,
    );
  return broken;
}

const names = (accounts: readonly AccountEnd[]) =>
  accounts
    .slice(0, 10)
    .map((a) => `@${a.username}`)
    .join(', ') + (accounts.length > 10 ? ', …' : '');
