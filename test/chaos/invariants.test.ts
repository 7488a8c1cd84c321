/**
 * The chaos harness's own decisions: what counts as a lost or duplicated post, which lost
 * accounts are explained, and that a seed replays the same plan with every fault kind in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS } from '../../src/emulator/faults.ts';
import {
  brokenInvariants,
  postFigures,
  type AccountEnd,
  type RotorEvidence,
} from '../../scripts/chaos/invariants.ts';
import { parseChaosOptions } from '../../scripts/chaos/options.ts';
import { brokenThreadInvariants, threadFigures } from '../../scripts/chaos/thread-invariants.ts';
import { THREAD_ENDED } from '../../src/store/post-claims.ts';
import { chaosPlan, stormTimes } from '../../scripts/chaos/plan.ts';
import { stormClock } from '../../scripts/chaos/storm-clock.ts';

const now = 1_000_000;
const row = (
  text: string,
  status: string,
  xPostId: string | null,
  extra: Partial<{ dueAt: number; accountId: string }> = {},
) => ({
  text,
  status,
  xPostId,
  dueAt: extra.dueAt ?? now - 1000,
  accountId: extra.accountId ?? 'a1',
});

test('post figures: published, duplicated, lost, waiting for the user, moved by a 429, unrecorded', () => {
  const f = postFigures(
    [
      row('one', 'published', 'x1'),
      row('two', 'published', 'x2'),
      row('three', 'scheduled', null),
      row('four', 'blocked', null, { accountId: 'lost' }),
      row('five', 'unknown', null, { accountId: 'lost' }),
      row('six', 'scheduled', null, { dueAt: now + 60_000 }),
      row('seven', 'unknown', null),
      row('eight', 'failed', null),
      row('nine', 'blocked', null),
      row('ten', 'unknown', null, { accountId: 'lost' }),
    ],
    [
      { id: 'x1', text: 'one', deleted: false },
      { id: 'x2', text: 'two', deleted: false },
      { id: 'x3', text: 'two', deleted: false },
      { id: 'x7', text: 'seven', deleted: false },
      { id: 'x10', text: 'ten', deleted: false },
    ],
    new Set(['lost']),
    now,
  );
  assert.deepEqual(f, {
    due: 10,
    published: 2,
    duplicated: 1,
    lost: 3,
    later: 1,
    blocked: 3,
    unrecorded: 1,
    ended: 0,
  });
});

const account = (
  id: string,
  status: AccountEnd['status'],
  reason: string | null,
  alive: boolean,
): AccountEnd => ({
  id,
  username: id,
  status,
  reason,
  alive,
});
const clean: RotorEvidence = {
  accounts: [account('a', 'active', null, true)],
  reusedAtX: new Set(),
  cutByKill: new Set(),
  answerLost: new Set(),
  posts: { due: 1, published: 1, duplicated: 0, lost: 0, later: 0, blocked: 0, unrecorded: 0, ended: 0 },
  threads: {
    threads: 1,
    parts: 2,
    whole: 1,
    ended: 0,
    duplicatedParts: 0,
    outOfOrder: 0,
    afterEnd: 0,
  },
  secrets: 0,
};

test('invariants: a clean run breaks none', () => {
  assert.deepEqual(brokenInvariants(clean), []);
});

test('invariants: lost_response is honest only after a kill mid-refresh or a refresh left unanswered', () => {
  const lost = [account('a', 'reauth_required', 'lost_response', false)];
  const byKill = { ...clean, accounts: lost, reusedAtX: new Set(['a']), cutByKill: new Set(['a']) };
  assert.deepEqual(brokenInvariants(byKill), []);
  const unanswered = { ...byKill, cutByKill: new Set<string>(), answerLost: new Set(['a']) };
  assert.deepEqual(brokenInvariants(unanswered), []);
  const unexplained = { ...byKill, cutByKill: new Set<string>() };
  assert.match(brokenInvariants(unexplained)[0] ?? '', /no refresh cut by a kill/);
});

test('invariants: a silent loss, another reason, reuse elsewhere, a duplicate, a lost post, a secret each break one', () => {
  assert.match(
    brokenInvariants({ ...clean, accounts: [account('a', 'active', null, false)] })[0] ?? '',
    /while Rotor shows them active/,
  );
  assert.match(
    brokenInvariants({ ...clean, accounts: [account('a', 'reauth_required', 'reused', false)] })[0] ?? '',
    /other than a lost answer/,
  );
  assert.match(brokenInvariants({ ...clean, reusedAtX: new Set(['a']) })[0] ?? '', /spent refresh token/);
  assert.equal(brokenInvariants({ ...clean, posts: { ...clean.posts, duplicated: 1 } }).length, 1);
  assert.equal(brokenInvariants({ ...clean, posts: { ...clean.posts, lost: 1 } }).length, 1);
  assert.equal(brokenInvariants({ ...clean, posts: { ...clean.posts, unrecorded: 1 } }).length, 1);
  assert.equal(brokenInvariants({ ...clean, secrets: 2 }).length, 1);
  for (const [key, words] of [
    ['duplicatedParts', /thread part\(s\) on X more than once/],
    ['outOfOrder', /out of order/],
    ['afterEnd', /after a part of their thread failed/],
  ] as const) {
    const broken = brokenInvariants({ ...clean, threads: { ...clean.threads, [key]: 1 } });
    assert.equal(broken.length, 1, key);
    assert.match(broken[0] ?? '', words);
  }
});

/** Thread `t`'s parts, each `[status, xPostId]`, in order. */
const thread = (t: string, parts: [string, string | null, string?][]) =>
  parts.map(([status, xPostId, reason], k) => ({
    id: `${t}${k}`,
    text: `${t} part ${k + 1}`,
    status,
    xPostId,
    reason: reason ?? null,
    threadId: `${t}0`,
    threadPart: k,
    dueAt: now - 1000,
    accountId: t === 'lost' ? 'lost' : 'a1',
  }));
const on = (t: string, k: number, id: string, replyTo: string | null) => ({
  id,
  text: `${t} part ${k + 1}`,
  deleted: false,
  replyTo,
});

test('thread figures: whole, ended, a part twice, a part out of order or on X before the part before, a part after the end', () => {
  const rows = [
    ...thread('ok', [
      ['published', 'o1'],
      ['published', 'o2'],
      ['published', 'o3'],
    ]),
    ...thread('end', [
      ['published', 'e1'],
      ['failed', null],
      ['cancelled', null, THREAD_ENDED],
    ]),
    ...thread('dup', [
      ['published', 'd1'],
      ['published', 'd2'],
    ]),
    ...thread('wrong', [
      ['published', 'w1'],
      ['published', 'w2'],
      ['published', 'w3'],
    ]),
    ...thread('early', [
      ['unknown', null],
      ['published', 'y2'],
    ]),
    ...thread('past', [
      ['published', 'p1'],
      ['failed', 'p2'],
      ['cancelled', null, THREAD_ENDED],
    ]),
  ];
  const onX = [
    on('ok', 0, 'o1', null),
    on('ok', 1, 'o2', 'o1'),
    on('ok', 2, 'o3', 'o2'),
    on('end', 0, 'e1', null),
    on('dup', 0, 'd1', null),
    on('dup', 1, 'd2', 'd1'),
    on('dup', 1, 'd2b', 'd1'),
    on('wrong', 0, 'w1', null),
    on('wrong', 1, 'w2', 'w1'),
    // Part 3 replying to part 1, not to part 2.
    on('wrong', 2, 'w3', 'w1'),
    // Part 2 on X while part 1 is not.
    on('early', 1, 'y2', 'nothing'),
    // Part 2 failed (though X has it) and part 3 is on X all the same.
    on('past', 0, 'p1', null),
    on('past', 1, 'p2', 'p1'),
    on('past', 2, 'p3', 'p2'),
  ];
  assert.deepEqual(threadFigures(rows, onX), {
    threads: 6,
    parts: 16,
    whole: 3,
    ended: 2,
    duplicatedParts: 1,
    outOfOrder: 2,
    afterEnd: 1,
  });
  const clean = threadFigures(rows.slice(0, 6), onX.slice(0, 4));
  assert.deepEqual(brokenThreadInvariants(clean), []);
  assert.equal(clean.ended, 1);
});

test('post figures of threads: a part cancelled as its thread ended is not lost; a waiting part shares the fate of the part its thread stopped at', () => {
  const f = postFigures(
    [
      ...thread('end', [
        ['published', 'e1'],
        ['failed', null],
        ['cancelled', null, THREAD_ENDED],
      ]),
      // Stopped at a part blocked on a lost account: the parts after it wait for the user too.
      ...thread('lost', [
        ['published', 'l1'],
        ['blocked', null],
        ['waiting', null],
      ]),
      // Stopped at a part moved past the end by a 429.
      ...thread('late', [
        ['scheduled', null],
        ['waiting', null],
      ]).map((r) => ({ ...r, dueAt: now + 60_000 })),
      // Waiting behind a published part: nothing will release it, lost.
      ...thread('stuck', [
        ['published', 's1'],
        ['waiting', null],
      ]),
    ],
    [
      { id: 'e1', text: 'end part 1', deleted: false },
      { id: 'l1', text: 'lost part 1', deleted: false },
      { id: 's1', text: 'stuck part 1', deleted: false },
    ],
    new Set(['lost']),
    now,
  );
  assert.deepEqual(f, {
    due: 10,
    published: 3,
    duplicated: 0,
    lost: 2,
    later: 2,
    blocked: 2,
    unrecorded: 0,
    ended: 1,
  });
});

test('plan: a seed replays the same events; a short run has kills, freezes, an outage and every fault kind', () => {
  const o = parseChaosOptions(['--short', '--seed', '42'], 7);
  const plan = chaosPlan({ seed: o.seed, durationMs: o.durationMs, workers: o.workers });
  assert.deepEqual(chaosPlan({ seed: 42, durationMs: o.durationMs, workers: o.workers }), plan);
  assert.notDeepEqual(chaosPlan({ seed: 43, durationMs: o.durationMs, workers: o.workers }), plan);
  assert.ok(plan.filter((e) => e.kind === 'kill').length >= 3);
  assert.equal(plan.filter((e) => e.kind === 'pg_outage').length, 1);
  const freezes = plan.flatMap((e) => (e.kind === 'freeze' ? [e] : []));
  assert.ok(freezes.length >= 2, `${freezes.length} freezes`);
  assert.ok(freezes.every((f) => f.forMs >= 300 && f.forMs <= 8000));
  for (const seed of [1, 2, 3, 42, 99]) {
    const p = chaosPlan({ seed, durationMs: o.durationMs, workers: o.workers });
    const kinds = new Set(p.flatMap((e) => (e.kind === 'fault' ? [e.fault.kind] : [])));
    assert.deepEqual([...kinds].sort(), [...FAULT_KINDS].sort(), `seed ${seed}`);
  }
  assert.ok(plan.every((e, i) => i === 0 || (plan[i - 1]?.at ?? 0) <= e.at));
});

test('plan: one backup of the token sets in the first third, restored in the second half', () => {
  for (const seed of [1, 2, 3, 42, 99]) {
    const p = chaosPlan({ seed, durationMs: 15_000, workers: 3 });
    const backups = p.filter((e) => e.kind === 'backup');
    const restores = p.filter((e) => e.kind === 'restore_backup');
    assert.equal(backups.length, 1);
    assert.equal(restores.length, 1);
    assert.ok((backups[0]?.at ?? Infinity) < 5_000 && (restores[0]?.at ?? 0) > 7_500, `seed ${seed}`);
  }
});

test('options: defaults, flags, and errors', () => {
  assert.equal(parseChaosOptions([], 5).seed, 5);
  assert.equal(parseChaosOptions(['--duration', '30'], 5).durationMs, 30_000);
  assert.equal(parseChaosOptions(['--rotor-only', '--json'], 5).baseline, false);
  assert.throws(() => parseChaosOptions(['--workers', '0'], 5), /whole number/);
  assert.throws(() => parseChaosOptions(['--nope'], 5), /unknown option/);
});

test('storm clock: moves by one jump at each storm already past, like X’s clock', () => {
  let t = 1000;
  const clock = stormClock([2000, 5000], 7_200_000, { now: () => t });
  assert.equal(clock.now(), 1000);
  t = 2000;
  assert.equal(clock.now(), 2000 + 7_200_000);
  t = 6000;
  assert.equal(clock.now(), 6000 + 2 * 7_200_000);
  const plan = chaosPlan({ seed: 1, durationMs: 15_000, workers: 3 });
  const storms = stormTimes(plan, 100_000);
  assert.ok(storms.length >= 3 && storms.every((s) => s >= 100_000 && s < 115_000));
});
