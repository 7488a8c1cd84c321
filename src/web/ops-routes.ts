/**
 * @module Operations routes for the web server: `/metrics` (Prometheus text), `/readyz` (the
 * database answers, every migration is applied and the key ring seals and opens: 200, otherwise
 * 503 with the reason in plain words), and a request-logging middleware that gives each request
 * an id (`x-request-id`) and logs it without its query string (which may carry `code`/`state`).
 */
import { randomUUID } from 'node:crypto';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Logger } from '../ops/logger.ts';
import type { RotorMetrics } from '../ops/metrics.ts';
import type { Queryable } from '../store/db.ts';
import { latestAppliedMigration, listMigrations } from '../store/migrate.ts';

export interface OpsRoutesOptions {
  db: Queryable;
  keyRing: KeyRing;
  metrics: RotorMetrics;
  /** When set, `/metrics` wants `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** Without a token: `false` refuses `/metrics` (it is open by default). */
  metricsOpen?: boolean;
  /** How long `/readyz` waits for the database (ms). Default 2000. */
  readyTimeoutMs?: number;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why Rotor is not ready, or undefined when it is. */
export async function readinessProblem(o: OpsRoutesOptions): Promise<string | undefined> {
  const latest = Math.max(...listMigrations().map((m) => m.id));
  try {
    const applied = await withTimeout(latestAppliedMigration(o.db), o.readyTimeoutMs ?? 2000);
    if (applied < latest) return `the database lacks migrations ${applied + 1}–${latest}`;
  } catch {
    return 'the database does not answer';
  }
  try {
    const binding = { table: 'readyz', row: 'probe', field: 'probe' };
    if (open(o.keyRing, seal(o.keyRing, 'probe', binding), binding) !== 'probe') throw new Error('mismatch');
  } catch {
    return 'the key ring cannot seal and open';
  }
  return undefined;
}

/**
 * Mounts `GET /metrics` and `GET /readyz` on `app`.
 *
 * @example
 * mountOpsRoutes(app, { db: rt.db, keyRing: rt.keyRing, metrics: rt.ops.metrics });
 */
export function mountOpsRoutes<E extends Env>(app: Hono<E>, o: OpsRoutesOptions): void {
  app.get('/readyz', async (c) => {
    const problem = await readinessProblem(o);
    c.header('cache-control', 'no-store');
    return problem ? c.text(`not ready: ${problem}\n`, 503) : c.text('ready\n');
  });
  app.get('/metrics', async (c) => {
    if (o.metricsToken !== undefined) {
      const given = c.req.header('authorization') ?? '';
      if (!sameText(given, `Bearer ${o.metricsToken}`)) return c.text('unauthorized\n', 401);
    } else if (o.metricsOpen === false) {
      return c.text('unauthorized: set ROTOR_METRICS_TOKEN and scrape with it as a bearer token\n', 401);
    }
    try {
      const body = await o.metrics.registry.metrics();
      return c.body(body, 200, {
        'content-type': o.metrics.registry.contentType,
        'cache-control': 'no-store',
      });
    } catch {
      return c.text('metrics unavailable: the database does not answer\n', 503);
    }
  });
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

const requestLoggers = new WeakMap<Request, Logger>();

/** The request's logger (with its `requestId`), inside a handler after {@link requestLogging}. */
export function requestLog(c: { req: { raw: Request } }, fallback: Logger): Logger {
  return requestLoggers.get(c.req.raw) ?? fallback;
}

/**
 * Gives each request an id (a sane incoming `x-request-id` is kept, else a new UUID), answers it
 * in `x-request-id`, and logs the request when it ends: method, path (never the query), status,
 * duration.
 *
 * @example
 * app.use('*', requestLogging(rt.ops.logger));
 */
export function requestLogging(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    requestLoggers.set(c.req.raw, log);
    const started = performance.now();
    try {
      await next();
    } finally {
      c.header('x-request-id', requestId);
      const status = c.res.status;
      const line = {
        method: c.req.method,
        path: new URL(c.req.url).pathname,
        status,
        ms: Math.round(performance.now() - started),
      };
      if (status >= 500) log.error(line, 'request');
      else log.info(line, 'request');
    }
  };
}
