/**
 * Token vault benchmark (`npm run bench`): each figure beside a baseline of the bare work measured
 * in the same run, on this machine, with PostgreSQL and the emulator (its own process) on loopback.
 *
 * - cached retrieval: `getAccessToken` from the in-process cache vs. an async Map lookup
 * - store read: `getAccessToken` with an empty cache vs. one SELECT of the row
 * - refresh: a forced refresh through the vault as Rotor runs it (lease, the installation's check,
 *   the newest pair and the in-doubt mark kept outside the database, request, compare-and-swap)
 *   vs. a bare oauth4webapi refresh plus one UPDATE that keeps the new pair (a plaintext row of
 *   its own); the same without the folder (the vault alone); both again with X answering a token
 *   request in 200 ms
 * - contention: 64 concurrent callers on one expiring account → how many refreshes X saw
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { clientAuthentication } from '../src/oauth/client-auth.ts';
import pg from 'pg';
import { startCluster } from '../scripts/pg-cluster.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { VaultGuard } from '../src/vault/guard.ts';
import { TokenVault } from '../src/vault/vault.ts';
import { benchConnector, consentAs, fmt, perCall, root, startEmulatorProcess } from './support.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);

const cluster = await startCluster();
const emu = await startEmulatorProcess(ACCOUNTS * 3 + 2);
let dataDir: string | undefined;
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const db = openPostgres(cluster.url.replace(/\/postgres$/, '/bench'));
  await migrate(db);
  const { keyRing, provider, connectAs } = benchConnector(db, emu.url);
  const ids: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) ids.push(await connectAs(`b${i}`));
  const idsAlone: string[] = [];
  for (let i = 2 * ACCOUNTS; i < 3 * ACCOUNTS; i += 1) idsAlone.push(await connectAs(`b${i}`));
  // Baseline accounts: plain oauth4webapi tokens, each new pair kept by one UPDATE of a bare row
  // (plaintext, no lease, no version): the least a refresh must store.
  await db.exec(
    `CREATE TABLE bare_tokens (id int PRIMARY KEY, access_token text, refresh_token text,
       expires_at timestamptz, scope text, updated_at timestamptz)`,
  );
  const baseTokens: { id: number; refresh: string }[] = [];
  for (let i = ACCOUNTS; i < 2 * ACCOUNTS; i += 1) {
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(`${emu.url}/i/oauth2/authorize`);
    const state = oauth.generateRandomState();
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'rotor-demo',
      redirect_uri: provider.redirectUri,
      scope: 'tweet.read users.read offline.access',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const back = new URL(await consentAs(emu.url, url.toString(), `b${i}`));
    const client = { client_id: 'rotor-demo' };
    const params = oauth.validateAuthResponse(provider.server, client, back, state);
    const response = await oauth.authorizationCodeGrantRequest(
      provider.server,
      client,
      clientAuthentication('rotor-demo-secret', 'as-is'),
      params,
      provider.redirectUri,
      verifier,
      { [oauth.allowInsecureRequests]: true },
    );
    const t = await oauth.processAuthorizationCodeResponse(provider.server, client, response);
    baseTokens.push({ id: i, refresh: t.refresh_token ?? '' });
    // The row at its full size from the start, as Rotor's rows are after connecting: every timed
    // UPDATE then rewrites a row of the same size.
    await db.query(
      `INSERT INTO bare_tokens VALUES ($1, $2, $3, now() + $4 * interval '1 second', $5, now())`,
      [i, t.access_token, t.refresh_token, t.expires_in ?? 7200, t.scope ?? ''],
    );
  }

  // Where a refresh's time goes: each step's end, stamped by the vault's own step hook.
  // As `rotor worker` builds it (src/cli/runtime.ts): with the installation's guard, whose folder
  // (the newest pairs, the in-doubt marks) is on the same disk as the data folder.
  const stamps = new Map<string, bigint>();
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  dataDir = mkdtempSync(join(root, 'bench-results', 'data-'));
  const guard = await VaultGuard.open({ db, keyRing, dataDir });
  const vault = new TokenVault({
    db,
    provider,
    keyRing,
    guard,
    journalDir: join(dataDir, 'journal'),
    onStep: (step) => void stamps.set(step, process.hrtime.bigint()),
  });
  const first = ids[0] ?? '';
  await vault.getAccessToken(first);
  const map = new Map([[first, { accessToken: 'x', expiresAt: Date.now() + 3600_000 }]]);

  const N_CACHED = 2_000_000;
  const cachedBase = await perCall(N_CACHED, () => Promise.resolve(map.get(first)));
  const cached = await perCall(N_CACHED, () => vault.getAccessToken(first));

  const N_READ = 2_000;
  const readBase = await perCall(N_READ, (i) =>
    db.query('SELECT access_ct, refresh_ct, version FROM token_sets WHERE account_id = $1', [
      ids[i % ACCOUNTS],
    ]),
  );
  const read = await perCall(N_READ, (i) => {
    vault.forget();
    return vault.getAccessToken(ids[i % ACCOUNTS] ?? '');
  });

  // Refresh: alternate rounds so that drift on the machine hits both alike.
  const client = { client_id: 'rotor-demo' };
  const auth = clientAuthentication('rotor-demo-secret', 'as-is');
  /** ns summed over every refresh: Rotor's steps, and the baseline's two parts. */
  const steps = { lease: 0, send: 0, x: 0, store: 0, baseX: 0, baseUpdate: 0 };
  const since = (a: bigint | undefined, b: bigint | undefined) =>
    a === undefined || b === undefined ? 0 : Number(b - a);
  const alone = new TokenVault({ db, provider, keyRing, journalDir: join(dataDir, 'journal-alone') });
  const current = new Map<string, string>();
  for (const id of ids) current.set(id, (await vault.getAccessToken(id)).accessToken);
  for (const id of idsAlone) current.set(id, (await alone.getAccessToken(id)).accessToken);
  const bareRefresh = async (i: number, timed: boolean) => {
    const b = baseTokens[i];
    if (!b) return;
    const t0 = process.hrtime.bigint();
    const response = await oauth.refreshTokenGrantRequest(provider.server, client, auth, b.refresh, {
      [oauth.allowInsecureRequests]: true,
    });
    const t = await oauth.processRefreshTokenResponse(provider.server, client, response);
    const t1 = process.hrtime.bigint();
    b.refresh = t.refresh_token ?? b.refresh;
    await db.query(
      `UPDATE bare_tokens SET access_token = $2, refresh_token = $3,
         expires_at = now() + $4 * interval '1 second', scope = $5, updated_at = now() WHERE id = $1`,
      [b.id, t.access_token, b.refresh, t.expires_in ?? 7200, t.scope ?? ''],
    );
    if (!timed) return;
    steps.baseX += Number(t1 - t0);
    steps.baseUpdate += Number(process.hrtime.bigint() - t1);
  };
  const rotorRefresh = async (v: TokenVault, id: string, timed: boolean) => {
    stamps.clear();
    const t0 = process.hrtime.bigint();
    const t = await v.getAccessToken(id, { rejected: current.get(id) ?? '' });
    current.set(id, t.accessToken);
    if (!timed) return;
    steps.lease += since(t0, stamps.get('lease_taken'));
    steps.send += since(stamps.get('lease_taken'), stamps.get('request_sent'));
    steps.x += since(stamps.get('request_sent'), stamps.get('response_received'));
    steps.store += since(stamps.get('response_received'), stamps.get('stored'));
  };
  // One untimed refresh of every account first: the folders made, the connections warm.
  for (let i = 0; i < ACCOUNTS; i += 1) {
    await bareRefresh(i, false);
    await rotorRefresh(vault, ids[i] ?? '', false);
    await rotorRefresh(alone, idsAlone[i] ?? '', false);
  }
  let refreshBase = 0;
  let refresh = 0;
  let refreshAlone = 0;
  const ROUNDS = 6;
  const parts: (() => Promise<void>)[] = [
    async () => void (refreshBase += await perCall(ACCOUNTS, (i) => bareRefresh(i, true))),
    async () => void (refresh += await perCall(ACCOUNTS, (i) => rotorRefresh(vault, ids[i] ?? '', true))),
    async () =>
      void (refreshAlone += await perCall(ACCOUNTS, (i) => rotorRefresh(alone, idsAlone[i] ?? '', false))),
  ];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Each in every place of the order, twice: whatever one leaves behind (the guard's clean-up
    // on the disk) falls on each of the others alike.
    for (let k = 0; k < parts.length; k += 1) await parts[(round + k) % parts.length]?.();
  }
  refreshBase /= ROUNDS;
  refresh /= ROUNDS;
  refreshAlone /= ROUNDS;
  const refreshSteps = Object.fromEntries(
    Object.entries(steps).map(([k, v]) => [k, v / (ROUNDS * ACCOUNTS)]),
  ) as typeof steps;

  // The same two with X answering every token request in 200 ms (the middle of the 09:00
  // scenario's 100–300 ms), fixed so that the ratio is not jitter.
  const X_MS = 200;
  const LATE = 60;
  const added = await fetch(`${emu.url}/_emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'token', kind: 'latency', latencyMs: X_MS, times: null }),
  });
  if (!added.ok) throw new Error(`the emulator refused the latency fault: ${added.status}`);
  const fault = (await added.json()) as { id: string };
  let lateBase = 0;
  let late = 0;
  const timed = async (f: () => Promise<void>) => {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0);
  };
  for (let i = 0; i < LATE; i += 1) {
    // One of each per account, the first of the pair alternating.
    const base = () => bareRefresh(i, false);
    const rotor = () => rotorRefresh(vault, ids[i] ?? '', false);
    if (i % 2 === 0) {
      lateBase += await timed(base);
      late += await timed(rotor);
    } else {
      late += await timed(rotor);
      lateBase += await timed(base);
    }
  }
  lateBase /= LATE;
  late /= LATE;
  await fetch(`${emu.url}/_emulator/faults/${fault.id}`, { method: 'DELETE' });

  // Contention: 64 callers on one account whose token is due.
  const target = ids[1] ?? '';
  const stateBefore = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as {
    tokenRequests: { refresh_token: number };
  };
  const fresh = new TokenVault({ db, provider, keyRing, refreshMarginMs: 3 * 3600_000 });
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 64 }, () => fresh.getAccessToken(target)));
  const contentionNs = Number(process.hrtime.bigint() - t0);
  const stateAfter = (await (await fetch(`${emu.url}/_emulator/state`)).json()) as {
    tokenRequests: { refresh_token: number };
  };
  const contentionRefreshes =
    stateAfter.tokenRequests.refresh_token - stateBefore.tokenRequests.refresh_token;

  const rows = [
    [
      'token retrieval, cached',
      `${(1e9 / cached / 1e6).toFixed(2)} M calls/s`,
      fmt(cached),
      fmt(cachedBase),
      (cached / cachedBase).toFixed(2),
      '≥ 1 M calls/s',
    ],
    [
      'token retrieval, from the store',
      `${(1e9 / read).toFixed(0)} calls/s`,
      fmt(read),
      fmt(readBase),
      (read / readBase).toFixed(2),
      '',
    ],
    [
      'refresh, as run (lease + guard + X + CAS)',
      `${(1e9 / refresh).toFixed(0)} refreshes/s`,
      fmt(refresh),
      fmt(refreshBase),
      (refresh / refreshBase).toFixed(2),
      '≤ 1.3× baseline',
    ],
    [
      'refresh, the vault alone (no guard folder)',
      `${(1e9 / refreshAlone).toFixed(0)} refreshes/s`,
      fmt(refreshAlone),
      fmt(refreshBase),
      (refreshAlone / refreshBase).toFixed(2),
      '',
    ],
    [
      `refresh, as run, X answering in ${X_MS} ms`,
      `${(1e9 / late).toFixed(1)} refreshes/s`,
      fmt(late),
      fmt(lateBase),
      `${(late / lateBase).toFixed(2)} (+${((late - lateBase) / 1e6).toFixed(1)} ms)`,
      '',
    ],
    [
      '64 callers, one due account',
      `${contentionRefreshes} refresh(es)`,
      fmt(contentionNs),
      '—',
      '—',
      '1 refresh',
    ],
  ];
  const table = [
    '| measure | rate | Rotor per call | baseline per call | ratio | target |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  console.log(`\n## Token vault (PostgreSQL ${cluster.port}, emulator process, ${ACCOUNTS} accounts)\n`);
  console.log(
    'Baselines: cached → an async Map lookup; store → one SELECT of the row; refresh → a bare oauth4webapi refresh + one UPDATE keeping the new pair. The vault runs as `rotor worker` builds it, with the guard whose folder keeps the newest pair and the in-doubt mark (each a file of its own: fsync, rename, fsync the folder).\n',
  );
  console.log(table);
  const ms = (ns: number) => (ns / 1e6).toFixed(2);
  console.log(
    `\nA refresh as run, step by step (ms): Rotor lease ${ms(refreshSteps.lease)}, checks before sending (the installation, the in-doubt mark kept) ${ms(refreshSteps.send)}, X ${ms(refreshSteps.x)}, store (the newest pair kept, then the UPDATE) ${ms(refreshSteps.store)}; baseline X ${ms(refreshSteps.baseX)}, UPDATE ${ms(refreshSteps.baseUpdate)}.`,
  );
  writeFileSync(
    join(root, 'bench-results', 'vault.json'),
    JSON.stringify(
      {
        cached,
        cachedBase,
        read,
        readBase,
        refresh,
        refreshBase,
        refreshAlone,
        refreshSteps,
        late,
        lateBase,
        lateXMs: X_MS,
        contentionRefreshes,
        contentionNs,
      },
      null,
      2,
    ),
  );
  await Promise.all([vault.close(), alone.close(), fresh.close()]);
  await db.close();
} finally {
  // The data folder holds sealed tokens: never left behind, whatever happened.
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  emu.stop();
  cluster.destroy();
}
