/**
 * @module What a setting is (its feature, type, default, description) and the zod pieces that
 * turn a variable's text into a value with a message naming the variable. The settings
 * themselves are listed in settings.ts.
 */
import { z } from 'zod';
import { isLoopbackHost } from './loopback.ts';
/** The features settings belong to, in the order docs and `.env` show them. */
export const FEATURES = {
  encryption: 'Encryption of tokens at rest',
  x: 'X',
  database: 'Database',
  backups: 'Backups, moves and copies (docs/backups-and-moves.md)',
  web: 'Web server (rotor serve / npm start)',
  workers: 'Tokens and workers (advanced)',
  logs: 'Logs',
  metrics: 'Metrics',
  notifications: 'Notifications',
  cli: 'Command line',
} as const;

export type Feature = keyof typeof FEATURES;

/** One environment variable: how it is documented, and how its text becomes a value. */
export interface Setting<S extends z.ZodType = z.ZodType> {
  feature: Feature;
  /** What is allowed, in words (`whole seconds ≥ 0`, `https URL`, …). */
  type: string;
  /** The value used when the variable is unset or empty, as written in docs; none → off/absent. */
  default?: string;
  /** One line (en). */
  description: string;
  /** Never shown in messages, `rotor doctor` or logs. */
  secret?: boolean;
  /** The example `rotor init` writes (commented out); default: {@link Setting.default}. */
  example?: string;
  /** More to know, for docs and the `.env` template (en). */
  note?: string;
  /** From the trimmed text (undefined when unset or empty) to the typed value. */
  schema: S;
}

type Raw = string | undefined;
const unset = (v: Raw): v is undefined => v === undefined;

/** The text of a variable: trimmed, and undefined when unset or blank. */
export const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A setting parsed by `parse`, which returns the value or what is allowed (the problem). */
export function custom<T>(
  name: string,
  parse: (v: string) => { ok: T } | { problem: string },
  o: { secret?: boolean } = {},
) {
  return text.transform((v, ctx): T | undefined => {
    if (unset(v)) return undefined;
    const r = parse(v);
    if ('ok' in r) return r.ok;
    ctx.addIssue({ code: 'custom', message: `${name} ${r.problem}${o.secret ? '' : `, got "${v}"`}` });
    return z.NEVER;
  });
}

export const wholeNumber = (name: string, min: number, what = 'whole seconds') =>
  custom(name, (v) =>
    /^\d+$/.test(v) && Number(v) >= min ? { ok: Number(v) } : { problem: `must be ${what} ≥ ${min}` },
  );

export const port = (name: string, min: 0 | 1) =>
  custom(name, (v) =>
    /^\d{1,5}$/.test(v) && Number(v) >= min && Number(v) <= 65535
      ? { ok: Number(v) }
      : { problem: `must be a port number (${min}–65535)` },
  );

/** https, or plain http on 127.0.0.1 / localhost only. */
export const secureUrl = (name: string, o: { secret?: boolean } = {}) =>
  custom(
    name,
    (v) => {
      const url = URL.canParse(v) ? new URL(v) : undefined;
      if (!url) return { problem: 'is not a URL' };
      if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
        return { ok: v };
      return { problem: 'must use https (plain http is allowed only for 127.0.0.1 / localhost)' };
    },
    o,
  );

export const oneOf = <const V extends readonly string[]>(
  name: string,
  values: V,
  o: { lower?: boolean } = {},
) =>
  custom<V[number]>(name, (v) => {
    const w = o.lower ? v.toLowerCase() : v;
    return values.includes(w)
      ? { ok: w }
      : { problem: `must be one of ${values.map((x) => `"${x}"`).join(', ')}` };
  });

/** "COUNT/SECONDS" → at most COUNT per SECONDS; "off" → `{ max: 0 }` (no limit). */
export const rateLimit = (name: string) =>
  custom(name, (v) => {
    if (v === 'off') return { ok: { max: 0, windowMs: 60_000 } };
    const m = /^(\d+)\/(\d+)$/.exec(v);
    return m && Number(m[1]) >= 1 && Number(m[2]) >= 1
      ? { ok: { max: Number(m[1]), windowMs: Number(m[2]) * 1000 } }
      : { problem: 'must be "COUNT/SECONDS" (e.g. "30/60") or "off"' };
  });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const define = <T extends Record<string, Setting>>(settings: T): T => settings;
