/**
 * The heap bound of long-running processes (`src/ops/heap.ts`): old space grows by a quarter of what
 * survived, so objects that die after being promoted (a post waiting on X) do not pile up; and a
 * `--heap-growing-percent` on Node's command line is left to decide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from '../../src/ops/heap.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'promoted-garbage.ts');

async function peakHeap(bound: boolean): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-semi-space-size=8', fixture], {
    env: { ...process.env, BOUND: bound ? '1' : '0' },
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

test('a --heap-growing-percent given to Node on its command line is kept', () => {
  assert.equal(boundHeapGrowth(['--heap-growing-percent=80']), undefined);
  assert.equal(boundHeapGrowth(['--max-semi-space-size=16']), HEAP_GROWING_PERCENT);
});
