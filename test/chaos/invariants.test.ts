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
  assert.deepEqual(f, { due: 10, published: 2, duplicated: 1, lost: 3, later: 1, blocked: 3, unrecorded: 1 });
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
  posts: { due: 1, published: 1, duplicated: 0, lost: 0, later: 0, blocked: 0, unrecorded: 0 },
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
