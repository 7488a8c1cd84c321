/**
 * Pre-warming (scheduler/prewarm.ts, store/prewarm.ts): tokens that posts due in the next window
 * need are refreshed ahead, soonest post first, at most `perSecond` per tick; a post outside the
 * window, a token leased elsewhere and a token that already outlives its post are left alone; a
 * working engine starts pre-warming at once, not at its first sweep.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Prewarmer } from '../../src/scheduler/prewarm.ts';
import { insertPost } from '../../src/store/posts.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

const MIN = 60_000;

describe('pre-warming tokens of posts due soon', () => {
  test('refreshes the soonest first, perSecond per tick, and only what the window needs', async () => {
    const s = await schedulerSetup('postgres');
    const [alice, bob, hanako] = [
      await s.connectAs('alice'),
      await s.connectAs('bob'),
      await s.connectAs('hanako'),
    ];
    const now = Date.now();
    await s.t.db.query(
      `UPDATE token_sets SET access_expires_at = now() - interval '3 hours', refreshed_at = now() - interval '1 day'`,
    );
    for (const [accountId, dueAt] of [
      [bob, now + 4 * MIN],
      [alice, now + 2 * MIN],
      [hanako, now + 20 * MIN],
    ] as const) {
      await insertPost(s.t.db, { accountId, text: `due ${accountId}`, status: 'scheduled', dueAt });
    }
    const expiry = async () =>
      new Map(
        (
          await s.t.db.query<{ id: string; at: number }>(
            `SELECT account_id AS id, (extract(epoch FROM access_expires_at) * 1000)::float8 AS at FROM token_sets`,
          )
        ).rows.map((r) => [r.id, r.at]),
      );
    const refreshed: string[] = [];
    s.vault.events.on('refreshed', (e: { accountId: string }) => refreshed.push(e.accountId));
    const warmer = new Prewarmer({ db: s.t.db, vault: s.vault, perSecond: 1, windowMs: 10 * MIN });

    assert.equal(await warmer.tick(), 1);
    await warmer.settled();
    assert.deepEqual(refreshed, [alice], 'the soonest post first, one per tick');
    assert.ok(
      (await expiry()).get(alice)! > now + 2 * MIN + 5 * MIN,
      'alice outlives her post by the margin',
    );

    assert.equal(await warmer.tick(), 1);
    await warmer.settled();
    assert.deepEqual(refreshed, [alice, bob]);
    assert.equal(await warmer.tick(), 0, 'hanako’s post is outside the window; the others are warm');
    assert.deepEqual(refreshed, [alice, bob]);
    assert.ok((await expiry()).get(hanako)! < now, 'hanako’s token was left as it was');
  });

  test('a tick starts its refreshes without waiting for X’s answers', async () => {
    const s = await schedulerSetup('postgres', { latency: { token: { fixedMs: 1500, jitterMs: 0 } } });
    const [alice, bob] = [await s.connectAs('alice'), await s.connectAs('bob')];
    await s.t.db.query(
      `UPDATE token_sets SET access_expires_at = now() - interval '3 hours', refreshed_at = now() - interval '1 day'`,
    );
    for (const accountId of [alice, bob]) {
      await insertPost(s.t.db, {
        accountId,
        text: `slow ${accountId}`,
        status: 'scheduled',
        dueAt: Date.now() + MIN,
      });
    }
    const refreshed: string[] = [];
    s.vault.events.on('refreshed', (e: { accountId: string }) => refreshed.push(e.accountId));
    const warmer = new Prewarmer({ db: s.t.db, vault: s.vault, perSecond: 1 });
    assert.equal(await warmer.tick(), 1);
    assert.deepEqual(refreshed, [], 'the tick returned while X was still answering');
    assert.equal(await warmer.tick(), 1, 'the next tick starts the next account, not the same one again');
    await warmer.settled();
    assert.deepEqual(refreshed.sort(), [alice, bob].sort());
  });

  test('skips a token leased by another process', async () => {
    const s = await schedulerSetup('postgres');
    const alice = await s.connectAs('alice');
    await s.t.db.query(
      `UPDATE token_sets SET access_expires_at = now() - interval '3 hours', refreshed_at = now() - interval '1 day',
         lease_owner = 'elsewhere', lease_until = now() + interval '1 minute'`,
    );
    await insertPost(s.t.db, {
      accountId: alice,
      text: 'leased',
      status: 'scheduled',
      dueAt: Date.now() + MIN,
    });
    const warmer = new Prewarmer({ db: s.t.db, vault: s.vault, perSecond: 10 });
    assert.equal(await warmer.tick(), 0);
  });

  test('a working engine pre-warms at once, long before its first sweep', async () => {
    const s = await schedulerSetup('postgres', {}, { work: false });
    const alice = await s.connectAs('alice');
    await s.t.db.query(
      `UPDATE token_sets SET access_expires_at = now() - interval '3 hours', refreshed_at = now() - interval '1 day'`,
    );
    await insertPost(s.t.db, {
      accountId: alice,
      text: 'at nine',
      status: 'scheduled',
      dueAt: Date.now() + 3 * MIN,
    });
    const { Engine } = await import('../../src/scheduler/engine.ts');
    const engine = new Engine({
      db: s.t.db,
      vault: s.vault,
      x: s.x,
      publisher: s.publisher,
      sweepIntervalSeconds: 3600,
    });
    const refreshed = new Promise<{ accountId: string }>((resolve) =>
      s.vault.events.on('refreshed', resolve),
    );
    await engine.start({ work: true });
    try {
      const event = await refreshed;
      assert.equal(event.accountId, alice);
    } finally {
      await engine.stop();
    }
  });
});
