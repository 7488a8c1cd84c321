/**
 * @module Every environment variable Rotor reads, in one zod schema: its name, type, default,
 * what it does and the feature it belongs to. `loadConfig` (config.ts) turns the parsed values
 * into a {@link RotorConfig}; `rotor doctor`, `rotor init`'s `.env` template and
 * docs/configuration.md (`npm run docs:config`) are generated from this list. A value that does
 * not parse is a problem naming the variable and what is allowed — never the value of a secret.
 */
import { z } from 'zod';
import { LOCALES } from './locale.ts';
import {
  custom,
  define,
  LOG_LEVELS,
  oneOf,
  port,
  secureUrl,
  text,
  wholeNumber,
  type Setting,
} from './setting-kinds.ts';
import { isLoopbackHost } from './loopback.ts';
import { WEB_SETTINGS } from './settings-web.ts';

export { FEATURES, type Feature, type Setting } from './setting-kinds.ts';
/** Every variable Rotor reads. Names and meanings are a contract: other tools set them. */
export const SETTINGS = define({
  ROTOR_KEYS: {
    feature: 'encryption',
    type: 'comma-separated id:base64 entries (32-byte keys)',
    description:
      'Keys that seal tokens at rest; the first seals new writes, the others still open older rows (`rotor keys generate`).',
    note: 'To rotate: put a new entry first, restart, run `rotor keys rotate`, and remove the old entry when it says it is no longer used. Lose this key and every connected account must be connected again.',
    secret: true,
    schema: text,
  },
  X_CLIENT_ID: {
    feature: 'x',
    type: 'text',
    description: "Your X app's OAuth 2.0 client id; unset → demo mode against the built-in X emulator.",
    schema: text,
  },
  X_CLIENT_SECRET: {
    feature: 'x',
    type: 'text',
    description: 'Its client secret (a confidential client); unset → a public client.',
    secret: true,
    schema: text,
  },
  X_REDIRECT_URI: {
    feature: 'x',
    type: 'https URL (http on 127.0.0.1 / localhost)',
    default: 'http://127.0.0.1:3000/auth/x/callback',
    description:
      'The callback registered at X, byte for byte (rotor serve: from ROTOR_HOST and PORT when unset).',
    note: 'Use 127.0.0.1, not localhost, as X does.',
    schema: secureUrl('X_REDIRECT_URI'),
  },
  X_EMULATOR_URL: {
    feature: 'x',
    type: 'https URL (http on 127.0.0.1 / localhost)',
    description: 'Every X endpoint at this origin instead: a running `rotor emulator`.',
    example: 'http://127.0.0.1:4100',
    schema: secureUrl('X_EMULATOR_URL'),
  },
  DATABASE_URL: {
    feature: 'database',
    type: 'postgres:// or postgresql:// URL',
    description:
      'PostgreSQL, shared by every process; unset → an embedded database in ROTOR_DATA_DIR, one process at a time.',
    secret: true,
    example: 'postgres://rotor:password@127.0.0.1:5432/rotor',
    schema: custom(
      'DATABASE_URL',
      (v) =>
        /^postgres(ql)?:\/\//.test(v)
          ? { ok: v }
          : { problem: 'must start with postgres:// or postgresql://' },
      { secret: true },
    ),
  },
  ROTOR_DATA_DIR: {
    feature: 'database',
    type: 'folder',
    default: './.rotor',
    description: 'The data folder: the embedded database, the journal, the development key.',
    schema: text,
  },
  ROTOR_REFRESH: {
    feature: 'backups',
    type: 'on or off',
    default: 'on',
    description: "off: this installation never refreshes a token (a staging copy of production's data).",
    example: 'off',
    schema: oneOf('ROTOR_REFRESH', ['on', 'off'] as const, { lower: true }),
  },
  ROTOR_NEWEST_DIR: {
    feature: 'backups',
    type: 'folder',
    default: '<ROTOR_DATA_DIR>/newest',
    description:
      "Where each account's newest token pair is kept outside the database; one folder shared by every machine.",
    example: '/var/lib/rotor/newest',
    schema: text,
  },
  ...WEB_SETTINGS,
  ROTOR_REFRESH_MARGIN: {
    feature: 'workers',
    type: 'whole seconds ≥ 0',
    default: '300, or a quarter of the token lifetime if shorter',
    description: 'An access token is refreshed when it expires within this long.',
    example: '300',
    schema: wholeNumber('ROTOR_REFRESH_MARGIN', 0),
  },
  ROTOR_WORKER_CONCURRENCY: {
    feature: 'workers',
    type: 'whole number ≥ 1',
    default: '64',
    description: 'Posts one worker process sends at the same time (most of a post is waiting for X).',
    schema: wholeNumber('ROTOR_WORKER_CONCURRENCY', 1, 'a whole number'),
  },
  ROTOR_PREWARM_PER_SECOND: {
    feature: 'workers',
    type: 'whole number ≥ 1',
    default: '50',
    description:
      'Tokens one worker refreshes ahead per second, for the posts due in the pre-warm window (docs/performance.md).',
    schema: wholeNumber('ROTOR_PREWARM_PER_SECOND', 1, 'a whole number'),
  },
  ROTOR_PREWARM_WINDOW_SECONDS: {
    feature: 'workers',
    type: 'whole seconds ≥ 60',
    default: '600',
    description: 'How far ahead of a due post its token is refreshed (spread over this window).',
    schema: wholeNumber('ROTOR_PREWARM_WINDOW_SECONDS', 60),
  },
  ROTOR_SWEEP_SECONDS: {
    feature: 'workers',
    type: 'whole seconds ≥ 1',
    default: '60',
    description: 'How often each worker runs its sweep (stale posts, due schedules).',
    schema: wholeNumber('ROTOR_SWEEP_SECONDS', 1),
  },
  ROTOR_JOB_EXPIRE_SECONDS: {
    feature: 'workers',
    type: 'whole seconds ≥ 1',
    default: '120',
    description: 'A job running longer than this is handed to another worker.',
    schema: wholeNumber('ROTOR_JOB_EXPIRE_SECONDS', 1),
  },
  ROTOR_PUBLISH_STALE_SECONDS: {
    feature: 'workers',
    type: 'whole seconds ≥ 1',
    default: '90',
    description: 'A post publishing (or with an unknown outcome) for longer than this is looked at again.',
    schema: wholeNumber('ROTOR_PUBLISH_STALE_SECONDS', 1),
  },
  ROTOR_RETRY_BASE_SECONDS: {
    feature: 'workers',
    type: 'whole seconds ≥ 1',
    default: '30',
    description: 'The first retry delay of a failed send, doubling with each retry.',
    schema: wholeNumber('ROTOR_RETRY_BASE_SECONDS', 1),
  },
  ROTOR_LOG_LEVEL: {
    feature: 'logs',
    type: LOG_LEVELS.join(', '),
    default: 'info (serve, worker); quiet otherwise',
    description: 'How much is logged; tokens, codes, secrets and keys are redacted from every line.',
    example: 'info',
    schema: oneOf('ROTOR_LOG_LEVEL', LOG_LEVELS),
  },
  ROTOR_LOG_FILE: {
    feature: 'logs',
    type: 'file',
    description: 'Append a copy of every log line here (any number of processes may share it).',
    example: './rotor.log',
    schema: text,
  },
  ROTOR_METRICS_TOKEN: {
    feature: 'metrics',
    type: '16 or more printable characters, no spaces',
    description:
      '/metrics wants "Authorization: Bearer <this>"; unset → open only in demo mode on loopback (`openssl rand -hex 32`).',
    secret: true,
    example: '',
    schema: custom(
      'ROTOR_METRICS_TOKEN',
      (v) =>
        /^[\x21-\x7e]{16,}$/.test(v)
          ? { ok: v }
          : { problem: 'must be at least 16 printable characters without spaces' },
      { secret: true },
    ),
  },
  ROTOR_METRICS_PORT: {
    feature: 'metrics',
    type: 'port number (1–65535)',
    description: 'rotor worker serves /metrics and /readyz on this port (rotor serve has them on its own).',
    example: '9464',
    schema: port('ROTOR_METRICS_PORT', 1),
  },
  ROTOR_METRICS_HOST: {
    feature: 'metrics',
    type: 'host name or IP address',
    default: '127.0.0.1',
    description: 'The address the metrics port binds to.',
    schema: text,
  },
  ROTOR_SMTP_URL: {
    feature: 'notifications',
    type: 'smtp:// or smtps:// URL',
    description: 'The mail server for e-mail notifications (needs ROTOR_NOTIFY_EMAIL).',
    secret: true,
    example: 'smtp://user:password@smtp.example.com:587',
    schema: custom(
      'ROTOR_SMTP_URL',
      (v) =>
        /^smtps?:\/\/[^/\s]+/.test(v) && URL.canParse(v)
          ? { ok: v }
          : { problem: 'must look like smtp://user:password@host:587 or smtps://…:465' },
      { secret: true },
    ),
  },
  ROTOR_NOTIFY_EMAIL: {
    feature: 'notifications',
    type: 'e-mail addresses, comma-separated',
    description: 'Who receives the e-mail notifications (needs ROTOR_SMTP_URL).',
    example: 'ops@example.com',
    schema: custom('ROTOR_NOTIFY_EMAIL', (v) => {
      const to = v.split(',').map((s) => s.trim());
      return to.every((a) => z.email().safeParse(a).success)
        ? { ok: to }
        : { problem: 'must be e-mail addresses separated by commas' };
    }),
  },
  ROTOR_NOTIFY_FROM: {
    feature: 'notifications',
    type: 'e-mail From header',
    default: 'Rotor <rotor@localhost>',
    description: 'The sender of the e-mail notifications.',
    example: 'Rotor <rotor@example.com>',
    schema: text,
  },
  ROTOR_WEBHOOK_URL: {
    feature: 'notifications',
    type: 'https URL (http on 127.0.0.1 / localhost)',
    description: 'Notifications as JSON to this URL, signed with HMAC-SHA256 (header Rotor-Signature).',
    example: 'https://hooks.example.com/rotor',
    schema: custom('ROTOR_WEBHOOK_URL', (v) => {
      const u = URL.canParse(v) ? new URL(v) : undefined;
      return u && (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname)))
        ? { ok: v }
        : { problem: 'must be an https URL (plain http only on 127.0.0.1 / localhost)' };
    }),
  },
  ROTOR_WEBHOOK_SECRET: {
    feature: 'notifications',
    type: '32 or more characters',
    description: 'The key that signs the webhook deliveries (`openssl rand -hex 32`).',
    secret: true,
    example: '',
    schema: custom(
      'ROTOR_WEBHOOK_SECRET',
      (v) =>
        v.length >= 32
          ? { ok: v }
          : { problem: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' },
      { secret: true },
    ),
  },
  ROTOR_NOTIFY_LOCALE: {
    feature: 'notifications',
    type: LOCALES.join(' or '),
    default: 'en',
    description: 'The language of e-mail and webhook texts.',
    schema: oneOf('ROTOR_NOTIFY_LOCALE', LOCALES),
  },
  ROTOR_ENV_FILE: {
    feature: 'cli',
    type: 'file, or none',
    default: '.env',
    description: 'The settings file rotor reads at start (variables already set win over it); none: no file.',
    schema: text,
  },
});

export type SettingName = keyof typeof SETTINGS;

/** The parsed value of each variable (undefined: unset or empty). */
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };

type Shape = { [K in SettingName]: (typeof SETTINGS)[K]['schema'] };

/** Rules across variables: one without the other it needs. */
const pairs: [SettingName, SettingName, string][] = [
  ['X_CLIENT_SECRET', 'X_CLIENT_ID', 'X_CLIENT_SECRET is set but X_CLIENT_ID is not'],
  [
    'ROTOR_SMTP_URL',
    'ROTOR_NOTIFY_EMAIL',
    'ROTOR_SMTP_URL is set but ROTOR_NOTIFY_EMAIL (who receives the e-mails) is not',
  ],
  [
    'ROTOR_NOTIFY_EMAIL',
    'ROTOR_SMTP_URL',
    'ROTOR_NOTIFY_EMAIL is set but ROTOR_SMTP_URL (the mail server) is not',
  ],
  [
    'ROTOR_WEBHOOK_URL',
    'ROTOR_WEBHOOK_SECRET',
    'ROTOR_WEBHOOK_URL is set but ROTOR_WEBHOOK_SECRET (to sign the deliveries) is not',
  ],
  ['ROTOR_WEBHOOK_SECRET', 'ROTOR_WEBHOOK_URL', 'ROTOR_WEBHOOK_SECRET is set but ROTOR_WEBHOOK_URL is not'],
];

/** The one schema: every variable, and the rules across them. */
export const settingsSchema = z
  .object(
    Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, s.schema])) as unknown as Shape,
  )
  .superRefine(
    (v, ctx) => {
      for (const [set, needs, message] of pairs) {
        if (v[set] !== undefined && v[needs] === undefined)
          ctx.addIssue({ code: 'custom', message, path: [set] });
      }
      // Also when a variable's own value is not allowed: it is set all the same (a value that
      // did not parse is not undefined here), and both problems are worth saying at once.
    },
    { when: () => true },
  );

/** A variable whose value is not allowed, or that lacks another it needs. */
export interface SettingProblem {
  variable: string;
  message: string;
}

/** Parses every variable of `env`; unknown variables are ignored. */
export function parseSettings(
  env: Record<string, string | undefined>,
): { ok: true; settings: Settings } | { ok: false; problems: SettingProblem[] } {
  const parsed = settingsSchema.safeParse(env);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? ''), message: i.message })),
  };
}

/** One variable, parsed on its own (for what is read before the rest: `ROTOR_ENV_FILE`). */
export function parseSetting<K extends SettingName>(
  name: K,
  env: Record<string, string | undefined>,
): Settings[K] {
  return SETTINGS[name].schema.parse(env[name]) as Settings[K];
}

/** The value shown for `name` when it is unset: its documented default, or nothing. */
export const defaultOf = (name: SettingName): string | undefined => (SETTINGS[name] as Setting).default;

/** Environment variables that look like Rotor's (`ROTOR_…`) but are not among its settings. */
export function unknownSettings(env: Record<string, string | undefined>): string[] {
  return Object.keys(env)
    .filter((k) => k.startsWith('ROTOR_') && !(k in SETTINGS))
    .sort();
}
