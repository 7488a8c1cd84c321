/**
 * @module Configuration from the environment: the variables of settings.ts (one zod schema),
 * validated at start with messages that say what to change, turned into what each part of
 * Rotor needs. Demo mode (no `X_CLIENT_ID`) is decided here, once. Every variable is listed in
 * docs/configuration.md (generated from the schema).
 */
import { RotorError } from './errors.ts';
import type { Locale } from './locale.ts';
import { parseSettings, SETTINGS, type SettingProblem, type Settings } from './settings.ts';

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:3000/auth/x/callback';

/** The operations part of the configuration: logs, notifications, metrics. */
export interface OpsConfig {
  /** `ROTOR_LOG_LEVEL`; undefined → the command's default (info for serve/worker, quiet otherwise). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' | undefined;
  /** `ROTOR_LOG_FILE`: every log line appended here too. */
  logFile: string | undefined;
  /** E-mail notifications: SMTP server and recipients; undefined → no e-mail. */
  email: { smtpUrl: string; to: string[]; from: string } | undefined;
  /** Webhook notifications; undefined → no webhook. */
  webhook: { url: string; secret: string } | undefined;
  /** Language of e-mail and webhook texts. */
  locale: Locale;
  /** `rotor worker` (and `serve`) also serve `/metrics` and `/readyz` here; undefined → not. */
  metricsListen: { port: number; host: string } | undefined;
  /** `ROTOR_METRICS_TOKEN`: `/metrics` wants `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
}

/** At most `max` events per `windowMs`; `max: 0` means no limit. */
export interface RateRule {
  max: number;
  windowMs: number;
}

/** What each limit counts. */
export interface RateLimits {
  /** Sign-in (and connect, cookie-mode) starts, per client address. */
  signinStart: RateRule;
  /** OAuth callbacks, per client address. */
  callback: RateRule;
  /** Failed API-key authentications, per client address. */
  apiKeyFailure: RateRule;
  /** Token broker hand-outs (`POST /api/v1/accounts/:id/token`), per API key or session user. */
  tokenPerKey: RateRule;
  /** Token broker hand-outs, per client address. */
  tokenPerAddress: RateRule;
}

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  signinStart: { max: 30, windowMs: MINUTE },
  callback: { max: 30, windowMs: MINUTE },
  apiKeyFailure: { max: 10, windowMs: MINUTE },
  tokenPerKey: { max: 120, windowMs: MINUTE },
  tokenPerAddress: { max: 300, windowMs: MINUTE },
};

/** A session unused this long ends, unless `ROTOR_SESSION_IDLE_SECONDS` says otherwise. */
export const DEFAULT_SESSION_IDLE_MS = 7 * 86_400_000;

/** `rotor serve`: where it listens, and the web app's security settings (docs/security.md). */
export interface WebConfig {
  port: number;
  host: string;
  /** Demo mode: the port of the built-in X emulator. */
  emulatorPort: number;
  /** The public origin (`https://rotor.example.com`), or undefined: Origin is compared with Host. */
  publicOrigin: string | undefined;
  sessionIdleMs: number;
  rateLimits: RateLimits;
  /** Take the client address from the last `X-Forwarded-For` entry (behind one reverse proxy). */
  trustProxy: boolean;
}

/** The posting workers' timings (advanced). */
export interface WorkersConfig {
  staleMs: number;
  retryBaseMs: number;
  jobExpireSeconds: number;
  sweepIntervalSeconds: number;
  concurrency: number;
  /** The pre-warmer's pace (tokens per second per worker) and window (ms). */
  prewarm: { perSecond: number; windowMs: number };
}

export interface RotorConfig {
  x: {
    clientId: string;
    /** Absent → a public client. */
    clientSecret: string | undefined;
    redirectUri: string;
    /** Every X endpoint at this origin (the emulator); undefined → X itself. */
    emulatorUrl: string | undefined;
    /** No X credentials were given: the demo client against the emulator. */
    demo: boolean;
  };
  databaseUrl: string | undefined;
  dataDir: string;
  /** Raw `ROTOR_KEYS`; parsed by the key ring. */
  keys: string | undefined;
  /** Explicit `ROTOR_REFRESH_MARGIN`, in ms; undefined → the vault's default. */
  refreshMarginMs: number | undefined;
  /** Backups, moves and copies: `ROTOR_REFRESH`, `ROTOR_NEWEST_DIR` (undefined → `<dataDir>/newest`). */
  backups: { refresh: 'on' | 'off'; newestDir: string | undefined };
  web: WebConfig;
  workers: WorkersConfig;
  /** Logs and notifications (`ROTOR_LOG_*`, `ROTOR_SMTP_URL`, `ROTOR_WEBHOOK_*`, …). */
  ops: OpsConfig;
}

type Env = Record<string, string | undefined>;

export interface LoadOptions {
  /**
   * `rotor serve`: an unset `X_REDIRECT_URI` is this server's own callback (from `ROTOR_HOST`
   * and `PORT`) rather than {@link DEFAULT_REDIRECT_URI}.
   */
  serve?: boolean;
}

/** The callback of a server bound to `host`:`port`. */
export function serveOrigin(web: Pick<WebConfig, 'host' | 'port'>): string {
  return `http://${web.host.includes(':') ? `[${web.host}]` : web.host}:${web.port}`;
}

/** Parses and checks `env`: the config, or every problem. */
export function checkConfig(
  env: Env = process.env,
  o: LoadOptions = {},
): { ok: true; config: RotorConfig } | { ok: false; problems: SettingProblem[] } {
  const parsed = parseSettings(env);
  if (!parsed.ok) return parsed;
  const s = parsed.settings;
  const web: WebConfig = {
    port: s.PORT ?? 3000,
    host: s.ROTOR_HOST ?? '127.0.0.1',
    emulatorPort: s.ROTOR_EMULATOR_PORT ?? 4100,
    publicOrigin: s.ROTOR_PUBLIC_URL,
    sessionIdleMs:
      s.ROTOR_SESSION_IDLE_SECONDS === undefined
        ? DEFAULT_SESSION_IDLE_MS
        : s.ROTOR_SESSION_IDLE_SECONDS * 1000,
    rateLimits: {
      signinStart: s.ROTOR_RATE_LIMIT_SIGNIN ?? DEFAULT_RATE_LIMITS.signinStart,
      callback: s.ROTOR_RATE_LIMIT_CALLBACK ?? DEFAULT_RATE_LIMITS.callback,
      apiKeyFailure: s.ROTOR_RATE_LIMIT_API_KEY_FAILURES ?? DEFAULT_RATE_LIMITS.apiKeyFailure,
      tokenPerKey: s.ROTOR_RATE_LIMIT_TOKENS_PER_KEY ?? DEFAULT_RATE_LIMITS.tokenPerKey,
      tokenPerAddress: s.ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS ?? DEFAULT_RATE_LIMITS.tokenPerAddress,
    },
    trustProxy: s.ROTOR_TRUST_PROXY === '1',
  };
  // The one decision of demo mode: no X credentials.
  const demo = s.X_CLIENT_ID === undefined;
  let redirectUri = s.X_REDIRECT_URI;
  if (redirectUri === undefined && o.serve) {
    // A derived callback is checked like a given one (e.g. plain http on 0.0.0.0 is not allowed).
    const derived = SETTINGS.X_REDIRECT_URI.schema.safeParse(`${serveOrigin(web)}/auth/x/callback`);
    if (!derived.success)
      return {
        ok: false,
        problems: derived.error.issues.map((i) => ({ variable: 'X_REDIRECT_URI', message: i.message })),
      };
    redirectUri = derived.data;
  }
  return {
    ok: true,
    config: {
      x: {
        clientId: s.X_CLIENT_ID ?? 'rotor-demo',
        clientSecret: demo ? 'rotor-demo-secret' : s.X_CLIENT_SECRET,
        redirectUri: redirectUri ?? DEFAULT_REDIRECT_URI,
        emulatorUrl: s.X_EMULATOR_URL ? new URL(s.X_EMULATOR_URL).origin : undefined,
        demo,
      },
      databaseUrl: s.DATABASE_URL,
      dataDir: s.ROTOR_DATA_DIR ?? './.rotor',
      keys: s.ROTOR_KEYS,
      refreshMarginMs: s.ROTOR_REFRESH_MARGIN === undefined ? undefined : s.ROTOR_REFRESH_MARGIN * 1000,
      backups: { refresh: s.ROTOR_REFRESH ?? 'on', newestDir: s.ROTOR_NEWEST_DIR },
      web,
      workers: {
        staleMs: (s.ROTOR_PUBLISH_STALE_SECONDS ?? 90) * 1000,
        retryBaseMs: (s.ROTOR_RETRY_BASE_SECONDS ?? 30) * 1000,
        jobExpireSeconds: s.ROTOR_JOB_EXPIRE_SECONDS ?? 120,
        sweepIntervalSeconds: s.ROTOR_SWEEP_SECONDS ?? 60,
        concurrency: s.ROTOR_WORKER_CONCURRENCY ?? 64,
        prewarm: {
          perSecond: s.ROTOR_PREWARM_PER_SECOND ?? 50,
          windowMs: (s.ROTOR_PREWARM_WINDOW_SECONDS ?? 600) * 1000,
        },
      },
      ops: opsConfig(s),
    },
  };
}

function opsConfig(s: Settings): OpsConfig {
  return {
    logLevel: s.ROTOR_LOG_LEVEL,
    logFile: s.ROTOR_LOG_FILE,
    email:
      s.ROTOR_SMTP_URL && s.ROTOR_NOTIFY_EMAIL
        ? {
            smtpUrl: s.ROTOR_SMTP_URL,
            to: s.ROTOR_NOTIFY_EMAIL,
            from: s.ROTOR_NOTIFY_FROM ?? 'Rotor <rotor@localhost>',
          }
        : undefined,
    webhook:
      s.ROTOR_WEBHOOK_URL && s.ROTOR_WEBHOOK_SECRET
        ? { url: s.ROTOR_WEBHOOK_URL, secret: s.ROTOR_WEBHOOK_SECRET }
        : undefined,
    locale: s.ROTOR_NOTIFY_LOCALE ?? 'en',
    metricsListen:
      s.ROTOR_METRICS_PORT === undefined
        ? undefined
        : { port: s.ROTOR_METRICS_PORT, host: s.ROTOR_METRICS_HOST ?? '127.0.0.1' },
    metricsToken: s.ROTOR_METRICS_TOKEN,
  };
}

/** Reads and validates the configuration; throws `config_invalid` listing every problem. */
export function loadConfig(env: Env = process.env, o: LoadOptions = {}): RotorConfig {
  const checked = checkConfig(env, o);
  if (checked.ok) return checked.config;
  throw new RotorError(
    'config_invalid',
    `configuration problems:\n${checked.problems.map((p) => `  - ${p.message}`).join('\n')}`,
  );
}
