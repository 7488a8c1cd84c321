/**
 * Token vault benchmark (`npm run bench`): each figure beside a baseline of the bare work measured
 * in the same run, on this machine, with PostgreSQL and the emulator (its own process) on loopback.
 *
 * - cached retrieval: `getAccessToken` from the in-process cache vs. an async Map lookup
 * - store read: `getAccessToken` with an empty cache vs. one SELECT of the row
 * - refresh: a forced refresh through the vault (lease, request, compare-and-swap) vs. a bare
 *   oauth4webapi refresh plus one UPDATE
 * - contention: 64 concurrent callers on one expiring account → how many refreshes X saw
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oauth from 'oauth4webapi';
import { clientAuthentication } from '../src/oauth/client-auth.ts';
import pg from 'pg';
import { startCluster } from '../scripts/pg-cluster.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { TokenVault } from '../src/vault/vault.ts';
import { benchConnector, consentAs, fmt, perCall, root, startEmulatorProcess } from './support.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);

const cluster = await startCluster();
const emu = await startEmulatorProcess(ACCOUNTS * 2 + 2);
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
  // Baseline accounts: plain oauth4webapi tokens kept in memory, rows updated by one UPDATE.
  const baseTokens: { id: string; refresh: string }[] = [];
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
    baseTokens.push({ id: ids[i - ACCOUNTS] ?? '', refresh: t.refresh_token ?? '' });
  }

  const vault = new TokenVault({
    db,
    provider,
    keyRing,
    journalDir: join(mkdtempSync(join(tmpdir(), 'rotor-j-')), 'j'),
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
  let refreshBase = 0;
  let refresh = 0;
  const ROUNDS = 4;
  const current = new Map<string, string>();
  for (const id of ids) current.set(id, (await vault.getAccessToken(id)).accessToken);
  for (let round = 0; round < ROUNDS; round += 1) {
    refreshBase += await perCall(ACCOUNTS, async (i) => {
      const b = baseTokens[i];
      if (!b) return;
      const response = await oauth.refreshTokenGrantRequest(provider.server, client, auth, b.refresh, {
        [oauth.allowInsecureRequests]: true,
      });
      const t = await oauth.processRefreshTokenResponse(provider.server, client, response);
      b.refresh = t.refresh_token ?? b.refresh;
      await db.query('UPDATE token_sets SET updated_at = now(), scope = $2 WHERE account_id = $1', [
        b.id,
        t.scope ?? '',
      ]);
    });
    refresh += await perCall(ACCOUNTS, async (i) => {
      const id = ids[i] ?? '';
      const t = await vault.getAccessToken(id, { rejected: current.get(id) ?? '' });
      current.set(id, t.accessToken);
    });
  }
  refreshBase /= ROUNDS;
  refresh /= ROUNDS;

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
      'refresh (lease + X + CAS)',
      `${(1e9 / refresh).toFixed(0)} refreshes/s`,
      fmt(refresh),
      fmt(refreshBase),
      (refresh / refreshBase).toFixed(2),
      '≤ 1.3× baseline',
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
    'Baselines: cached → an async Map lookup; store → one SELECT of the row; refresh → a bare oauth4webapi refresh + one UPDATE.\n',
  );
  console.log(table);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results', 'vault.json'),
    JSON.stringify(
      { cached, cachedBase, read, readBase, refresh, refreshBase, contentionRefreshes, contentionNs },
      null,
      2,
    ),
  );
  await db.close();
} finally {
  emu.stop();
  cluster.destroy();
}
