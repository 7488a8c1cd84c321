/**
 * @module `rotor emulator`: runs the X emulator in the foreground. Flags override a JSON
 * settings file (`--config`); the line containing `http://127.0.0.1:N` is printed once the
 * server accepts connections.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { RunningEmulator } from '../emulator/server.ts';
import { DEMO_CLIENT, EmulatorSettingsError, type EmulatorSettingsInput } from '../emulator/settings.ts';
import { parseLatencyFlag, type LatencySpec } from '../emulator/latency.ts';
import { collect, wholeNumber } from './options.ts';

interface EmulatorFlags {
  port?: number;
  host?: string;
  config?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string[];
  accessTokenTtl?: number;
  codeTtl?: number;
  refreshTokenTtl?: number;
  refreshTokenExpiry?: 'absolute' | 'sliding';
  reuse?: 'family' | 'token' | 'grace';
  reuseGrace?: number;
  revokeAccessOnRefresh?: boolean;
  lenientBasicAuth?: boolean;
  autoApprove?: string;
  postsPer15m?: number;
  userPostsPer24h?: number;
  appPostsPer24h?: number;
  postLatency?: LatencySpec;
  tokenLatency?: LatencySpec;
}

/** Commander parser of `--post-latency` / `--token-latency`. */
function latencyFlag(value: string): LatencySpec {
  const spec = parseLatencyFlag(value);
  if (!spec) throw new InvalidArgumentError('give milliseconds as FIXED or FIXED+JITTER, e.g. 150+250');
  return spec;
}

/** Builds settings from the file (if any) and the flags, flags winning. */
export function settingsFromFlags(flags: EmulatorFlags): EmulatorSettingsInput {
  let base: Record<string, unknown> = {};
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch (e) {
      throw new EmulatorSettingsError(
        `cannot read --config ${flags.config}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    try {
      base = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new EmulatorSettingsError(`--config ${flags.config} is not valid JSON`);
    }
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      throw new EmulatorSettingsError(`--config ${flags.config} must hold a JSON object`);
    }
  }
  const s: Record<string, unknown> = { ...base };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) s[key] = value;
  };
  set('port', flags.port);
  set('host', flags.host);
  set('accessTokenTtl', flags.accessTokenTtl);
  set('codeTtl', flags.codeTtl);
  set('refreshTokenTtl', flags.refreshTokenTtl);
  set('refreshTokenExpiry', flags.refreshTokenExpiry);
  set('reuse', flags.reuse);
  set('reuseGraceSeconds', flags.reuseGrace);
  set('revokeAccessTokenOnRefresh', flags.revokeAccessOnRefresh);
  set('lenientBasicAuth', flags.lenientBasicAuth);
  set('autoApprove', flags.autoApprove);
  const limits = { ...((base.rateLimits as Record<string, unknown> | undefined) ?? {}) };
  if (flags.postsPer15m !== undefined) limits.postTweets15m = flags.postsPer15m;
  if (flags.userPostsPer24h !== undefined) limits.userPosts24h = flags.userPostsPer24h;
  if (flags.appPostsPer24h !== undefined) limits.appPosts24h = flags.appPostsPer24h;
  if (Object.keys(limits).length > 0) s.rateLimits = limits;
  const latency = { ...((base.latency as Record<string, unknown> | undefined) ?? {}) };
  if (flags.postLatency !== undefined) latency.post = flags.postLatency;
  if (flags.tokenLatency !== undefined) latency.token = flags.tokenLatency;
  if (Object.keys(latency).length > 0) s.latency = latency;
  if (flags.clientId !== undefined) {
    if (!flags.redirectUri?.length) {
      throw new EmulatorSettingsError('--client-id needs at least one --redirect-uri');
    }
    const clients = Array.isArray(base.clients) ? [...(base.clients as unknown[])] : [];
    clients.push({
      clientId: flags.clientId,
      redirectUris: flags.redirectUri,
      ...(flags.clientSecret !== undefined ? { clientSecret: flags.clientSecret } : {}),
    });
    s.clients = clients;
  } else if (flags.clientSecret !== undefined || flags.redirectUri !== undefined) {
    throw new EmulatorSettingsError(
      '--client-secret and --redirect-uri register a client: give --client-id too',
    );
  }
  return s;
}

/** The lines printed once the emulator is ready. */
export function readyBanner(emu: RunningEmulator): string {
  const clients = [...emu.world.clients.values()];
  const lines = [
    `X emulator listening on ${emu.url}`,
    `  authorize:  ${emu.url}/i/oauth2/authorize`,
    `  token:      ${emu.url}/2/oauth2/token`,
    `  timelines:  ${emu.url}/`,
    `  state:      ${emu.url}/_emulator/state`,
    `  users:      ${[...emu.world.users.values()].map((u) => '@' + u.username).join(', ')}`,
    ...clients.map(
      (c) =>
        `  client:     ${c.clientId} (${c.clientSecret === undefined ? 'public' : 'confidential'}) → ${c.redirectUris.join(', ')}`,
    ),
  ];
  if (clients.some((c) => c.clientId === DEMO_CLIENT.clientId)) {
    lines.push(`  demo secret: ${DEMO_CLIENT.clientSecret} (a documented, public demo value)`);
  }
  return lines.join('\n');
}

/** Keeps a running server until SIGINT/SIGTERM, then closes it. */
export function closeOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function emulatorCommand(): Command {
  return new Command('emulator')
    .description('Run the X API emulator (OAuth 2.0, posting, rate limits, faults) on loopback')
    .option('--port <n>', 'port to listen on (0 = any free port)', wholeNumber(0), 4100)
    .option('--host <address>', 'address to listen on; control endpoints only on loopback', '127.0.0.1')
    .option('--config <file>', 'JSON settings file (see docs/emulator.md); flags override it')
    .option('--client-id <id>', 'register another client besides rotor-demo')
    .option('--client-secret <secret>', 'its secret (absent → a public client)')
    .option('--redirect-uri <uri>', 'its redirect URI (repeatable)', collect)
    .option('--access-token-ttl <seconds>', 'access-token life (default 7200)', wholeNumber(1))
    .option('--code-ttl <seconds>', 'authorization-code life (default 30)', wholeNumber(1))
    .option('--refresh-token-ttl <seconds>', 'refresh-token life (default 180 days)', wholeNumber(1))
    .addOption(
      new Option('--refresh-token-expiry <mode>', 'counted from consent or from each refresh').choices([
        'absolute',
        'sliding',
      ]),
    )
    .addOption(
      new Option('--reuse <policy>', 'what reuse of a spent refresh token does').choices([
        'family',
        'token',
        'grace',
      ]),
    )
    .option('--reuse-grace <seconds>', 'grace window for --reuse grace (default 10)', wholeNumber(0))
    .option('--revoke-access-on-refresh', 'a refresh revokes the previous access token at once')
    .option(
      '--lenient-basic-auth',
      'also accept form-urlencoded Basic client credentials (X reads them as they are)',
    )
    .option('--auto-approve <username>', 'skip the consent page and approve as this user')
    .option('--posts-per-15m <n>', 'POST /2/tweets per user per 15 min (default 100)', wholeNumber(1))
    .option('--user-posts-per-24h <n>', 'posts per user per 24 h (default 2400)', wholeNumber(1))
    .option('--app-posts-per-24h <n>', 'posts per app per 24 h (default 10000)', wholeNumber(1))
    .option(
      '--post-latency <ms>',
      "X's answer time for POST /2/tweets: FIXED or FIXED+JITTER ms (150+250 = 150–400 ms; default off)",
      latencyFlag,
    )
    .option(
      '--token-latency <ms>',
      "X's answer time for token requests: FIXED or FIXED+JITTER ms (100+200 = 100–300 ms; default off)",
      latencyFlag,
    )
    .action(async (flags: EmulatorFlags) => {
      let emu: RunningEmulator;
      try {
        const { startEmulator } = await import('../emulator/server.ts');
        emu = await startEmulator(settingsFromFlags(flags));
      } catch (e) {
        if (e instanceof EmulatorSettingsError) {
          console.error(`rotor emulator: ${e.message}`);
          process.exit(2);
        }
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          console.error(`rotor emulator: port ${flags.port} is already in use; choose another with --port`);
          process.exit(2);
        }
        throw e;
      }
      console.log(readyBanner(emu));
      closeOnSignal(() => emu.close());
    });
}
