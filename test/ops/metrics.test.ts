/**
 * `/metrics` moves with real events (a refresh against the emulator, a refusal, a lease wait, a
 * published and a failed post, X's rate-limit headers), and `/readyz` says when the database or
 * the migrations are not there — both mounted on a bare Hono app with `mountOpsRoutes`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { loadConfig } from '../../src/core/config.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createOps, observeVault, publishObserver } from '../../src/ops/ops.ts';
import { Publisher } from '../../src/scheduler/publisher.ts';
import { findAccount } from '../../src/store/accounts.ts';
import { listNotifications } from '../../src/store/notifications.ts';
import { insertPost } from '../../src/store/posts.ts';
import { mountOpsRoutes, requestLogging } from '../../src/web/ops-routes.ts';
import { XClient } from '../../src/x/client.ts';
import { openTestDb } from '../helpers/db.ts';
import { control } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

/** One sample's value from Prometheus text, e.g. `rotor_token_refreshes_total{outcome="rotated"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('/metrics values move with real refreshes, lease waits, posts and rate limits', async () => {
  const s = await vaultSetup('postgres', { accessTokenTtl: 60 }, { refreshMarginMs: 30_000 });
  const config = loadConfig({
    X_EMULATOR_URL: s.emu.url,
    ROTOR_KEYS: 'k1:' + Buffer.alloc(32).toString('base64'),
  });
  const ops = createOps({ config, db: s.t.db, long: false, logger: createLogger({ level: 'silent' }) });
  after(() => ops.close());
  observeVault(ops, s.vault.events, 'rotor-demo');
  const app = new Hono();
  app.use('*', requestLogging(ops.logger));
  mountOpsRoutes(app, { db: s.t.db, keyRing: s.keyRing, metrics: ops.metrics });
  const scrape = async () => {
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok(res.headers.get('x-request-id'));
    return res.text();
  };

  const alice = await s.connectAs('alice');
  const bob = await s.connectAs('bob');
  let m = await scrape();
  assert.equal(sample(m, 'rotor_token_refreshes_total{outcome="rotated"}'), 0);
  assert.equal(sample(m, 'rotor_accounts{status="active"}'), 2);

  // Past the margin: one refresh, rotated, timed.
  await control(s.emu, 'POST', '/clock', { advanceSeconds: 40 });
  await s.vault.getAccessToken(alice);
  m = await scrape();
  assert.equal(sample(m, 'rotor_token_refreshes_total{outcome="rotated"}'), 1);
  assert.equal(sample(m, 'rotor_token_refresh_duration_seconds_count'), 1);

  // Two vaults (two processes' worth) at once: one refreshes, the other waits for its lease.
  await control(s.emu, 'POST', '/clock', { advanceSeconds: 40 });
  await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'latency', latencyMs: 300 });
  const other = s.newVault();
  observeVault(ops, other.events, 'rotor-demo');
  await Promise.all([s.vault.getAccessToken(bob), other.getAccessToken(bob)]);
  m = await scrape();
  assert.equal(sample(m, 'rotor_token_refreshes_total{outcome="rotated"}'), 2);
  assert.equal(sample(m, 'rotor_lease_wait_seconds_count'), 1);

  // A revoked grant: rejected, the account needs its user, the owner is told in the app.
  await control(s.emu, 'POST', '/grants/revoke', { username: 'bob' });
  await control(s.emu, 'POST', '/clock', { advanceSeconds: 40 });
  await assert.rejects(s.vault.getAccessToken(bob));
  await ops.notifier.settled();
  m = await scrape();
  assert.equal(sample(m, 'rotor_token_refreshes_total{outcome="rejected"}'), 1);
  assert.equal(sample(m, 'rotor_accounts{status="active"}'), 1);
  assert.equal(sample(m, 'rotor_accounts{status="reauth_required"}'), 1);
  const owner = (await findAccount(s.t.db, { id: bob }))?.ownerId ?? '';
  assert.deepEqual(
    (await listNotifications(s.t.db, owner)).map((n) => n.kind),
    ['reauth_required'],
  );

  // Posts: one published (late by about a second), one refused by X (402), queue depth.
  const clock = { now: () => s.emu.world.now() };
  const publisher = new Publisher({
    db: s.t.db,
    vault: s.vault,
    x: new XClient({ apiBase: s.emu.url }),
    clock,
    observer: publishObserver(ops, s.t.db, clock),
  });
  const due = await insertPost(s.t.db, {
    accountId: alice,
    text: 'measured',
    status: 'scheduled',
    dueAt: Date.now() - 1000,
  });
  const later = await insertPost(s.t.db, {
    accountId: alice,
    text: 'refused',
    status: 'scheduled',
    dueAt: Date.now() - 1000,
  });
  assert.ok(due && later);
  m = await scrape();
  assert.equal(sample(m, 'rotor_queue_depth'), 2);
  assert.equal((await publisher.publish(due.id)).kind, 'published');
  await control(s.emu, 'POST', '/faults', { target: 'tweets', kind: 'error', status: 402 });
  assert.equal((await publisher.publish(later.id)).kind, 'failed');
  await ops.notifier.settled();
  await new Promise((r) => setTimeout(r, 100)); // the lateness query runs after the result
  m = await scrape();
  assert.equal(sample(m, 'rotor_posts_total{outcome="published"}'), 1);
  assert.equal(sample(m, 'rotor_posts_total{outcome="failed"}'), 1);
  assert.equal(sample(m, 'rotor_publish_lateness_seconds_count'), 1);
  assert.ok(sample(m, 'rotor_publish_lateness_seconds_sum') >= 1);
  assert.equal(sample(m, 'rotor_queue_depth'), 0);
  assert.equal(sample(m, 'rotor_posts{status="published"}'), 1);
  // The emulator's 15-minute posting window: 100, one used.
  assert.equal(sample(m, 'rotor_x_rate_limit_remaining{limit="posts_15m"}'), 99);
  const ownerA = (await findAccount(s.t.db, { id: alice }))?.ownerId ?? '';
  assert.deepEqual(
    (await listNotifications(s.t.db, ownerA)).map((n) => [n.kind, n.data.text]),
    [['post_failed', 'refused']],
  );
});

test('/readyz: 200 when the database and key ring work, 503 with a plain reason otherwise', async () => {
  const s = await vaultSetup('pglite');
  const metrics = createOps({
    config: loadConfig({}),
    db: s.t.db,
    long: false,
    logger: createLogger({ level: 'silent' }),
  }).metrics;
  const app = new Hono();
  mountOpsRoutes(app, { db: s.t.db, keyRing: s.keyRing, metrics });
  const ok = await app.request('/readyz');
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'ready\n');

  // Migrations missing: a database nobody migrated.
  const bare = await openTestDb('postgres');
  after(() => bare.close());
  await bare.db.query('DELETE FROM rotor_migrations WHERE id = (SELECT max(id) FROM rotor_migrations)');
  const stale = new Hono();
  mountOpsRoutes(stale, { db: bare.db, keyRing: s.keyRing, metrics });
  const r1 = await stale.request('/readyz');
  assert.equal(r1.status, 503);
  assert.match(await r1.text(), /^not ready: the database lacks migrations \d+–\d+\n$/);

  // The database gone.
  const gone = await openTestDb('postgres');
  await gone.close();
  const down = new Hono();
  mountOpsRoutes(down, { db: gone.db, keyRing: s.keyRing, metrics, readyTimeoutMs: 500 });
  const r2 = await down.request('/readyz');
  assert.equal(r2.status, 503);
  assert.equal(await r2.text(), 'not ready: the database does not answer\n');

  // /metrics with a token.
  const guarded = new Hono();
  mountOpsRoutes(guarded, { db: s.t.db, keyRing: s.keyRing, metrics, metricsToken: 'scrape-me-please' });
  assert.equal((await guarded.request('/metrics')).status, 401);
  const authed = await guarded.request('/metrics', { headers: { authorization: 'Bearer scrape-me-please' } });
  assert.equal(authed.status, 200);
  assert.match(await authed.text(), /# TYPE rotor_token_refreshes_total counter/);
});
