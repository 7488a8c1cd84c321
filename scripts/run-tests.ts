/**
 * Runs every `*.test.ts` under `test/` with Node's test runner, prints the spec report, and
 * fails when the runner executed zero tests (Node 20's `node --test dir/` passes with none).
 * Starts one throw-away PostgreSQL server for the run (tests make a database each) and gives its
 * URL as ROTOR_TEST_PG_URL. Usage: `npm test [-- file-or-glob …]`.
 *
 * Property 26: the run is at debug level (`ROTOR_LOG_LEVEL=debug` unless set) and every Rotor
 * process that inherits the environment appends its log lines to `test-results/rotor-debug.log`
 * (`ROTOR_LOG_FILE`); that file and everything the run printed are scanned for secrets. The
 * file is removed after a clean scan.
 *
 * A run cannot hang: each test has 3 minutes (`--test-timeout`), a file whose tests have all
 * ended is made to exit even when something it started still holds its event loop
 * (`--test-force-exit`), and the whole run is stopped — its process group killed, the run failed —
 * after `ROTOR_TEST_DEADLINE_MINUTES` (40 by default).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from './pg-cluster.ts';
import { findSecrets } from './secret-scan.ts';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'test-results');
mkdirSync(outDir, { recursive: true });
const tapFile = join(outDir, 'results.tap');
// One file per run: other runs may share test-results/. Kept only when it leaks (to look at).
const logFile = join(outDir, `rotor-debug-${process.pid}.log`);
const patterns = process.argv.slice(2);
const deadlineMinutes = Number(process.env.ROTOR_TEST_DEADLINE_MINUTES ?? 40);
const cluster = await startCluster();
const args = [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=180000',
  '--test-force-exit',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapFile}`,
  ...(patterns.length > 0 ? patterns : ['test/**/*.test.ts']),
];
let code: number;
let output = '';
try {
  // Its own process group, so that the deadline can stop it with everything it started.
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ROTOR_TEST_PG_URL: cluster.url,
      ROTOR_LOG_LEVEL: process.env.ROTOR_LOG_LEVEL ?? 'debug',
      ROTOR_LOG_FILE: logFile,
    },
  });
  child.stdout.on('data', (d: Buffer) => {
    process.stdout.write(d);
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    process.stderr.write(d);
    output += d.toString();
  });
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group has already ended
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      killGroup();
      process.exit(1);
    });
  const deadline = setTimeout(() => {
    console.error(`run-tests: the run passed its deadline of ${deadlineMinutes} min; stopping it.`);
    killGroup();
  }, deadlineMinutes * 60_000);
  // 'exit', then 'close' for at most 5 s: a process a test left behind may hold the output open.
  const closed = new Promise((resolve) => child.on('close', resolve));
  code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  clearTimeout(deadline);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  killGroup(); // anything a test file left running
} finally {
  cluster.destroy();
}
// No secret in anything the run printed or logged (property 26): X-shaped tokens and codes, key entries.
const logged = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
for (const [what, text] of [
  ['test output', output],
  ['debug log', logged],
] as const) {
  const leaks = findSecrets(text);
  if (leaks.length > 0) {
    console.error(
      `run-tests: the ${what} contains ${leaks.length} secret-looking value(s): ${leaks.map((l) => l.kind).join(', ')}`,
    );
    code = 1;
  }
}
console.log(`\nscanned for secrets: the output and ${logged.split('\n').length - 1} debug log lines`);
if (code === 0) rmSync(logFile, { force: true });
else if (logged !== '') console.error(`run-tests: the debug log is kept in ${logFile}`);
const tap = readFileSync(tapFile, 'utf8');
const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? NaN);
const [tests, pass, fail] = [count('tests'), count('pass'), count('fail')];
if (!Number.isFinite(tests) || tests === 0) {
  console.error('run-tests: the test runner executed zero tests — failing on purpose.');
  process.exit(1);
}
console.log(`\n${pass} passed, ${fail} failed`);
process.exit(code !== 0 || fail > 0 ? 1 : 0);
