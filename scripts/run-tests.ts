/**
 * Runs every `*.test.ts` under `test/` with Node's test runner, prints the spec report, and
 * fails when the runner executed zero tests (Node 20's `node --test dir/` passes with none).
 * Starts one throw-away PostgreSQL server for the run (tests make a database each) and gives its
 * URL as ROTOR_TEST_PG_URL. Usage: `npm test [-- file-or-glob …]`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from './pg-cluster.ts';
import { findSecrets } from './secret-scan.ts';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const tapFile = join(outDir, 'results.tap');
const patterns = process.argv.slice(2);
const cluster = await startCluster();
const args = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=180000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapFile}`,
  ...(patterns.length > 0 ? patterns : ['test/**/*.test.ts']),
];
let code: number;
let output = '';
try {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ROTOR_TEST_PG_URL: cluster.url },
  });
  child.stdout.on('data', (d: Buffer) => {
    process.stdout.write(d);
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    process.stderr.write(d);
    output += d.toString();
  });
  code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} finally {
  cluster.destroy();
}
// No secret in anything the run printed (property 26): X-shaped tokens and codes, key entries.
const leaks = findSecrets(output);
if (leaks.length > 0) {
  console.error(
    `run-tests: the test output contains ${leaks.length} secret-looking value(s): ${leaks.map((l) => l.kind).join(', ')}`,
  );
  code = 1;
}
const tap = readFileSync(tapFile, 'utf8');
const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? NaN);
const [tests, pass, fail] = [count('tests'), count('pass'), count('fail')];
if (!Number.isFinite(tests) || tests === 0) {
  console.error('run-tests: the test runner executed zero tests — failing on purpose.');
  process.exit(1);
}
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(code !== 0 || fail > 0 ? 1 : 0);
