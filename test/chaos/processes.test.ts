/**
 * The chaos harness's process group: a process that does not stop within the grace after SIGTERM
 * is SIGKILLed, and the harness is told (its refreshes in flight count as cut, like a kill -9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessGroup } from '../../scripts/chaos/processes.ts';

test('stop(): a process ignoring SIGTERM is SIGKILLed after the grace and reported; one that exits is not', async () => {
  const ready = new Set<number>();
  let bothReady!: () => void;
  const started = new Promise<void>((resolve) => (bothReady = resolve));
  const forced: number[] = [];
  const group = new ProcessGroup({
    onForcedKill: (p) => forced.push(p.slot),
    command: (slot) => ({
      file: process.execPath,
      args: [
        '-e',
        slot === 0
          ? "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);"
          : "console.log('ready'); setInterval(() => {}, 1000);",
      ],
    }),
    onLine: (p, line) => {
      if (line === 'ready') ready.add(p.slot);
      if (ready.size === 2) bothReady();
    },
  });
  group.fill(2);
  await started;
  await group.stop(300);
  assert.deepEqual(forced, [0]);
  assert.equal(group.forcedKills, 1);
});
