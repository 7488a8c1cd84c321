/**
 * Start-up benchmark (`npm run bench`): time from spawning `rotor serve` (demo mode: web app,
 * workers and the built-in emulator) to its `/healthz` answering 200, on an embedded database
 * (PGlite in `ROTOR_DATA_DIR`) created by an earlier start. Beside it, the baseline measured in
 * the same run: a bare `node` process serving one HTTP answer. Target: under 2 s, every start.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, percentile, root } from './support.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const TARGET_MS = 2000;

/** Spawns `args` with `env`, polls `url` until it answers 200; ms from spawn, then stops it. */
async function timeToAnswer(args: string[], env: NodeJS.ProcessEnv, url: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 60_000) throw new Error(`${url} did not answer within 60 s`);
      await sleep(10);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'rotor-bench-start-'));
try {
  const serve = async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      ROTOR_EMULATOR_PORT: String(await freePort()),
      ROTOR_DATA_DIR: dataDir,
    };
    return timeToAnswer([join(root, 'bin', 'rotor.js'), 'serve'], env, `http://127.0.0.1:${port}/healthz`);
  };
  const bare = async () => {
    const port = await freePort();
    const code = `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
    return timeToAnswer(['-e', code], process.env, `http://127.0.0.1:${port}/`);
  };
  const firstMs = await serve(); // creates the database, runs the migrations, writes the dev key
  const times: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    bareTimes.push(await bare());
    times.push(await serve());
  }
  const median = percentile(times, 50);
  const bareMedian = percentile(bareTimes, 50);
  const worst = Math.max(...times);
  const result = {
    runs: RUNS,
    firstMs,
    times,
    bareTimes,
    median,
    bareMedian,
    worst,
    targetMs: TARGET_MS,
    met: worst < TARGET_MS,
  };
  console.log(`\n## Start-up of \`rotor serve\` on an existing embedded database (${RUNS} starts)\n`);
  console.log('| measure | median | worst | ratio (median) | target |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| bare \`node\` answering HTTP (baseline) | ${bareMedian.toFixed(0)} ms | ${Math.max(...bareTimes).toFixed(0)} ms | 1.00 | |`,
  );
  console.log(
    `| \`rotor serve\` → \`/healthz\` 200 | ${median.toFixed(0)} ms | ${worst.toFixed(0)} ms | ${(median / bareMedian).toFixed(2)} | < ${TARGET_MS} ms ${result.met ? '✓' : '✗'} |`,
  );
  console.log(`| first start (creates the database) | ${firstMs.toFixed(0)} ms | | | |`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'startup.json'), JSON.stringify(result, null, 2));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
