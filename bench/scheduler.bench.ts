/**
 * Scheduler benchmark (`npm run bench`): 10,000 posts due in the same minute against the emulator
 * (its own process, limits raised), published by one and then two `rotor worker` processes on one
 * PostgreSQL. Prints the publish rate and the lateness (due time → X's 201, p50/p99), beside the raw
 * pg-boss job throughput (no-op jobs, same concurrency) measured in the same run as the baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { startCluster } from '../scripts/pg-cluster.ts';
import { xApiBase } from '../src/oauth/x.ts';
import { Engine } from '../src/scheduler/engine.ts';
import { Publisher } from '../src/scheduler/publisher.ts';
import { insertPost } from '../src/store/posts.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { TokenVault } from '../src/vault/vault.ts';
import { XClient } from '../src/x/client.ts';
import { benchConnector, percentile, root, startEmulatorProcess } from './support.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 10_000);
const ACCOUNTS = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LEAD_MS = 15_000;

const cluster = await startCluster();
const emu = await startEmulatorProcess(ACCOUNTS, {
  rateLimits: {
    postTweets15m: 1_000_000,
    userPosts24h: 1_000_000,
    appPosts24h: 1_000_000,
    userTweets15m: 1_000_000,
  },
});
const workers: ChildProcess[] = [];
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = cluster.url.replace(/\/postgres$/, '/bench');
  const db = openPostgres(url);
  await migrate(db);
  const { key, keyRing, provider, connectAs } = benchConnector(db, emu.url);
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) ids.push(await connectAs(`b${i}`));
  const vault = new TokenVault({ db, provider, keyRing });
  const x = new XClient({ apiBase: xApiBase(emu.url) });
  const engine = new Engine({ db, vault, x, publisher: new Publisher({ db, vault, x }), client: true });
  await engine.start({ work: false });

  // Baseline: raw pg-boss, no-op jobs, one worker with the same concurrency.
  const boss = new PgBoss({ connectionString: url, max: 6 });
  await boss.start();
  await boss.createQueue('noop');
  await boss.insert(
    'noop',
    Array.from({ length: POSTS }, (_, i) => ({ data: { i } })),
  );
  let done = 0;
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    // The same fetch settings as Rotor's publish workers: batches of 8, back to back while full.
    const options = {
      batchSize: 8,
      burstWhenBatchFull: true,
      localConcurrency: Math.max(1, Math.round(CONCURRENCY / 8)),
      pollingIntervalSeconds: 1,
    };
    void boss.work('noop', options, (jobs) => {
      done += jobs.length;
      if (done >= POSTS) resolve();
      return Promise.resolve();
    });
  });
  const baselineRate = POSTS / ((Date.now() - t0) / 1000);
  await boss.stop({ graceful: false, timeout: 1000 });

  const dataDir = mkdtempSync(join(tmpdir(), 'rotor-bench-w-'));
  const env = {
    ...process.env,
    DATABASE_URL: url,
    X_EMULATOR_URL: emu.url,
    ROTOR_KEYS: key,
    ROTOR_DATA_DIR: dataDir,
    ROTOR_WORKER_CONCURRENCY: String(CONCURRENCY),
  };

  async function round(label: string, workerCount: number) {
    const due = Date.now() + LEAD_MS;
    const posts: { id: string; dueAt: number }[] = [];
    for (let i = 0; i < POSTS; i += 1) {
      const p = await insertPost(db, {
        accountId: ids[i % ACCOUNTS] ?? '',
        text: `${label} ${i} ${due}`,
        status: 'scheduled',
        dueAt: due,
      });
      if (p) posts.push({ id: p.id, dueAt: due });
    }
    await engine.enqueuePublishMany(posts);
    for (let i = 0; i < workerCount; i += 1) {
      workers.push(
        spawn(process.execPath, [join(root, 'bin', 'rotor.js'), 'worker'], { env, stdio: 'ignore' }),
      );
    }
    let published = 0;
    while (published < POSTS) {
      await new Promise((r) => setTimeout(r, 500));
      published = Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*)::int AS n FROM posts WHERE status = 'published' AND text LIKE $1`,
            [`${label} %`],
          )
        ).rows[0]?.n,
      );
      if (Date.now() > due + 600_000)
        throw new Error(`${label}: only ${published} published after 10 minutes`);
    }
    for (const w of workers.splice(0)) w.kill('SIGTERM');
    const state = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as {
      posts: { text: string; createdAt: string }[];
    };
    const times = state.posts
      .filter((p) => p.text.startsWith(`${label} `))
      .map((p) => Date.parse(p.createdAt));
    const lateness = times.map((t) => (t - due) / 1000);
    const rate = POSTS / ((Math.max(...times) - Math.min(due, ...times)) / 1000);
    return {
      label,
      workerCount,
      rate,
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      count: times.length,
    };
  }

  const one = await round('one', 1);
  await new Promise((r) => setTimeout(r, 2000));
  const two = await round('two', 2);
  const rows = [
    ['raw pg-boss (no-op jobs, 1 process)', `${baselineRate.toFixed(0)} jobs/s`, '—', '—', '1.00', ''],
    [
      `1 worker (${one.count} posts)`,
      `${one.rate.toFixed(0)} posts/s`,
      `${one.p50.toFixed(2)} s`,
      `${one.p99.toFixed(2)} s`,
      (one.rate / baselineRate).toFixed(2),
      'p99 < 5 s',
    ],
    [
      `2 workers (${two.count} posts)`,
      `${two.rate.toFixed(0)} posts/s`,
      `${two.p50.toFixed(2)} s`,
      `${two.p99.toFixed(2)} s`,
      (two.rate / baselineRate).toFixed(2),
      `≥ 1.7× one worker: ${(two.rate / one.rate).toFixed(2)}×`,
    ],
  ];
  console.log(
    `\n## Scheduler (${POSTS} posts due at the same instant, ${ACCOUNTS} accounts, concurrency ${CONCURRENCY} per worker)\n`,
  );
  console.log('| run | rate | lateness p50 | lateness p99 | rate / raw pg-boss | target |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results', 'scheduler.json'),
    JSON.stringify({ baselineRate, one, two }, null, 2),
  );
  await engine.stop();
  await db.close();
} finally {
  for (const w of workers) w.kill('SIGKILL');
  emu.stop();
  cluster.destroy();
}
