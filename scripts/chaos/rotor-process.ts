/**
 * @module One Rotor process of a chaos run: a posting worker built exactly as `rotor worker`
 * builds it (`src/cli/posting.ts`: TokenVault, XClient, Publisher, Engine running the publish
 * workers and the sweep), with its timings scaled down so a run of a minute sees leases expire,
 * plus `callers` loops that each take a token for a random account and call `GET /2/users/me`
 * with it (a 401 asks the vault once more, naming the rejected token), as an app serving many
 * requests would. The storm and the posts share the one vault, as in `rotor serve`.
 *
 * Prints `step request_sent|stored <accountId>` around each refresh (the harness learns which
 * refreshes a `kill -9` cut off), `step unheard <accountId>` when a refresh got no answer, and `stats {…}` every second. Never a token. Configuration: one
 * JSON argument; the key comes in `ROTOR_KEYS`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runCallerLoops, type CallerLoops } from './caller-loops.ts';
import { isRotorError } from '../../src/core/errors.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';
import { xApiBase, xProvider } from '../../src/oauth/x.ts';
import { Engine } from '../../src/scheduler/engine.ts';
import { Publisher } from '../../src/scheduler/publisher.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { VaultGuard } from '../../src/vault/guard.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { dirname } from 'node:path';
import { XClient } from '../../src/x/client.ts';
import { DEMO_CLIENT } from '../../src/emulator/settings.ts';
import { stormClock } from './storm-clock.ts';

export interface RotorProcessArgs {
  databaseUrl: string;
  emulatorUrl: string;
  journalDir: string;
  /** Where every process keeps the newest pairs (one folder for the installation). */
  newestDir: string;
  accounts: string[];
  callers: number;
  /** Pause between one caller's calls (ms). */
  pauseMs: number;
  leaseTtlMs: number;
  httpTimeoutMs: number;
  doubtGraceMs: number;
  staleSeconds: number;
  /** Expiry storms (epoch ms) and how far each moves the vault's clock (ms): see storm-clock.ts. */
  storms: number[];
  jumpMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as RotorProcessArgs;
const db = openPostgres(args.databaseUrl, { max: 8 });
const keyRing = KeyRing.parse(process.env.ROTOR_KEYS);
// Started during a database outage, the guard waits for the database, as the engine does below.
let guard: VaultGuard | undefined;
for (let tries = 0; !guard; tries += 1) {
  try {
    guard = await VaultGuard.open({
      db,
      keyRing,
      dataDir: dirname(args.journalDir),
      pairDir: args.newestDir,
    });
  } catch (e) {
    if (tries > 60) throw e;
    await sleep(500);
  }
}
const vault = new TokenVault({
  guard,
  db,
  provider: xProvider({
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
    redirectUri: DEMO_CLIENT.redirectUris[0],
    emulatorUrl: args.emulatorUrl,
  }),
  keyRing,
  journalDir: args.journalDir,
  clock: stormClock(args.storms, args.jumpMs),
  leaseTtlMs: args.leaseTtlMs,
  httpTimeoutMs: args.httpTimeoutMs,
  doubtGraceMs: args.doubtGraceMs,
  onStep: (step, accountId) => {
    if (step === 'request_sent' || step === 'stored') process.stdout.write(`step ${step} ${accountId}\n`);
  },
});
// A refresh that ended without an answer: if X had rotated, that answer is lost for good.
vault.events.on('refresh_failed', (e) => {
  if (e.outcomeUnknown) process.stdout.write(`step unheard ${e.accountId}\n`);
});
guard.observe(vault.events);
// Rows older than the newest kept pairs (a restored backup) are brought forward first.
const reconciled = await guard.reconcile().catch(() => undefined);
for (const b of reconciled?.broughtForward ?? [])
  process.stdout.write(`forward ${b.accountId} ${b.from} ${b.to}\n`);
for (const l of reconciled?.lost ?? []) process.stdout.write(`restored-lost ${l.accountId}\n`);
await vault.recoverJournal().catch(() => 0);
const x = new XClient({ apiBase: xApiBase(args.emulatorUrl) });
const publisher = new Publisher({
  db,
  vault,
  x,
  staleMs: args.staleSeconds * 1000,
  retryBaseMs: 1000,
  // Looks at X are spaced by the sweep: `rotor worker` gives up after 10 looks a minute apart;
  // with the sweep every 2 s here, the same ten minutes of looking is 300 looks.
  maxLookups: 300,
});
const engine = new Engine({
  db,
  vault,
  x,
  publisher,
  jobExpireSeconds: args.staleSeconds + 1,
  sweepIntervalSeconds: 2,
  concurrency: 8,
});
// Started during a database outage, a worker waits for the database, as under a supervisor.
for (let tries = 0; ; tries += 1) {
  try {
    await engine.start({ work: true });
    break;
  } catch (e) {
    if (tries > 60) throw e;
    await sleep(500);
  }
}

const stats = { calls: 0, served: 0, errors: {} as Record<string, number> };
const apiBase = xApiBase(args.emulatorUrl);

async function caller(loops: CallerLoops): Promise<void> {
  while (loops.running) {
    const id = args.accounts[Math.floor(Math.random() * args.accounts.length)] ?? '';
    stats.calls += 1;
    try {
      let token = (await vault.getAccessToken(id)).accessToken;
      let res = await me(token);
      if (res === 401) {
        token = (await vault.getAccessToken(id, { rejected: token })).accessToken;
        res = await me(token);
      }
      if (res === 200) stats.served += 1;
      else stats.errors[`http_${res}`] = (stats.errors[`http_${res}`] ?? 0) + 1;
    } catch (e) {
      const code = isRotorError(e) ? e.code : 'network';
      stats.errors[code] = (stats.errors[code] ?? 0) + 1;
    }
    await sleep(args.pauseMs);
  }
}

async function me(token: string): Promise<number> {
  const res = await fetch(`${apiBase}/2/users/me`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(args.httpTimeoutMs),
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

// SIGTERM closes the vault at once, as `rotor worker` does: no new refresh goes out and no call
// waits for a lease, so the loops and the jobs end soon; refreshes already sent are waited for.
process.once('SIGTERM', () => void vault.close());
runCallerLoops({
  callers: args.callers,
  caller,
  stats,
  close: async () => {
    const draining = vault.close();
    await engine.stop().catch(() => undefined);
    await draining;
    await db.close();
  },
});
