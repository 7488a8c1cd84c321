/**
 * @module The storm against Rotor: the emulator in strict family-revocation mode, one PostgreSQL,
 * `workers` Rotor processes (`rotor-process.ts`) refreshing on many accounts past expiry and
 * publishing scheduled posts, under the plan's kills, faults and database outages. Then a settle
 * time for the posts, a forced refresh of every account (do its tokens still work at X?), the
 * figures, and the invariants.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchConnector, root, startEmulatorProcess } from '../../bench/support.ts';
import { pgTool } from '../pg-cluster.ts';
import { findSecrets } from '../secret-scan.ts';
import type { Clock } from '../../src/core/clock.ts';
import { isRotorError } from '../../src/core/errors.ts';
import { xApiBase } from '../../src/oauth/x.ts';
import { Engine } from '../../src/scheduler/engine.ts';
import { Publisher } from '../../src/scheduler/publisher.ts';
import { PostingService } from '../../src/scheduler/service.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { migrate } from '../../src/store/migrate.ts';
import { listPosts } from '../../src/store/posts.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { XClient } from '../../src/x/client.ts';
import { advanceClock, emulatorState, FaultLedger, stormSettings } from './emulator.ts';
import { execute } from './executor.ts';
import { brokenInvariants, postFigures, type AccountEnd } from './invariants.ts';
import { stormTimes } from './plan.ts';
import { between, seeded } from './random.ts';
import { threadFigures, threadStops } from './thread-invariants.ts';
import { ProcessGroup } from './processes.ts';
import { stormClock } from './storm-clock.ts';
import type { RotorProcessArgs } from './rotor-process.ts';
import { CallStats, commonFigures, createDatabase, type RunOptions, type RunResult } from './run.ts';

/** The vault's timings in the chaos processes: the defaults (30 s, 15 s, 15 s) scaled down. */
const TIMINGS = { leaseTtlMs: 6000, httpTimeoutMs: 3000, doubtGraceMs: 3000 };
const STALE_SECONDS = 3;
// `cancelled`: a thread's later part, after an earlier part failed for good (nobody else cancels).
const SETTLED = new Set(['published', 'blocked', 'failed', 'cancelled']);
/** Of the run's posts, about one in four is a thread of 2 to 5 parts (property 40). */
const THREAD_SHARE = 0.25;
const THREAD_PARTS = { min: 2, max: 5 };

export async function runRotor(o: RunOptions): Promise<RunResult> {
  let emulatorOutput = '';
  const url = await createDatabase(o.cluster, 'chaos_rotor');
  const db = openPostgres(url);
  await migrate(db);
  const emu = await startEmulatorProcess(o.accounts, stormSettings(o.accessTokenTtl), (t) => {
    emulatorOutput += t;
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'rotor-chaos-'));
  const backupFile = join(dataDir, 'token-sets.dump');
  const stats = new CallStats();
  const inFlight = new Map<number, Set<string>>();
  const cutByKill = new Set<string>();
  const answerLost = new Set<string>();
  /** Rows a process brought forward from the newest pairs at its start (after a restore). */
  let forwarded = 0;
  const { key, keyRing, provider, connectAs } = benchConnector(db, emu.url);
  const ids: string[] = [];
  let start = 0;
  const processArgs = (slot: number): RotorProcessArgs => ({
    databaseUrl: url,
    emulatorUrl: emu.url,
    journalDir: join(dataDir, `slot-${slot}`, 'journal'),
    // One folder of newest pairs for every process of the installation (docs/backups-and-moves.md).
    newestDir: join(dataDir, 'newest'),
    accounts: ids,
    callers: o.callers,
    pauseMs: o.pauseMs,
    staleSeconds: STALE_SECONDS,
    storms: stormTimes(o.plan, start),
    jumpMs: o.accessTokenTtl * 1000,
    ...TIMINGS,
  });
  const group = new ProcessGroup({
    command: (slot) => ({
      file: process.execPath,
      args: [join(root, 'scripts', 'chaos', 'rotor-process.ts'), JSON.stringify(processArgs(slot))],
      env: { ...process.env, ROTOR_KEYS: key },
    }),
    onLine: (p, line) => {
      if (stats.take(p.pid, line)) return;
      if (line.startsWith('forward ')) return void (forwarded += 1);
      const step = /^step (request_sent|stored|unheard) (\S+)$/.exec(line);
      if (!step) return;
      if (step[1] === 'unheard') return void answerLost.add(step[2] ?? '');
      const set = inFlight.get(p.pid) ?? new Set<string>();
      inFlight.set(p.pid, set);
      if (step[1] === 'request_sent') set.add(step[2] ?? '');
      else set.delete(step[2] ?? '');
    },
    // A process that did not stop within the grace is SIGKILLed: its refreshes in flight are cut
    // off exactly as by a kill -9 (an operator's restore, the end of the run).
    onForcedKill: (p) => {
      const cut = [...(inFlight.get(p.pid) ?? [])];
      for (const id of cut) cutByKill.add(id);
      o.log(
        `rotor: ${p.pid} (slot ${p.slot}) did not stop within the grace: SIGKILL, ${cut.length} refresh(es) in flight`,
      );
    },
  });
  try {
    for (let i = 0; i < o.accounts; i += 1) ids.push(await connectAs(`b${i}`));
    o.log(`rotor: ${ids.length} accounts connected`);
    start = Date.now() + 3000;
    const texts = await schedulePosts(o, db, emu.url, provider, keyRing, ids, start);
    group.fill(o.workers);
    await sleep(Math.max(0, start - Date.now()));
    const faults = new FaultLedger(emu.url);
    const counts = await execute(o.plan, o.durationMs, {
      group,
      faults,
      cluster: o.cluster,
      expireTokens: () => advanceClock(emu.url, o.accessTokenTtl),
      // The operator's restore: a pg_dump of the token sets, later Rotor stopped, pg_restore, started.
      backup: () => {
        execFileSync(pgTool('pg_dump'), ['-Fc', '-t', 'token_sets', '-f', backupFile, '-d', url], {
          stdio: 'pipe',
        });
      },
      restoreBackup: () =>
        group.restartAround(o.workers, () => {
          execFileSync(pgTool('pg_restore'), ['--clean', '--if-exists', '-d', url, backupFile], {
            stdio: 'pipe',
          });
        }),
      startAt: start,
      onKill: (victim) => {
        for (const id of inFlight.get(victim.pid) ?? []) cutByKill.add(id);
      },
      log: (line) => o.log(`rotor: ${line}`),
    });
    const hits = await faults.settle();
    group.fill(o.workers);
    o.log('rotor: chaos over; settling');
    const settleUntil = Date.now() + o.settleMs;
    while (Date.now() < settleUntil) {
      const rows = await listPosts(db, { limit: 100_000, allParts: true }).catch(() => []);
      const needUser = new Set(
        (await listAccounts(db).catch(() => [])).filter((a) => a.status !== 'active').map((a) => a.id),
      );
      // Rescheduled to X's reset after a 429, or sent while its account was lost: waiting.
      const waiting = (r: (typeof rows)[number]) =>
        (r.status === 'scheduled' && r.dueAt !== null && r.dueAt > Date.now() + 5000) ||
        (r.status === 'unknown' && needUser.has(r.accountId));
      // A thread's later part waits on the part its thread stopped at: settled when that one is.
      const stops = threadStops(rows);
      const done = (r: (typeof rows)[number]) => SETTLED.has(r.status) || waiting(r);
      const partDone = (r: (typeof rows)[number]) => {
        const stop = r.status === 'waiting' && r.threadId ? stops.get(r.threadId) : undefined;
        return stop !== undefined && stop.status !== 'waiting' && done(stop);
      };
      if (rows.length === texts.length && rows.every((r) => done(r) || partDone(r))) break;
      await sleep(500);
    }
    await group.stop();
    // Counted once the processes started after the restore have reconciled (they print it then).
    if (counts.restores > 0)
      o.log(`rotor: ${forwarded} row(s) brought forward from the newest pairs after the restore`);
    const state = await emulatorState(emu.url);
    const clock = stormClock(stormTimes(o.plan, start), o.accessTokenTtl * 1000);
    const alive = await endCheck(db, provider, keyRing, ids, answerLost, clock);
    const accounts: AccountEnd[] = (await listAccounts(db))
      .filter((a) => ids.includes(a.id))
      .map((a) => ({
        id: a.id,
        username: a.username,
        status: a.status === 'active' ? 'active' : 'reauth_required',
        reason: a.reason ?? null,
        alive: alive.get(a.id) ?? false,
      }));
    const rows = await listPosts(db, { limit: 100_000, allParts: true });
    const lostIds = new Set(accounts.filter((a) => a.status !== 'active').map((a) => a.id));
    const posts = postFigures(rows, state.posts, lostIds, Date.now());
    const threads = threadFigures(rows, state.posts);
    const onX = new Set(state.posts.map((p) => p.text));
    for (const g of state.grants.filter((g) => g.status !== 'active'))
      o.log(`rotor: grant of @${g.username ?? '?'} ended at X: ${g.endReason ?? g.status}`);
    for (const r of rows.filter((r) => !onX.has(r.text) && r.status === 'blocked'))
      o.log(`rotor: blocked: ${r.reason ?? ''}`);
    const waitsForUser = (r: (typeof rows)[number]) =>
      (r.status === 'blocked' || r.status === 'unknown' || r.status === 'waiting') &&
      lostIds.has(r.accountId);
    for (const r of rows.filter((r) => !onX.has(r.text) && !waitsForUser(r))) {
      // Its publish jobs, to tell a job pg-boss still holds for a killed worker from one never sent.
      const jobs = await db
        .query<{ state: string; retries: number }>(
          `SELECT state, retry_count AS retries FROM pgboss.job WHERE singleton_key LIKE $1 || ':%'`,
          [r.id],
        )
        .then((q) => q.rows.map((j) => `${j.state}/${j.retries}`).join(' '))
        .catch(() => '?');
      o.log(
        `rotor: not on X: ${r.status}${r.threadId ? ` (thread part ${(r.threadPart ?? 0) + 1})` : ''}${lostIds.has(r.accountId) ? ' (account lost)' : ''}, due ${((Date.now() - (r.dueAt ?? 0)) / 1000).toFixed(0)} s before, ${r.attempts} attempt(s), ${r.lookups} lookup(s), jobs [${jobs}] ${r.reason ?? ''}`,
      );
    }
    let pgLog = '';
    try {
      pgLog = readFileSync(join(o.cluster.dir, 'log'), 'utf8');
    } catch {
      // no log file
    }
    const secrets = findSecrets(group.output() + emulatorOutput + pgLog).length;
    const broken = brokenInvariants({
      accounts,
      reusedAtX: new Set(state.grants.filter((g) => g.endReason === 'reuse').map((g) => g.username ?? '')),
      cutByKill,
      answerLost,
      posts,
      threads,
      secrets,
    });
    return {
      name: 'Rotor',
      processes: o.workers,
      callersPerProcess: o.callers,
      accounts: ids.length,
      refreshes: state.tokenRequests.refresh_token,
      reuseDetected: state.reuseDetected,
      familiesRevoked: state.familiesRevoked,
      lost: accounts
        .filter((a) => !a.alive)
        .map((a) => ({
          username: a.username,
          reason:
            a.status === 'active'
              ? 'dead at X, shown active'
              : `${a.reason ?? 'unknown'}${a.reason === 'lost_response' ? (cutByKill.has(a.id) ? ' (kill -9 mid-refresh)' : ' (answer never arrived)') : ''}`,
        })),
      posts,
      threads,
      ...commonFigures(counts, hits, stats.total(), group.unexpectedExits),
      secrets,
      broken,
    };
  } finally {
    await group.stop(1000);
    emu.stop();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Schedules the run's posts, due over the chaos, through the posting service as `rotor schedule`
 * does; about one in four (drawn from the seed) is a thread of 2 to 5 parts
 * (`rotor schedule --thread`). Returns every post's and every part's text.
 */
async function schedulePosts(
  o: RunOptions,
  db: ReturnType<typeof openPostgres>,
  emulatorUrl: string,
  provider: ReturnType<typeof benchConnector>['provider'],
  keyRing: ReturnType<typeof benchConnector>['keyRing'],
  ids: string[],
  start: number,
): Promise<string[]> {
  const vault = new TokenVault({ db, provider, keyRing });
  const x = new XClient({ apiBase: xApiBase(emulatorUrl) });
  const publisher = new Publisher({ db, vault, x });
  // Jobs carry the expiry of the process that sends them: the workers' (scaled down), not 120 s.
  const engine = new Engine({
    db,
    vault,
    x,
    publisher,
    client: true,
    jobExpireSeconds: STALE_SECONDS + 1,
  });
  await engine.start({ work: false });
  const service = new PostingService({ db, engine, publisher });
  const total = ids.length * o.postsPerAccount;
  const window = Math.max(1000, o.durationMs - 5000);
  const texts: string[] = [];
  const random = seeded(o.seed ^ 0x7417ead);
  for (let i = 0; i < total; i += 1) {
    const accountId = ids[i % ids.length] ?? '';
    const at = start + 2000 + Math.floor((i * window) / total);
    const text = `chaos ${o.seed} post ${i} at ${start}`;
    if (random() < THREAD_SHARE) {
      const n = between(random, THREAD_PARTS.min, THREAD_PARTS.max);
      const parts = Array.from({ length: n }, (_, k) => `${text} part ${k + 1} of ${n}`);
      texts.push(...parts);
      await service.createThread(
        accountId,
        parts.map((t) => ({ text: t, media: [] })),
        { mode: 'schedule', at },
      );
    } else {
      texts.push(text);
      await service.schedulePost(accountId, text, at);
    }
  }
  await engine.stop();
  await vault.close();
  return texts;
}

/**
 * After the run, with every process stopped: a refresh forced on each account through a fresh
 * vault. An account is alive when X accepts its stored refresh token. A lease left in doubt by a
 * killed process is taken over here as anywhere (after its expiry and the doubt grace).
 */
async function endCheck(
  db: ReturnType<typeof openPostgres>,
  provider: ReturnType<typeof benchConnector>['provider'],
  keyRing: ReturnType<typeof benchConnector>['keyRing'],
  ids: string[],
  answerLost: Set<string>,
  clock: Clock,
): Promise<Map<string, boolean>> {
  const vault = new TokenVault({
    db,
    provider,
    keyRing,
    clock,
    refreshMarginMs: 24 * 3_600_000,
    ...TIMINGS,
  });
  vault.events.on('refresh_failed', (e) => {
    if (e.outcomeUnknown) answerLost.add(e.accountId);
  });
  const alive = new Map<string, boolean>();
  await Promise.all(
    ids.map(async (id) => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        try {
          await vault.getAccessToken(id);
          alive.set(id, true);
          return;
        } catch (e) {
          if (isRotorError(e) && !e.transient) break;
          await sleep(1000);
        }
      }
      alive.set(id, false);
    }),
  );
  await vault.close();
  return alive;
}
