/**
 * @module One process of the baseline: what most Node X bots do today. For each account one
 * `twitter-api-v2` client with `@twitter-api-v2/plugin-token-refresher` (one instance per process),
 * loaded from a PostgreSQL table at start and written back after every refresh (`onTokenUpdate`),
 * as the plugin's documentation shows. `callers` loops each call `GET /2/users/me` for a random
 * account; the plugin refreshes when its token is due (20 s before expiry) or on a 401.
 *
 * The library sends to `https://api.x.com`; its `httpAgent` setting (an {@link EmulatorAgent})
 * carries the same requests to the emulator. Prints `stats {…}` every second, never a token.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runCallerLoops, type CallerLoops } from './caller-loops.ts';
import pg from 'pg';
import { TwitterApi } from 'twitter-api-v2';
import { TwitterApiAutoTokenRefresher } from '@twitter-api-v2/plugin-token-refresher';
import { DEMO_CLIENT } from '../../src/emulator/settings.ts';
import { EmulatorAgent } from './x-agent.ts';

export interface BaselineProcessArgs {
  databaseUrl: string;
  emulatorPort: number;
  usernames: string[];
  callers: number;
  pauseMs: number;
  httpTimeoutMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as BaselineProcessArgs;
const pool = new pg.Pool({ connectionString: args.databaseUrl, max: 4, connectionTimeoutMillis: 5000 });
pool.on('error', () => undefined);
const httpAgent = new EmulatorAgent(args.emulatorPort);
const app = new TwitterApi(
  { clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret },
  { httpAgent },
);
const stats = { calls: 0, served: 0, errors: {} as Record<string, number> };
const count = (code: string) => (stats.errors[code] = (stats.errors[code] ?? 0) + 1);

interface Row {
  username: string;
  access: string;
  refresh: string;
}
/** The stored tokens; started during a database outage, it waits for the database, as under a supervisor. */
async function loadRows(): Promise<Row[]> {
  for (let tries = 0; ; tries += 1) {
    try {
      return (await pool.query<Row>('SELECT username, access, refresh FROM baseline_tokens')).rows;
    } catch (e) {
      if (tries > 60) throw e;
      await sleep(500);
    }
  }
}
const rows = await loadRows();
const clients = new Map<string, TwitterApi>();
for (const row of rows) {
  const refresher = new TwitterApiAutoTokenRefresher({
    refreshToken: row.refresh,
    refreshCredentials: app,
    onTokenUpdate: async (token) => {
      await pool
        .query('UPDATE baseline_tokens SET access = $2, refresh = $3 WHERE username = $1', [
          row.username,
          token.accessToken,
          token.refreshToken ?? '',
        ])
        .catch(() => count('store_failed'));
    },
    onTokenRefreshError: () => count('refresh_failed'),
  });
  clients.set(row.username, new TwitterApi(row.access, { plugins: [refresher], httpAgent }));
}

async function caller(loops: CallerLoops): Promise<void> {
  while (loops.running) {
    const username = args.usernames[Math.floor(Math.random() * args.usernames.length)] ?? '';
    stats.calls += 1;
    try {
      await clients.get(username)?.v2.get('users/me', undefined, { timeout: args.httpTimeoutMs });
      stats.served += 1;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      count(typeof code === 'number' ? `http_${code}` : 'network');
    }
    await sleep(args.pauseMs);
  }
}

runCallerLoops({
  callers: args.callers,
  caller,
  stats,
  graceMs: args.httpTimeoutMs + 500,
  close: async () => {
    await pool.end().catch(() => undefined);
  },
});
