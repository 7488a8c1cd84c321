/**
 * @module The operations bundle a Rotor process carries: its logger, metrics registry, audit
 * writer and notifier, built from the configuration, and the observers that connect them to
 * the vault's events and the publisher's results. Built by `openRuntime` (as `rt.ops`).
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { RotorConfig } from '../core/config.ts';
import type { Db } from '../store/db.ts';
import type { PublishObserver } from '../scheduler/publisher.ts';
import type { VaultEvents } from '../vault/events.ts';
import { createAudit, type Audit } from './audit.ts';
import { LatenessReader } from './lateness.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type RotorMetrics } from './metrics.ts';
import { createMailer } from './notifications/email.ts';
import { Notifier } from './notifications/notifier.ts';

export interface Ops {
  logger: Logger;
  metrics: RotorMetrics;
  audit: Audit;
  notifier: Notifier;
  close(): Promise<void>;
}

/**
 * `long`: a long-running process (`serve`, `worker`): logs to stderr at `info` by default and
 * retries notification deliveries on a timer. Short commands log only when `ROTOR_LOG_LEVEL` or
 * `ROTOR_LOG_FILE` asks them to, so their plain-text output stays clean.
 */
export function createOps(o: {
  config: RotorConfig;
  db: Db;
  long: boolean;
  clock?: Clock;
  fetch?: typeof fetch;
  logger?: Logger;
}): Ops {
  const { config } = o;
  const secrets = [
    config.x.demo ? undefined : config.x.clientSecret,
    config.ops.webhook?.secret,
    config.ops.email?.smtpUrl,
    config.keys,
    ...(config.keys ?? '').split(',').map((e) => e.slice(e.indexOf(':') + 1).trim()),
  ];
  const logger =
    o.logger ??
    createLogger({
      level: config.ops.logLevel ?? 'info',
      // Short commands keep stderr for people: they log there only when asked, and not when a
      // log file takes the lines.
      stderr: o.long || (config.ops.logLevel !== undefined && config.ops.logFile === undefined),
      file: config.ops.logFile,
      secrets,
    });
  const metrics = createMetrics({ db: o.db });
  const clock = o.clock ?? systemClock;
  const notifier = new Notifier({
    db: o.db,
    logger: logger.child({ component: 'notifier' }),
    metrics,
    locale: config.ops.locale,
    clock,
    ...(config.ops.email ? { mailer: createMailer(config.ops.email) } : {}),
    ...(config.ops.webhook ? { webhook: config.ops.webhook } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  if (o.long) notifier.start();
  return {
    logger,
    metrics,
    audit: createAudit(logger, clock),
    notifier,
    close: () => notifier.stop(),
  };
}

/**
 * Connects the vault's events to metrics, the audit log and notifications. Returns a function
 * that disconnects them.
 */
export function observeVault(ops: Ops, events: VaultEvents, clientId: string): () => void {
  const { metrics, audit, notifier, logger } = ops;
  const degradedToldAt = new Map<string, number>();
  const offs = [
    events.on('refresh_done', (e) => {
      metrics.refreshes.inc({ outcome: e.outcome });
      metrics.refreshSeconds.observe(e.durationMs / 1000);
      logger.debug(
        { accountId: e.accountId, outcome: e.outcome, ms: Math.round(e.durationMs) },
        'refresh answered',
      );
    }),
    events.on('refreshed', (e) =>
      audit('token_refreshed', {
        accountId: e.accountId,
        version: e.version,
        accessExpiresAt: new Date(e.expiresAt).toISOString(),
      }),
    ),
    events.on('refresh_failed', (e) =>
      audit('token_refresh_failed', {
        accountId: e.accountId,
        errorCode: e.code,
        outcomeUnknown: e.outcomeUnknown,
      }),
    ),
    events.on('lease_waited', (e) => metrics.leaseWaitSeconds.observe(e.durationMs / 1000)),
    events.on('refresh_degraded', (e) => {
      metrics.degradedHandOuts.inc({ because: e.because });
      // Told once a minute per account while it lasts: work goes on with the still-valid token.
      const last = degradedToldAt.get(e.accountId) ?? -Infinity;
      if (Date.now() - last < 60_000) return;
      degradedToldAt.set(e.accountId, Date.now());
      logger.warn(
        { accountId: e.accountId, because: e.because, accessExpiresAt: new Date(e.expiresAt).toISOString() },
        'refresh not possible now: the still-valid access token is used meanwhile',
      );
    }),
    events.on('release_failed', (e) =>
      logger.warn(
        { accountId: e.accountId, error: e.message },
        'a refresh lease could not be given back; it ends at its expiry',
      ),
    ),
    events.on('pair_kept', (e) =>
      logger.warn(
        { accountId: e.accountId, why: e.why },
        'the new token pair is kept (journal) until the database takes it',
      ),
    ),
    events.on('journal_failed', (e) =>
      logger.error(
        { accountId: e.accountId, error: e.message },
        'the journal could not be written: the new pair is in memory only',
      ),
    ),
    events.on('reauth_required', (e) => {
      audit('reauth_required', { accountId: e.accountId, username: e.username, reason: e.reason });
      void notifier.notify({ kind: 'reauth_required', accountId: e.accountId, reason: e.reason });
    }),
    events.on('horizon_approaching', (e) => {
      void notifier.notify({ kind: 'horizon_approaching', accountId: e.accountId, endsAt: e.endsAt });
    }),
    events.on('invalid_client', () => {
      audit('invalid_client', { clientId });
      logger.error(
        { clientId },
        "X refused Rotor's client credentials: refreshing is paused for every account",
      );
      void notifier.notify({ kind: 'invalid_client', clientId });
    }),
    events.on('reuse_suspected', (e) =>
      logger.warn({ accountId: e.accountId }, 'a spent refresh token may have been presented (lost lease)'),
    ),
    events.on('decryption_failed', (e) => {
      metrics.decryptionFailures.inc();
      logger.error(
        { accountId: e.accountId, username: e.username },
        'stored tokens did not decrypt: check ROTOR_KEYS (`rotor keys status`)',
      );
      void notifier.notify({ kind: 'decryption_failed', accountId: e.accountId });
    }),
    events.on('connected', (e) =>
      audit('account_connected', { accountId: e.accountId, username: e.username, ownerId: e.ownerId }),
    ),
    events.on('disconnected', (e) =>
      audit('account_disconnected', {
        accountId: e.accountId,
        username: e.username,
        revokedAtX: e.revokedAtX,
      }),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * The publisher's observer: posts by outcome, publish lateness, X's rate limits, the audit log,
 * and notifications for failed posts and unknown outcomes.
 */
export function publishObserver(ops: Ops, db: Db, clock: Clock = systemClock): PublishObserver {
  const { metrics, audit, notifier } = ops;
  const late = new LatenessReader(db, clock);
  return {
    result(postId, result, source) {
      switch (result.kind) {
        case 'published':
          metrics.posts.inc({ outcome: 'published' });
          audit('post_published', { postId, xPostId: result.xPostId });
          void late.lateness(postId).then((s) => {
            if (s !== undefined) metrics.publishLateness.observe(s);
          });
          return;
        case 'failed':
          metrics.posts.inc({ outcome: 'failed' });
          audit('post_failed', { postId, reason: result.reason });
          void notifier.notify({ kind: 'post_failed', postId, reason: result.reason });
          return;
        case 'unknown':
          // A lookup that still cannot tell is the same unknown outcome, not a new one.
          if (source === 'lookup') return;
          metrics.posts.inc({ outcome: 'unknown' });
          audit('post_unknown', { postId, reason: result.reason });
          void notifier.notify({ kind: 'post_unknown', postId });
          return;
        case 'blocked':
          metrics.posts.inc({ outcome: 'blocked' });
          audit('post_blocked', { postId, reason: result.reason });
          return;
        case 'rescheduled':
          metrics.posts.inc({ outcome: 'rescheduled' });
          return;
        default:
          return;
      }
    },
    limits(accountId, limits) {
      if (limits.window) metrics.noteRateLimit('posts_15m', accountId, limits.window.remaining);
      if (limits.user24h) metrics.noteRateLimit('user_posts_24h', accountId, limits.user24h.remaining);
      if (limits.app24h) metrics.noteRateLimit('app_posts_24h', 'app', limits.app24h.remaining);
    },
  };
}
