/**
 * One process per PGlite folder, also when several start at once over a stale lock: exactly one
 * takes the folder, the others are told who holds it (real processes).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const module = join(import.meta.dirname, '..', '..', 'src', 'store', 'data-dir-lock.ts');

test('8 processes racing over a stale lock: exactly one wins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-lock-race-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // A lock left by a process that is gone.
  writeFileSync(
    join(dir, 'rotor.lock'),
    JSON.stringify({ pid: 2 ** 22 + 12345, command: 'dead', startedAt: '' }),
  );
  const script = `
    const { lockDataDir } = await import(${JSON.stringify(module)});
    try { lockDataDir(${JSON.stringify(dir)}, 'racer'); console.log('won'); await new Promise((r) => setTimeout(r, 1500)); }
    catch (e) { console.log(e.code === 'data_dir_busy' ? 'busy' : 'error ' + e.message); }`;
  const results = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', () => resolve(out.trim()));
        }),
    ),
  );
  assert.equal(results.filter((r) => r === 'won').length, 1, results.join(', '));
  assert.equal(results.filter((r) => r === 'busy').length, 7, results.join(', '));
});
