/**
 * The layers, checked on the source: SQL only in src/store/, and `token_sets` written only by the
 * store's functions (key rotation, export/import and the vault call them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

/** Every .ts file under src/, with its code (comments removed). */
function sources(): { file: string; code: string }[] {
  const out: { file: string; code: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (path.endsWith('.ts'))
        out.push({
          file: relative(ROOT, path),
          code: readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ''),
        });
    }
  };
  walk(join(ROOT, 'src'));
  return out;
}

const SQL =
  /[`'"]\s*(SELECT\s[\s\S]*?\sFROM\s|INSERT INTO\s|UPDATE\s+\w+(\s+\w+)?\s+SET\s|DELETE FROM\s|WITH\s+\w+\s+AS\s*\()/;

test('SQL lives only in src/store/ (the emulator keeps no database)', () => {
  const outside = sources()
    .filter((s) => !s.file.startsWith('src/store/') && SQL.test(s.code))
    .map((s) => s.file);
  assert.deepEqual(outside, []);
});

test('token_sets is written only in src/store/', () => {
  const writers = sources()
    .filter((s) => /(INSERT INTO|UPDATE)\s+token_sets\b/.test(s.code))
    .map((s) => s.file);
  assert.ok(writers.length > 0 && writers.every((f) => f.startsWith('src/store/')), writers.join(', '));
  assert.ok(!writers.includes('src/ops/key-rotation.ts'));
});
