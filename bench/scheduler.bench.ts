/**
 * Scheduler benchmark (`npm run bench`), the "09:00" scenario: N accounts (10,000; 1,000 with
 * `--short`), each with an access token that expired hours ago and one post due at the same
 * instant, scheduled (and enqueued) well ahead; the emulator, its own process, answers as X does
 * on the internet (150–400 ms per post, 100–300 ms per token request). `rotor worker` processes
 * with their default settings start `LEAD` seconds before the due instant (as they would have been
 * running for hours), with 1, 2 and 4 workers. Per post: due → X's 201 (p50, p99, max); the token
 * refreshes made in the 60 s around the due instant (goal 0); CPU seconds per 1,000 posts of the
 * workers and of PostgreSQL (from /proc); the workers' peak RSS.
 * Baselines in the same run, each in processes of its own fetching as Rotor does: raw pg-boss jobs
 * that each send the same POST to the emulator with one fixed token, and no-op pg-boss jobs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgBoss } from 'pg-boss';
import { startCluster } from '../scripts/pg-cluster.ts';
import { Engine } from '../src/scheduler/engine.ts';
import { Publisher } from '../src/scheduler/publisher.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { TokenVault } from '../src/vault/vault.ts';
import { XClient } from '../src/x/client.ts';
import { xApiBase } from '../src/oauth/x.ts';
import { cpuSecondsOf, postmasterPid, treeCpuSeconds } from './cpu.ts';
import { createBenchDatabase } from './databases.ts';
import { memoryOf } from './rss.ts';
import { benchConnector, percentile, root, rotorNodeFlags, startEmulatorProcess } from './support.ts';

const SHORT = process.argv.includes('--short') || process.env.BENCH_SHORT === '1';
const N = Number(process.env.BENCH_POSTS ?? (SHORT ? 1_000 : 10_000));
/** Seconds the workers run before the due instant (they would have been running for hours). */
const LEAD_S = Number(process.env.BENCH_LEAD_SECONDS ?? (SHORT ? 75 : 300));
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
/** Rotor's default posts in flight per worker (the baselines fetch with the same number). */
const CONCURRENCY = Number(process.env.BENCH_BASELINE_CONCURRENCY ?? 64);
const LATENCY = { post: { fixedMs: 150, jitterMs: 250 }, token: { fixedMs: 100, jitterMs: 200 } };
const AROUND_MS = 30_000;

export interface MorningRow {
  label: string;
  processes: number;
  count: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  refreshesAround?: number;
  refreshesAhead?: number;
  workerCpuPer1k: number;
  pgCpuPer1k: number;
  peakRss: number;
  /** PostgreSQL backends waiting on a lock, sampled every 250 ms: the most, and the mean. */
  lockWaits?: { max: number; mean: number };
  /** CPU seconds (workers, PostgreSQL) of the run spent before the due instant: pre-warming. */
  aheadCpu?: { workers: number; pg: number };
}

const cluster = await startCluster();
const pgPid = postmasterPid(join(cluster.dir, 'data'));
const emu = await startEmulatorProcess(N, {
  accessTokenTtl: 7200,
  latency: LATENCY,
  rateLimits: {
    postTweets15m: 1_000_000,
    userPosts24h: 1_000_000,
    appPosts24h: 10_000_000,
    userTweets15m: 1_000_000,
  },
});
const children: ChildProcess[] = [];
try {
  const url = await createBenchDatabase(cluster, 'bench');
  const db = openPostgres(url, { max: 8 });
  await migrate(db);
  const { key, keyRing, provider, connectAs } = benchConnector(db, emu.url);
  const ids: string[] = [];
  let next = 0;
  const connectStart = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < N) {
        const i = next++;
        ids[i] = await connectAs(`b${i}`);
      }
    }),
  );
  console.error(`connected ${N} accounts in ${((Date.now() - connectStart) / 1000).toFixed(0)} s`);
  const vault = new TokenVault({ db, provider, keyRing });
  const fixedToken = (await vault.getAccessToken(ids[0] ?? '')).accessToken;
  const x = new XClient({ apiBase: xApiBase(emu.url) });
  const engine = new Engine({ db, vault, x, publisher: new Publisher({ db, vault, x }), client: true });
  await engine.start({ work: false });
  const boss = new PgBoss({ connectionString: url, max: 4, schedule: false, supervise: false });
  boss.on('error', () => undefined);
  await boss.start();

  const dataDir = mkdtempSync(join(tmpdir(), 'rotor-bench-w-'));
  const logDir = mkdtempSync(join(tmpdir(), 'rotor-bench-logs-'));
  // Default settings: nothing tuned but where the worker finds its database, X and its keys.
  const workerEnv = {
    ...process.env,
    // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the workers only.
    NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '',
    DATABASE_URL: url,
    X_EMULATOR_URL: emu.url,
    ROTOR_KEYS: key,
    ROTOR_DATA_DIR: dataDir,
  };

  /** Samples each process's CPU and peak RSS until `done`; the figures at the end. */
  function watch(pids: number[]) {
    // CPU from the moment each process is ready: its start-up is not the work measured.
    const cpu0 = new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)]));
    const cpu = new Map<number, number>();
    let peak = 0;
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        for (const pid of pids) {
          const m = memoryOf(pid);
          if (m) peak = Math.max(peak, m.peak, m.rss);
          const c = cpuSecondsOf(pid);
          if (c > 0) cpu.set(pid, c);
        }
        await sleep(250);
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      for (const pid of pids) {
        const c = cpuSecondsOf(pid);
        if (c > 0) cpu.set(pid, c);
      }
      const used = [...cpu].map(([pid, c]) => c - (cpu0.get(pid) ?? 0));
      return { cpu: used.reduce((a, b) => a + b, 0), peak };
    };
  }

  /** Samples how many of PostgreSQL's backends wait on a lock (claim contention shows here). */
  function watchLockWaits() {
    let stopped = false;
    const samples: number[] = [];
    const loop = (async () => {
      while (!stopped) {
        const r = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
        );
        samples.push(r.rows[0]?.n ?? 0);
        await sleep(250);
      }
    })();
    return async () => {
      stopped = true;
      await loop;
      return {
        max: Math.max(0, ...samples),
        mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
      };
    };
  }

  const lateness = async (prefix: string, due: number) => {
    const state = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as {
      posts: { text: string; createdAt: string }[];
    };
    return state.posts
      .filter((p) => p.text.startsWith(prefix))
      .map((p) => (Date.parse(p.createdAt) - due) / 1000);
  };
  const summary = (late: number[]) => ({
    count: late.length,
    rate: late.length / Math.max(0.001, Math.max(...late)),
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: Math.max(...late),
  });

  /**
   * Starts a process with its output going to a file (as a log collector would take it: a
   * reader as slow as this busy process must not hold up its writes) and waits for `ready` in it.
   * `node: false` executes the file itself, through its `#!` line, as `npx rotor` and a shell do.
   */
  async function spawnReady(
    args: string[],
    env: NodeJS.ProcessEnv,
    ready: string,
    node = true,
  ): Promise<ChildProcess> {
    const log = join(logDir, `${children.length}.log`);
    const fd = openSync(log, 'w');
    const [file, ...rest] = node ? [process.execPath, ...args] : args;
    const child = spawn(file ?? '', rest, {
      env: { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    children.push(child);
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    for (;;) {
      if (readFileSync(log, 'utf8').includes(ready)) return child;
      if (exited !== undefined)
        throw new Error(`${args.join(' ')} exited ${exited}: ${readFileSync(log, 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  }

  async function baseline(mode: 'post' | 'noop', processes: number): Promise<MorningRow> {
    const queue = `bench-${mode}-${processes}`;
    const prefix = `${queue} `;
    await boss.createQueue(queue);
    const env = {
      ...process.env,
      DATABASE_URL: url,
      X_EMULATOR_URL: emu.url,
      BASELINE_QUEUE: queue,
      BASELINE_MODE: mode,
      BASELINE_TOKEN: fixedToken,
      BASELINE_CONCURRENCY: String(CONCURRENCY),
    };
    const due = Date.now() + 8_000;
    const jobs = Array.from({ length: N }, (_, i) => ({
      data: { text: `${prefix}${i}` },
      startAfter: new Date(due),
    }));
    for (let i = 0; i < jobs.length; i += 1000) await boss.insert(queue, jobs.slice(i, i + 1000));
    const pg0 = treeCpuSeconds(pgPid);
    const procs = await Promise.all(
      Array.from({ length: processes }, () =>
        spawnReady([...rotorNodeFlags, join(root, 'bench', 'baseline-worker.ts')], env, 'ready'),
      ),
    );
    const stop = watch(procs.map((p) => p.pid ?? 0));
    let done = 0;
    while (done < N) {
      await sleep(250);
      done = Number(
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`,
            [queue],
          )
        ).rows[0]?.n,
      );
      if (Date.now() > due + 900_000) throw new Error(`${queue}: only ${done} done after 15 minutes`);
    }
    const { cpu, peak } = await stop();
    const pgCpu = treeCpuSeconds(pgPid) - pg0;
    for (const p of procs) p.kill('SIGTERM');
    const late =
      mode === 'post'
        ? await lateness(prefix, due)
        : (
            await db.query<{ late: number }>(
              `SELECT extract(epoch FROM completed_on - start_after)::float8 AS late FROM pgboss.job WHERE name = $1`,
              [queue],
            )
          ).rows.map((r) => r.late);
    return {
      label: mode === 'post' ? 'raw pg-boss, one POST each, fixed token' : 'raw pg-boss, no-op jobs',
      processes,
      ...summary(late),
      workerCpuPer1k: (cpu / N) * 1000,
      pgCpuPer1k: (pgCpu / N) * 1000,
      peakRss: peak,
    };
  }

  async function rotor(workers: number): Promise<MorningRow> {
    const label = `w${workers}`;
    const prefix = `${label} `;
    // Every token expired hours ago, as after a day without use.
    await db.query(
      `UPDATE token_sets SET access_expires_at = now() - interval '3 hours', refreshed_at = now() - interval '1 day'`,
    );
    const due = Date.now() + LEAD_S * 1000;
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO posts (account_id, text, status, due_at, created_at, updated_at)
       SELECT a, $2 || n, 'scheduled', to_timestamp($3 / 1000.0), now() - interval '5 hours', now() - interval '5 hours'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(a, n) RETURNING id`,
      [ids, prefix, due],
    );
    await engine.enqueuePublishMany(inserted.rows.map((r) => ({ id: r.id, dueAt: due })));
    const start = Date.now();
    const pg0 = treeCpuSeconds(pgPid);
    const procs = await Promise.all(
      Array.from({ length: workers }, () =>
        spawnReady([join(root, 'bin', 'rotor.js'), 'worker'], workerEnv, 'running', false),
      ),
    );
    const stop = watch(procs.map((p) => p.pid ?? 0));
    const locks = watchLockWaits();
    // CPU used before the due instant (start-up done, pre-warming): read at the instant itself.
    const cpuAtDue = (async () => {
      await sleep(Math.max(0, due - Date.now()));
      return {
        workers: procs.reduce((a, p) => a + cpuSecondsOf(p.pid ?? 0), 0),
        pg: treeCpuSeconds(pgPid) - pg0,
      };
    })();
    const cpuReady = procs.reduce((a, p) => a + cpuSecondsOf(p.pid ?? 0), 0);
    let published = 0;
    while (published < N) {
      await sleep(500);
      published = Number(
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM posts WHERE status = 'published' AND text LIKE $1`,
            [`${prefix}%`],
          )
        ).rows[0]?.n,
      );
      if (Date.now() > due + 900_000)
        throw new Error(`${label}: only ${published} published after 15 minutes`);
    }
    const { cpu, peak } = await stop();
    const lockWaits = await locks();
    const pgCpu = treeCpuSeconds(pgPid) - pg0;
    const refreshes = (
      await db.query<{ around: number; ahead: number }>(
        `SELECT count(*) FILTER (WHERE refreshed_at BETWEEN to_timestamp($1 / 1000.0) AND to_timestamp($2 / 1000.0))::int AS around,
                count(*) FILTER (WHERE refreshed_at >= to_timestamp($3 / 1000.0) AND refreshed_at < to_timestamp($1 / 1000.0))::int AS ahead
         FROM token_sets`,
        [due - AROUND_MS, due + AROUND_MS, start],
      )
    ).rows[0];
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))),
    );
    return {
      label: `Rotor, ${workers} worker${workers > 1 ? 's' : ''}`,
      processes: workers,
      ...summary(await lateness(prefix, due)),
      refreshesAround: refreshes?.around ?? NaN,
      lockWaits,
      aheadCpu: {
        workers: (await cpuAtDue).workers - cpuReady,
        pg: (await cpuAtDue).pg,
      },
      refreshesAhead: refreshes?.ahead ?? NaN,
      workerCpuPer1k: (cpu / N) * 1000,
      pgCpuPer1k: (pgCpu / N) * 1000,
      peakRss: peak,
    };
  }

  const rows: MorningRow[] = [];
  // BENCH_BASELINES=0: Rotor's runs only (profiling).
  const baselines = process.env.BENCH_BASELINES !== '0';
  if (baselines) rows.push(await baseline('noop', 1));
  if (baselines) rows.push(await baseline('post', 1));
  for (const w of WORKER_COUNTS) {
    if (w > 1 && baselines) rows.push(await baseline('post', w));
    rows.push(await rotor(w));
    console.error(JSON.stringify(rows.at(-1)));
  }
  const vault_ = (() => {
    try {
      return JSON.parse(readFileSync(join(root, 'bench-results', 'vault.json'), 'utf8')) as {
        refresh: number;
        refreshBase: number;
      };
    } catch {
      return undefined;
    }
  })();
  const result = {
    n: N,
    short: SHORT,
    leadSeconds: LEAD_S,
    concurrency: CONCURRENCY,
    latency: LATENCY,
    rows,
    refreshRatio: vault_ ? vault_.refresh / vault_.refreshBase : undefined,
  };
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'scheduler.json'), JSON.stringify(result, null, 2));
  const { morningTables } = await import('./morning-table.ts');
  console.log(morningTables(result));
  await boss.stop({ graceful: false, timeout: 1000 });
  await engine.stop();
  await db.close();
} finally {
  for (const c of children) c.kill('SIGKILL');
  emu.stop();
  cluster.destroy();
}
