/**
 * The layers, checked on the source: SQL only in src/store/, `token_sets` written only by the
 * store's functions (key rotation, export/import and the vault call them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
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

/** What a file imports from src/store/ as values (a type-only import or specifier does not count). */
function storeValueImports(file: string, code: string): string[] {
  const dir = dirname(join(ROOT, file));
  const inStore = (spec: string) =>
    spec.startsWith('.') && relative(join(ROOT, 'src/store'), resolve(dir, spec)).split(sep)[0] !== '..';
  const found: string[] = [];
  // import … from '…', export … from '…', a bare import '…', and import('…').
  const statement =
    /\b(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(statement)) {
    const spec = m[4] ?? m[5] ?? '';
    if (!inStore(spec) || m[2]) continue;
    const braces = /\{([\s\S]*)\}/.exec(m[3] ?? '');
    const outside = (m[3] ?? '')
      .replace(/\{[\s\S]*\}/, '')
      .replace(/,/g, ' ')
      .trim();
    const values = [
      ...(outside === '' ? [] : [outside]),
      ...(braces?.[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('type ')),
    ];
    if (m[5] !== undefined || values.length > 0) found.push(`${spec}: ${values.join(', ') || '(module)'}`);
  }
  return found;
}

test('web routes import no values from src/store/ (they go through src/web/handlers/)', () => {
  const offenders = sources()
    .filter((s) => s.file.startsWith(join('src', 'web', 'routes') + sep))
    .flatMap((s) => storeValueImports(s.file, s.code).map((i) => `${s.file} → ${i}`));
  assert.deepEqual(offenders, []);
});

test('the import check tells a value import from a type-only one', () => {
  const f = 'src/web/routes/x.ts';
  assert.deepEqual(storeValueImports(f, "import type { A } from '../../store/a.ts';"), []);
  assert.deepEqual(storeValueImports(f, "import { type A, type B } from '../../store/a.ts';"), []);
  assert.deepEqual(storeValueImports(f, "import { getPost } from '../../core/a.ts';"), []);
  assert.deepEqual(storeValueImports(f, "import { type A,\n  getPost } from '../../store/posts.ts';"), [
    '../../store/posts.ts: getPost',
  ]);
  assert.deepEqual(storeValueImports(f, "import * as s from '../../store/posts.ts';"), [
    '../../store/posts.ts: * as s',
  ]);
  assert.deepEqual(storeValueImports(f, "export { getPost } from '../../store/posts.ts';"), [
    '../../store/posts.ts: getPost',
  ]);
  assert.deepEqual(storeValueImports(f, "const s = await import('../../store/posts.ts');"), [
    '../../store/posts.ts: (module)',
  ]);
  assert.deepEqual(storeValueImports(f, "import '../../store/posts.ts';"), [
    '../../store/posts.ts: (module)',
  ]);
});
