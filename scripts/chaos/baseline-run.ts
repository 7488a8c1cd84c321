/**
 * @module The same storm against the approach most Node X bots use today (`baseline-process.ts`:
 * `twitter-api-v2` + its token-refresher plugin, tokens stored in PostgreSQL after each refresh,
 * one client per account per process), on a fresh emulator and database, under the same plan.
 * Accounts are connected with the library's own OAuth 2.0 flow. At the end, each account's stored
 * refresh token is tried once: an account is alive when X still accepts it.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TwitterApi } from 'twitter-api-v2';
import { consentAs, root, startEmulatorProcess } from '../../bench/support.ts';
import { findSecrets } from '../secret-scan.ts';
import { DEMO_CLIENT } from '../../src/emulator/settings.ts';
import type { BaselineProcessArgs } from './baseline-process.ts';
import { advanceClock, emulatorState, FaultLedger, stormSettings } from './emulator.ts';
import { execute } from './executor.ts';
import { ProcessGroup } from './processes.ts';
import { CallStats, commonFigures, createDatabase, type RunOptions, type RunResult } from './run.ts';
import { EmulatorAgent } from './x-agent.ts';

const SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'offline.access'];

export async function runBaseline(o: RunOptions): Promise<RunResult> {
  let emulatorOutput = '';
  const url = await createDatabase(o.cluster, 'chaos_baseline');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  await pool.query(
    'CREATE TABLE baseline_tokens (username text PRIMARY KEY, access text NOT NULL, refresh text NOT NULL)',
  );
  const emu = await startEmulatorProcess(o.accounts, stormSettings(o.accessTokenTtl), (t) => {
    emulatorOutput += t;
  });
  const port = Number(new URL(emu.url).port);
  const httpAgent = new EmulatorAgent(port);
  const app = new TwitterApi(
    { clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret },
    { httpAgent },
  );
  const usernames = Array.from({ length: o.accounts }, (_, i) => `b${i}`);
  const stats = new CallStats();
  const args: BaselineProcessArgs = {
    databaseUrl: url,
    emulatorPort: port,
    usernames,
    callers: o.callers,
    pauseMs: o.pauseMs,
    httpTimeoutMs: 3000,
  };
  const group = new ProcessGroup({
    command: () => ({
      file: process.execPath,
      args: [join(root, 'scripts', 'chaos', 'baseline-process.ts'), JSON.stringify(args)],
    }),
    onLine: (p, line) => void stats.take(p.pid, line),
  });
  try {
    for (const username of usernames) {
      const link = app.generateOAuth2AuthLink(DEMO_CLIENT.redirectUris[0], { scope: SCOPES });
      const at = new URL(link.url);
      const back = new URL(
        await consentAs(emu.url, new URL(at.pathname + at.search, emu.url).toString(), username),
      );
      const login = await app.loginWithOAuth2({
        code: back.searchParams.get('code') ?? '',
        codeVerifier: link.codeVerifier,
        redirectUri: DEMO_CLIENT.redirectUris[0],
      });
      await pool.query('INSERT INTO baseline_tokens VALUES ($1, $2, $3)', [
        username,
        login.accessToken,
        login.refreshToken ?? '',
      ]);
    }
    o.log(`baseline: ${usernames.length} accounts connected`);
    group.fill(o.workers);
    await sleep(3000);
    const faults = new FaultLedger(emu.url);
    const counts = await execute(o.plan, o.durationMs, {
      group,
      faults,
      cluster: o.cluster,
      expireTokens: () => advanceClock(emu.url, o.accessTokenTtl),
      log: (line) => o.log(`baseline: ${line}`),
    });
    const hits = await faults.settle();
    await group.stop();
    const state = await emulatorState(emu.url);
    const lost: RunResult['lost'] = [];
    const rows = (
      await pool.query<{ username: string; refresh: string }>('SELECT username, refresh FROM baseline_tokens')
    ).rows;
    for (const row of rows) {
      const grant = state.grants.filter((g) => g.username === row.username).at(-1);
      try {
        await app.refreshOAuth2Token(row.refresh);
      } catch {
        lost.push({
          username: row.username,
          reason:
            grant?.status !== 'active'
              ? `grant ended at X (${grant?.endReason ?? grant?.status ?? 'unknown'})`
              : 'stored refresh token already spent',
        });
      }
    }
    return {
      name: 'twitter-api-v2 + token refresher',
      processes: o.workers,
      callersPerProcess: o.callers,
      accounts: usernames.length,
      refreshes: state.tokenRequests.refresh_token,
      reuseDetected: state.reuseDetected,
      familiesRevoked: state.familiesRevoked,
      lost,
      ...commonFigures(counts, hits, stats.total(), group.unexpectedExits),
      secrets: findSecrets(group.output() + emulatorOutput).length,
    };
  } finally {
    await group.stop(1000);
    httpAgent.destroy();
    emu.stop();
    await pool.end();
  }
}
