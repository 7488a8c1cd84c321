/**
 * The heap bound of long-running processes (`src/ops/heap.ts`): old space grows by a quarter of what
 * survived, so objects that die after being promoted (a post waiting on X) do not pile up, from the
 * moment it is set after start-up; and a `--heap-growing-percent` on Node's command line is left to
 * decide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from '../../src/ops/heap.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'promoted-garbage.ts');

async function peakHeap(bound: boolean | 'started' | 'flag'): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-semi-space-size=8', fixture], {
    env: { ...process.env, BOUND: bound === true ? '1' : bound === false ? '0' : bound },
  });
  return (JSON.parse(stdout) as { peak: number }).peak;
}

test('bounded heap growth keeps promoted garbage from piling up: the peak heap is far lower than V8 left alone', async () => {
  const [free, bounded] = await Promise.all([peakHeap(false), peakHeap(true)]);
  assert.ok(
    bounded < free * 0.7,
    `peak heap ${(bounded / 1e6).toFixed(0)} MB bounded vs ${(free / 1e6).toFixed(0)} MB unbounded`,
  );
});

test('bounded once started, the bound applies at once: the limit start-up left is not filled with garbage first', async () => {
  const [flagOnly, started] = await Promise.all([peakHeap('flag'), peakHeap('started')]);
  assert.ok(
    started < flagOnly * 0.85,
    `peak heap ${(started / 1e6).toFixed(0)} MB bounded with its collection vs ${(flagOnly / 1e6).toFixed(0)} MB with the flag alone`,
  );
});

test('a --heap-growing-percent given to Node on its command line is kept', () => {
  assert.equal(boundHeapGrowth(['--heap-growing-percent=80']), undefined);
  assert.equal(boundHeapGrowth(['--max-semi-space-size=16']), HEAP_GROWING_PERCENT);
});
