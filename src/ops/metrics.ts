/**
 * @module Rotor's Prometheus metrics (`prom-client`, one registry per process, names prefixed
 * `rotor_`). Counters and histograms move with events in this process (refreshes, lease waits,
 * posts); gauges that describe the whole installation (accounts by status, queue depth) are read
 * from the database when `/metrics` is scraped, so every process reports the same truth.
 */
import { countAccountsByStatus, countOverduePosts, countPostsByStatus } from '../store/gauges.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queryable } from '../store/db.ts';

export type RefreshOutcome = 'rotated' | 'rejected' | 'invalid_client' | 'transient' | 'lost_race';
export type PostOutcome = 'published' | 'failed' | 'blocked' | 'unknown' | 'rescheduled';
export type RateLimitName = 'posts_15m' | 'user_posts_24h' | 'app_posts_24h';

export interface RotorMetrics {
  readonly registry: Registry;
  /** Token refreshes sent to X, by outcome. */
  readonly refreshes: Counter<'outcome'>;
  /** Still-valid tokens handed out because no refresh could happen, by cause (property 35). */
  readonly degradedHandOuts: Counter<'because'>;
  /** Time from sending a refresh to X's answer (s). */
  readonly refreshSeconds: Histogram;
  /** Callers that waited for another process's refresh, and how long (s). */
  readonly leaseWaitSeconds: Histogram;
  /** Stored tokens that did not decrypt. */
  readonly decryptionFailures: Counter;
  /** Publish results, by outcome. */
  readonly posts: Counter<'outcome'>;
  /** Published time minus due time (s). */
  readonly publishLateness: Histogram;
  /** Notification deliveries, by channel and result. */
  readonly deliveries: Counter<'channel' | 'result'>;
  /** X's rate limits as last seen by this process: lowest remaining across accounts. */
  noteRateLimit(name: RateLimitName, accountId: string, remaining: number): void;
}

/**
 * Creates the registry and its metrics. `db` feeds the installation-wide gauges at scrape time
 * (accounts by status, posts by status, queue depth); without it they are absent.
 *
 * @example
 * const metrics = createMetrics({ db });
 * res.send(await metrics.registry.metrics());
 */
export function createMetrics(o: { db?: Queryable; defaultMetrics?: boolean } = {}): RotorMetrics {
  const registry = new Registry();
  if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'rotor_' });
  const refreshes = new Counter({
    name: 'rotor_token_refreshes_total',
    help: 'Token refreshes sent to X, by outcome (rotated, rejected, invalid_client, transient, lost_race)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const refreshSeconds = new Histogram({
    name: 'rotor_token_refresh_duration_seconds',
    help: "Time from sending a refresh token to X's answer",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15],
    registers: [registry],
  });
  const leaseWaitSeconds = new Histogram({
    name: 'rotor_lease_wait_seconds',
    help: "Time a caller waited for another process's refresh of the same account",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const degradedHandOuts = new Counter({
    name: 'rotor_token_degraded_total',
    help: 'Still-valid access tokens handed out because no refresh could happen now, by cause',
    labelNames: ['because'] as const,
    registers: [registry],
  });
  const decryptionFailures = new Counter({
    name: 'rotor_decryption_failures_total',
    help: 'Stored tokens that could not be decrypted (a missing or wrong key, or tampering)',
    registers: [registry],
  });
  const posts = new Counter({
    name: 'rotor_posts_total',
    help: 'Publish results, by outcome (published, failed, blocked, unknown, rescheduled)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const publishLateness = new Histogram({
    name: 'rotor_publish_lateness_seconds',
    help: 'How long after its due time a post was published',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'rotor_notification_deliveries_total',
    help: 'Notification deliveries by channel (email, webhook) and result (delivered, retry, failed)',
    labelNames: ['channel', 'result'] as const,
    registers: [registry],
  });
  const limits = new Map<RateLimitName, Map<string, number>>();
  new Gauge({
    name: 'rotor_x_rate_limit_remaining',
    help: "X's rate limits as last seen by this process: the lowest remaining across accounts",
    labelNames: ['limit'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, byAccount] of limits) this.set({ limit: name }, Math.min(...byAccount.values()));
    },
  });
  if (o.db) {
    const db = o.db;
    new Gauge({
      name: 'rotor_accounts',
      help: 'Connected accounts by status (active, reauth_required)',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const rows = await countAccountsByStatus(db);
        this.reset();
        for (const s of ['active', 'reauth_required']) this.set({ status: s }, 0);
        for (const r of rows) this.set({ status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'rotor_posts',
      help: 'Posts by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const rows = await countPostsByStatus(db);
        this.reset();
        for (const r of rows) this.set({ status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'rotor_queue_depth',
      help: 'Posts due now and not yet being published (scheduled with a due time in the past)',
      registers: [registry],
      async collect() {
        this.set(await countOverduePosts(db));
      },
    });
  }
  return {
    registry,
    refreshes,
    refreshSeconds,
    leaseWaitSeconds,
    degradedHandOuts,
    decryptionFailures,
    posts,
    publishLateness,
    deliveries,
    noteRateLimit(name, accountId, remaining) {
      let byAccount = limits.get(name);
      if (!byAccount) limits.set(name, (byAccount = new Map<string, number>()));
      byAccount.set(accountId, remaining);
    },
  };
}
