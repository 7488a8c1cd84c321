/**
 * Runs every `*.test.ts` under `test/` with Node's test runner, prints the spec report, and
 * fails when the runner executed zero tests (Node 20's `node --test dir/` passes with none).
 * Usage: `npm test [-- file-or-glob …]`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const tapFile = join(outDir, 'results.tap');
const patterns = process.argv.slice(2);
const args = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=120000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapFile}`,
  ...(patterns.length > 0 ? patterns : ['test/**/*.test.ts']),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
const code: number = await new Promise((resolve) =>
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
const tap = readFileSync(tapFile, 'utf8');
const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? NaN);
const [tests, pass, fail] = [count('tests'), count('pass'), count('fail')];
if (!Number.isFinite(tests) || tests === 0) {
  console.error('run-tests: the test runner executed zero tests — failing on purpose.');
  process.exit(1);
}
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(code !== 0 || fail > 0 ? 1 : 0);
