/**
 * @module Rotor's logs: one JSON object per line (`pino`), UTC ISO times, and every argument
 * passed through the redaction layer ({@link redact}) before pino sees it, so no token, code,
 * verifier, secret or key can reach a line (property 26).
 *
 * Where lines go: `rotor serve` and `rotor worker` write to stderr (the terminal or the
 * container's log); short commands print plain text for people and scripts, so they log only
 * when asked (`ROTOR_LOG_LEVEL` set explicitly, to stderr, or `ROTOR_LOG_FILE`). `ROTOR_LOG_FILE`
 * appends a copy of every line to that file, from any number of processes.
 */
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Level,
  type Logger,
  type LevelWithSilent,
} from 'pino';
import { redact, scrub } from './redact.ts';

export type { Logger };
export type LogLevel = LevelWithSilent;
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Write lines to stderr. Default true. */
  stderr?: boolean;
  /** Append every line to this file as well. */
  file?: string | undefined;
  /** Secrets known to this process (client secret, webhook secret, …): scrubbed verbatim. */
  secrets?: readonly (string | undefined)[];
  /** Fields on every line (e.g. `{ process: 'worker' }`). */
  base?: Record<string, unknown>;
  /** Tests: write here instead of stderr/file. */
  destination?: DestinationStream;
}

/**
 * Creates a logger.
 *
 * @example
 * const log = createLogger({ level: 'debug', secrets: [config.x.clientSecret] });
 * log.info({ accountId }, 'token refreshed');
 */
export function createLogger(o: LoggerOptions = {}): Logger {
  const secrets = (o.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const streams: { stream: DestinationStream; level: Level | 'silent' }[] = [];
  const level = o.level ?? 'info';
  if (o.destination) streams.push({ stream: o.destination, level: 'trace' });
  else {
    if (o.stderr ?? true) streams.push({ stream: pino.destination({ dest: 2, sync: true }), level: 'trace' });
    if (o.file) {
      streams.push({
        stream: pino.destination({ dest: o.file, append: true, mkdir: true, sync: true }),
        level: 'trace',
      });
    }
  }
  const logger = pino(
    {
      level: streams.length === 0 ? 'silent' : level,
      base: { pid: process.pid, ...(o.base ? (redact(o.base, secrets) as object) : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors arrive already reduced by the redaction layer; pino's serializer would rename them.
      serializers: { err: (e: unknown) => e },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redact(obj, secrets) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a, i) =>
            typeof a === 'string'
              ? scrub(a, secrets)
              : i === 0 && a instanceof Error
                ? { err: redact(a, secrets) }
                : redact(a, secrets),
          ) as Parameters<typeof method>;
          method.apply(this, clean);
        },
      },
    },
    streams.length === 0 ? pino.destination({ dest: 2, sync: true }) : pino.multistream(streams),
  );
  return guardChildren(logger, secrets);
}

/** Child bindings (request ids, account ids) are serialized once, at `child()`: redact them there. */
function guardChildren(logger: Logger, secrets: readonly string[]): Logger {
  const child = logger.child.bind(logger) as unknown as (b: Bindings, o?: ChildLoggerOptions) => Logger;
  const guarded = (bindings: Bindings, options?: ChildLoggerOptions): Logger =>
    guardChildren(child(redact(bindings, secrets) as Bindings, options), secrets);
  logger.child = guarded as unknown as Logger['child'];
  return logger;
}
