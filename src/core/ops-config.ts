/**
 * @module The operations part of the configuration (logs, notifications), validated with zod.
 * Messages name the variable and what to change, never the value of a secret one (an SMTP URL
 * carries a password, a webhook secret is a secret).
 */
import { z } from 'zod';
import { isLoopbackHost } from './loopback.ts';

export type Locale = 'en' | 'ja';

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
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z
  .object({
    ROTOR_LOG_LEVEL: optional.pipe(
      z.enum(LEVELS, { message: `ROTOR_LOG_LEVEL must be one of ${LEVELS.join(', ')}` }).optional(),
    ),
    ROTOR_LOG_FILE: optional,
    ROTOR_SMTP_URL: optional.pipe(
      z
        .string()
        .refine((v) => /^smtps?:\/\/[^/\s]+/.test(v) && URL.canParse(v), {
          message: 'ROTOR_SMTP_URL must look like smtp://user:password@host:587 or smtps://…:465',
        })
        .optional(),
    ),
    ROTOR_NOTIFY_EMAIL: optional.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((s) => s.trim()))
        .pipe(
          z.array(z.email({ message: 'ROTOR_NOTIFY_EMAIL must be e-mail addresses separated by commas' })),
        )
        .optional(),
    ),
    ROTOR_NOTIFY_FROM: optional,
    ROTOR_WEBHOOK_URL: optional.pipe(
      z
        .string()
        .refine(
          (v) => {
            if (!URL.canParse(v)) return false;
            const u = new URL(v);
            return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
          },
          { message: 'ROTOR_WEBHOOK_URL must be an https URL (plain http only on 127.0.0.1 / localhost)' },
        )
        .optional(),
    ),
    ROTOR_WEBHOOK_SECRET: optional.pipe(
      z
        .string()
        .min(32, {
          message: 'ROTOR_WEBHOOK_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)',
        })
        .optional(),
    ),
    ROTOR_METRICS_PORT: optional.pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, { message: 'ROTOR_METRICS_PORT must be a port number (1–65535)' })
        .transform(Number)
        .refine((n) => n >= 1 && n <= 65535, {
          message: 'ROTOR_METRICS_PORT must be a port number (1–65535)',
        })
        .optional(),
    ),
    ROTOR_METRICS_HOST: optional,
    ROTOR_NOTIFY_LOCALE: optional.pipe(
      z.enum(['en', 'ja'], { message: 'ROTOR_NOTIFY_LOCALE must be en or ja' }).optional(),
    ),
  })
  .superRefine((v, ctx) => {
    const need = (cond: boolean, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', message });
    };
    need(
      v.ROTOR_SMTP_URL !== undefined && v.ROTOR_NOTIFY_EMAIL === undefined,
      'ROTOR_SMTP_URL is set but ROTOR_NOTIFY_EMAIL (who receives the e-mails) is not',
    );
    need(
      v.ROTOR_NOTIFY_EMAIL !== undefined && v.ROTOR_SMTP_URL === undefined,
      'ROTOR_NOTIFY_EMAIL is set but ROTOR_SMTP_URL (the mail server) is not',
    );
    need(
      v.ROTOR_WEBHOOK_URL !== undefined && v.ROTOR_WEBHOOK_SECRET === undefined,
      'ROTOR_WEBHOOK_URL is set but ROTOR_WEBHOOK_SECRET (to sign the deliveries) is not',
    );
    need(
      v.ROTOR_WEBHOOK_SECRET !== undefined && v.ROTOR_WEBHOOK_URL === undefined,
      'ROTOR_WEBHOOK_SECRET is set but ROTOR_WEBHOOK_URL is not',
    );
  });

/** Validates the operations variables; returns the config or the list of problems. */
export function loadOpsConfig(
  env: Record<string, string | undefined>,
): { ok: true; config: OpsConfig } | { ok: false; problems: string[] } {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => i.message) };
  const v = parsed.data;
  return {
    ok: true,
    config: {
      logLevel: v.ROTOR_LOG_LEVEL,
      logFile: v.ROTOR_LOG_FILE,
      email:
        v.ROTOR_SMTP_URL && v.ROTOR_NOTIFY_EMAIL
          ? {
              smtpUrl: v.ROTOR_SMTP_URL,
              to: v.ROTOR_NOTIFY_EMAIL,
              from: v.ROTOR_NOTIFY_FROM ?? 'Rotor <rotor@localhost>',
            }
          : undefined,
      webhook:
        v.ROTOR_WEBHOOK_URL && v.ROTOR_WEBHOOK_SECRET
          ? { url: v.ROTOR_WEBHOOK_URL, secret: v.ROTOR_WEBHOOK_SECRET }
          : undefined,
      locale: v.ROTOR_NOTIFY_LOCALE ?? 'en',
      metricsListen:
        v.ROTOR_METRICS_PORT === undefined
          ? undefined
          : { port: v.ROTOR_METRICS_PORT, host: v.ROTOR_METRICS_HOST ?? '127.0.0.1' },
    },
  };
}
