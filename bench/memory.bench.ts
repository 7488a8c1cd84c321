/**
 * Worker memory benchmark (`npm run bench`): the resident-set peak of one `rotor worker` process
 * on a PostgreSQL holding 100,000 connected accounts and 100,000 pending posts, while it runs its
 * sweeps (every 5 s here) and publishes the posts falling due during the measurement, beside the
 * same worker on an empty database in the same run (the baseline). Target: under 200 MB. Measured
 * twice on the loaded database: with Node's default heap sizing, and with V8's old space capped
 * (`--max-old-space-size`), which tells live memory from garbage V8 has not yet collected.
 *
 * Volume: a few accounts are connected for real through the emulator; the others are rows whose
 * token sets are those real tokens sealed again for each row (the associated data binds each
 * ciphertext to its row, so copies must be sealed, not copied). Access tokens live 2 hours, so no
 * refresh happens while measuring. Posts are inserted with `INSERT … SELECT generate_series`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../scripts/pg-cluster.ts';
import { open, seal } from '../src/crypto/aead.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { watchMemory } from './rss.ts';
import { benchConnector, root, rotorNodeFlags, startEmulatorProcess } from './support.ts';
import { createBenchDatabase } from './databases.ts';

const ACCOUNTS = Number(process.env.BENCH_MEMORY_ACCOUNTS ?? 100_000);
const POSTS = Number(process.env.BENCH_MEMORY_POSTS ?? 100_000);
const REAL = 50;
/** Posts falling due while the worker is measured (the rest are due over the next 30 days). */
const DUE_DURING = 2_000;
const MEASURE_MS = Number(process.env.BENCH_MEMORY_SECONDS ?? 40) * 1000;
const TARGET_MB = 200;
/** V8's old-space cap for the third measurement (MB): what the heap really needs, without slack. */
const HEAP_CAP_MB = 64;

const cluster = await startCluster();
const emu = await startEmulatorProcess(REAL, {
  rateLimits: {
    postTweets15m: 1_000_000,
    userPosts24h: 1_000_000,
    appPosts24h: 1_000_000,
    userTweets15m: 1_000_000,
  },
});
const dataDir = mkdtempSync(join(tmpdir(), 'rotor-bench-mem-'));
try {
  const emptyUrl = await createBenchDatabase(cluster, 'bench_empty');
  const url = await createBenchDatabase(cluster, 'bench_memory');
  const empty = openPostgres(emptyUrl);
  await migrate(empty);
  await empty.close();
  const db = openPostgres(url);
  await migrate(db);
  const { key, keyRing, connectAs } = benchConnector(db, emu.url);
  const real: string[] = [];
  for (let i = 0; i < REAL; i += 1) real.push(await connectAs(`b${i}`));

  const t0 = Date.now();
  const template = await db.query<{
    account_id: string;
    owner_id: string;
    provider: string;
    access_ct: string;
    refresh_ct: string;
    scope: string;
  }>(
    `SELECT t.account_id, a.owner_id, a.provider, t.access_ct, t.refresh_ct, t.scope
     FROM token_sets t JOIN accounts a ON a.id = t.account_id ORDER BY a.username`,
  );
  const plain = template.rows.map((r) => ({
    access: open(keyRing, r.access_ct, { table: 'token_sets', row: r.account_id, field: 'access' }),
    refresh: open(keyRing, r.refresh_ct, { table: 'token_sets', row: r.account_id, field: 'refresh' }),
  }));
  const first = template.rows[0];
  if (!first) throw new Error('no connected account');
  const extra = ACCOUNTS - REAL;
  const ids = (
    await db.query<{ id: string }>(
      `INSERT INTO accounts (owner_id, provider, subject, username, consented_at)
       SELECT $1, $2, 'm' || g, 'm' || g, now() FROM generate_series(1, $3::int) g RETURNING id`,
      [first.owner_id, first.provider, extra],
    )
  ).rows.map((r) => r.id);
  const BATCH = 10_000;
  for (let from = 0; from < ids.length; from += BATCH) {
    const batch = ids.slice(from, from + BATCH);
    const access: string[] = [];
    const refresh: string[] = [];
    batch.forEach((id, i) => {
      const p = plain[(from + i) % plain.length] ?? { access: '', refresh: '' };
      access.push(seal(keyRing, p.access, { table: 'token_sets', row: id, field: 'access' }));
      refresh.push(seal(keyRing, p.refresh, { table: 'token_sets', row: id, field: 'refresh' }));
    });
    await db.query(
      `INSERT INTO token_sets (account_id, access_ct, refresh_ct, key_id, access_expires_at, scope, refreshed_at)
       SELECT u.id, u.a, u.r, $4, now() + interval '2 hours', $5, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, a, r)`,
      [batch, access, refresh, keyRing.active.id, first.scope],
    );
  }
  // One post per account, due over the next 30 days; before each measurement a slice of them is
  // brought forward to fall due while the worker is watched.
  await db.query(
    `INSERT INTO posts (account_id, text, status, due_at)
     SELECT a.id, 'memory bench post ' || a.n, 'scheduled', now() + interval '1 hour' + a.n * interval '25 seconds'
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts) a
     WHERE a.n <= $1`,
    [POSTS],
  );
  const bringForward = async (startAt: number) =>
    db.query(
      `UPDATE posts p SET due_at = to_timestamp($1 / 1000.0) + s.k * $2 * interval '1 millisecond'
       FROM (SELECT id, row_number() OVER (ORDER BY due_at) AS k FROM posts
             WHERE status = 'scheduled' AND due_at > now() + interval '30 minutes' LIMIT $3) s
       WHERE p.id = s.id`,
      [startAt, Math.floor((MEASURE_MS - 15_000) / DUE_DURING), DUE_DURING],
    );
  const setupMs = Date.now() - t0;
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const accounts = await count('SELECT count(*) AS n FROM accounts');
  const pending = await count(`SELECT count(*) AS n FROM posts WHERE status = 'scheduled'`);

  async function measure(
    databaseUrl: string,
    nodeOptions?: string,
  ): Promise<{ peak: number; samples: number[] }> {
    const child = spawn(process.execPath, [...rotorNodeFlags, join(root, 'bin', 'rotor.js'), 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        X_EMULATOR_URL: emu.url,
        ROTOR_KEYS: key,
        ROTOR_DATA_DIR: dataDir,
        ROTOR_SWEEP_SECONDS: '5',
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
      stdio: 'ignore',
    });
    const result = await watchMemory(child.pid ?? -1, MEASURE_MS);
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the worker ended while measured (${child.exitCode ?? child.signalCode}), ${nodeOptions ?? ''}`,
      );
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return result;
  }
  const published = () => count(`SELECT count(*) AS n FROM posts WHERE status = 'published'`);
  const baseline = await measure(emptyUrl);
  await bringForward(Date.now() + 8000);
  const loaded = await measure(url);
  const publishedDefault = await published();
  await bringForward(Date.now() + 8000);
  const capped = await measure(url, `--max-old-space-size=${HEAP_CAP_MB}`);
  const publishedCapped = (await published()) - publishedDefault;
  const mb = (b: number) => b / 1e6;
  const result = {
    accounts,
    pendingPosts: pending,
    publishedDuring: publishedDefault,
    publishedDuringCapped: publishedCapped,
    measureMs: MEASURE_MS,
    setupMs,
    peakBytes: loaded.peak,
    cappedPeakBytes: capped.peak,
    heapCapMb: HEAP_CAP_MB,
    baselinePeakBytes: baseline.peak,
    targetMb: TARGET_MB,
    met: mb(loaded.peak) < TARGET_MB,
    metCapped: mb(capped.peak) < TARGET_MB,
  };
  const row = (label: string, peak: number, target: string) =>
    console.log(
      `| ${label} | ${mb(peak).toFixed(0)} MB | ${(peak / baseline.peak).toFixed(2)} | ${target} |`,
    );
  console.log(
    `\n## Worker memory (${accounts} accounts, ${pending} pending posts, ${MEASURE_MS / 1000} s each, sweeps every 5 s)\n`,
  );
  console.log('| worker | peak RSS | ratio to baseline | target |');
  console.log('|---|---|---|---|');
  row('empty database (baseline)', baseline.peak, '');
  row(
    `loaded, Node defaults (${publishedDefault} posts published while measured)`,
    loaded.peak,
    `< ${TARGET_MB} MB ${result.met ? '✓' : '✗'}`,
  );
  row(
    `loaded, NODE_OPTIONS=--max-old-space-size=${HEAP_CAP_MB} (${publishedCapped} published)`,
    capped.peak,
    `< ${TARGET_MB} MB ${result.metCapped ? '✓' : '✗'}`,
  );
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results', 'memory.json'), JSON.stringify(result, null, 2));
  await db.close();
} finally {
  emu.stop();
  cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
