/** The periodic metrics job records each active account's public metrics (for the UI's charts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { control } from '../helpers/emulator.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

test('recordMetrics stores followers, following and posts per active account, over time', async () => {
  const s = await schedulerSetup('pglite');
  const alice = await s.connectAs('alice');
  const bob = await s.connectAs('bob');
  await s.service.postNow(alice, 'counted post');
  assert.equal(await s.engine.recordMetrics(), 2);
  await control(s.emu, 'PATCH', '/users/alice', { followers: 1300 });
  await control(s.emu, 'POST', '/clock', { advanceSeconds: 3600 });
  assert.equal(await s.engine.recordMetrics(), 2);
  const rows = (
    await s.t.db.query<{ account_id: string; followers: number; following: number; posts: number }>(
      'SELECT account_id, followers, following, posts FROM account_metrics ORDER BY at',
    )
  ).rows;
  const aliceRows = rows.filter((r) => r.account_id === alice);
  assert.deepEqual(
    aliceRows.map((r) => [r.followers, r.following, r.posts]),
    [
      [1200, 180, 1],
      [1300, 180, 1],
    ],
  );
  assert.equal(rows.filter((r) => r.account_id === bob).length, 2);
});
