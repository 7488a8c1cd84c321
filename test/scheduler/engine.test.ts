/** The job engine's queues: settings changed between starts are applied (pg-boss keeps old ones otherwise). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QUEUES } from '../../src/scheduler/engine.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

test('a changed job expiry is applied to existing queues at the next start', async () => {
  const s = await schedulerSetup('postgres', {}, { engine: { jobExpireSeconds: 120 } });
  assert.equal((await s.engine.boss.getQueue(QUEUES.publish))?.expireInSeconds, 120);
  const again = new Engine({
    db: s.t.db,
    vault: s.vault,
    x: s.x,
    publisher: s.publisher,
    client: true,
    jobExpireSeconds: 45,
  });
  await again.start({ work: false });
  try {
    assert.equal((await again.boss.getQueue(QUEUES.publish))?.expireInSeconds, 45);
    assert.equal((await again.boss.getQueue(QUEUES.fire))?.expireInSeconds, 45);
  } finally {
    await again.stop();
  }
});
