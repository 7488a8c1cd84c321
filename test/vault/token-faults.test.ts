/**
 * Every emulator fault on the token endpoint (properties 9, 10, 15, 16): a typed error or a
 * correct recovery, stored tokens untouched unless X really rotated, never a hang past the
 * deadline, never an unbounded read.
 */
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { isRotorError } from '../../src/core/errors.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { xProvider } from '../../src/oauth/x.ts';
import { refreshTokens } from '../../src/oauth/token-client.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

const HTTP_TIMEOUT = 800;
const s = await vaultSetup(
  'pglite',
  {},
  { httpTimeoutMs: HTTP_TIMEOUT, leaseTtlMs: 4_000, refreshMarginMs: 3 * 3600_000 },
);
afterEach(() => control(s.emu, 'DELETE', '/faults'));
const fault = (spec: Record<string, unknown>) =>
  control(s.emu, 'POST', '/faults', { target: 'token', ...spec });

/** A token that must live 3 h: the stored one (2 h) cannot be handed out instead of refreshing. */
const NEED = { minValidityMs: 3 * 3600_000 };

async function fresh(username: string) {
  const id = await s.connectAs(username);
  return { id, vault: s.newVault() };
}
const statusOf = async (id: string) => (await listAccounts(s.t.db)).find((a) => a.id === id);

describe('token endpoint faults', () => {
  test('latency under the deadline: the refresh succeeds', async () => {
    const { id, vault } = await fresh('alice');
    await fault({ kind: 'latency', latencyMs: 200 });
    const token = await vault.getAccessToken(id, NEED);
    assert.ok(token.accessToken);
  });

  test('503 with an HTML body (three times): x_unavailable, tokens untouched, account active', async () => {
    const { id, vault } = await fresh('bob');
    await fault({ kind: 'error', status: 503, times: 3 });
    await assert.rejects(
      vault.getAccessToken(id, NEED),
      (e) => isRotorError(e, 'x_unavailable') && e.transient && e.status === 503,
    );
    assert.equal((await statusOf(id))?.status, 'active');
    await vault.getAccessToken(id, NEED);
    assert.equal((await state(s.emu)).reuseDetected, 0);
  });

  test('503 once: retried with backoff inside the call, which succeeds', async () => {
    const { id, vault } = await fresh('hanako');
    await fault({ kind: 'error', status: 502 });
    assert.ok((await vault.getAccessToken(id, NEED)).accessToken);
  });

  test('429: x_rate_limited with the reset, no retry storm, tokens untouched', async () => {
    const { id, vault } = await fresh('alice');
    const before = (await state(s.emu)).tokenRequests.refresh_token;
    await fault({ kind: 'error', status: 429 });
    await assert.rejects(
      vault.getAccessToken(id, NEED),
      (e) => isRotorError(e, 'x_rate_limited') && typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0,
    );
    assert.equal((await state(s.emu)).tokenRequests.refresh_token, before + 1);
    assert.ok((await vault.getAccessToken(id, NEED)).accessToken);
  });

  test('a hung response ends at the deadline; X never processed it, so the retry works', async () => {
    const { id, vault } = await fresh('bob');
    await fault({ kind: 'hang' });
    const started = Date.now();
    const token = await vault.getAccessToken(id, NEED);
    const elapsed = Date.now() - started;
    assert.ok(token.accessToken);
    assert.ok(elapsed >= HTTP_TIMEOUT && elapsed < HTTP_TIMEOUT * 4 + 1000, `took ${elapsed} ms`);
    assert.equal((await state(s.emu)).reuseDetected, 0);
  });

  test('hung twice: a typed transient error, no hang, account still active', async () => {
    const { id, vault } = await fresh('hanako');
    await fault({ kind: 'hang', times: 2 });
    const started = Date.now();
    await assert.rejects(
      vault.getAccessToken(id, NEED),
      (e) => isRotorError(e, 'x_unavailable') && e.transient,
    );
    assert.ok(Date.now() - started < HTTP_TIMEOUT * 5 + 1000);
    assert.equal((await statusOf(id))?.status, 'active');
  });

  for (const variant of ['truncated_json', 'not_json', 'wrong_types', 'empty']) {
    test(`a malformed 200 (${variant}) twice: invalid_response, stored tokens untouched (property 9)`, async () => {
      const { id, vault } = await fresh('alice');
      const before = (await state(s.emu)).tokenRequests.refresh_token;
      await fault({ kind: 'malformed', variant, times: 2 });
      await assert.rejects(
        vault.getAccessToken(id, NEED),
        (e) => isRotorError(e, 'invalid_response') && e.transient,
      );
      assert.equal((await statusOf(id))?.status, 'active');
      assert.equal((await state(s.emu)).tokenRequests.refresh_token - before, 2, 'sent twice, not more');
      assert.ok(
        (await vault.getAccessToken(id)).accessToken,
        'the stored access token, still valid, is handed out (property 35)',
      );
    });
  }

  test('a lost response (X rotated, the answer never came): reauth_required/lost_response (property 16)', async () => {
    const { id, vault } = await fresh('bob');
    await fault({ kind: 'lost_response' });
    await assert.rejects(
      vault.getAccessToken(id, NEED),
      (e) => isRotorError(e, 'reauth_required') && e.reason === 'lost_response',
    );
    const row = await statusOf(id);
    assert.equal(row?.status, 'reauth_required');
    assert.equal(row?.reason, 'lost_response');
  });

  test('latency past the deadline: X rotates after Rotor gave up; one retry, then lost_response', async () => {
    const { id, vault } = await fresh('hanako');
    await fault({ kind: 'latency', latencyMs: HTTP_TIMEOUT + 300 });
    await assert.rejects(
      vault.getAccessToken(id, NEED),
      (e) => isRotorError(e, 'reauth_required') && e.reason === 'lost_response',
    );
  });

  test('invalid_client stops refreshing for every account (property 17)', async () => {
    const a = await fresh('alice');
    const b = await s.connectAs('bob');
    const wrong = xProvider({
      clientId: 'rotor-demo',
      clientSecret: 'wrong',
      redirectUri: s.provider.redirectUri,
      emulatorUrl: s.emu.url,
    });
    const vault = s.newVault({ provider: wrong });
    const alerts: string[] = [];
    vault.events.on('invalid_client', (e) => alerts.push(e.providerId));
    await assert.rejects(vault.getAccessToken(a.id, NEED), (e) => isRotorError(e, 'invalid_client'));
    const before = (await state(s.emu)).tokenRequests.refresh_token;
    await assert.rejects(vault.getAccessToken(b, NEED), (e) => isRotorError(e, 'invalid_client'));
    assert.equal(
      (await state(s.emu)).tokenRequests.refresh_token,
      before,
      'no request for the second account',
    );
    assert.deepEqual(alerts, ['x']);
    assert.equal((await statusOf(a.id))?.status, 'active', 'not the user’s fault');
  });
});

describe('unknown outcomes across processes (property 16)', () => {
  test('three processes, X never answering: the refresh token is sent at most twice', async () => {
    const id = await s.connectAs('bob');
    await fault({ kind: 'hang', times: null });
    const before = (await state(s.emu)).tokenRequests.refresh_token;
    const vaults = [
      s.newVault({ leaseWaitMs: 6_000 }),
      s.newVault({ leaseWaitMs: 6_000 }),
      s.newVault({ leaseWaitMs: 6_000 }),
    ];
    const results = await Promise.allSettled(vaults.map((v) => v.getAccessToken(id, NEED)));
    const sends = (await state(s.emu)).tokenRequests.refresh_token - before;
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.ok(sends >= 1 && sends <= 2, `sent ${sends} times`);
    assert.equal((await statusOf(id))?.status, 'active', 'still not the user’s problem');
  });
});

describe('hostile token endpoints (property 10)', () => {
  async function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const p = xProvider({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:3000/cb',
      emulatorUrl: `http://127.0.0.1:${port}`,
    });
    const outcome = await refreshTokens(p, 'rt', { limits: { timeoutMs: 2_000 } });
    server.close();
    return outcome;
  }

  test('a 401 with WWW-Authenticate (RFC 6749 §5.2) is invalid_client, not a network error', async () => {
    const outcome = await answering(
      401,
      { error: 'invalid_client' },
      { 'www-authenticate': 'Basic realm="x"' },
    );
    assert.equal(outcome.kind, 'invalid_client');
  });

  test('invalid_grant with a WWW-Authenticate header is still a refused grant', async () => {
    const outcome = await answering(
      400,
      { error: 'invalid_grant' },
      { 'www-authenticate': 'Bearer error="invalid_grant"' },
    );
    assert.equal(outcome.kind, 'rejected');
  });

  test('expires_in as a string is not a valid token response (property 9)', async () => {
    const outcome = await answering(200, {
      token_type: 'bearer',
      access_token: 'a',
      refresh_token: 'r',
      expires_in: '7200',
    });
    assert.ok(outcome.kind === 'transient' && outcome.code === 'invalid_response' && outcome.outcomeUnknown);
  });

  test('a gateway 504 leaves the outcome unknown; a 503 does not', async () => {
    const gw = await answering(504, { title: 'gateway' });
    const busy = await answering(503, { title: 'busy' });
    assert.ok(gw.kind === 'transient' && gw.outcomeUnknown);
    assert.ok(busy.kind === 'transient' && !busy.outcomeUnknown);
  });

  test('an endless response body is cut off at the size cap, without buffering it all', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) {
          /* keep writing */
        }
      };
      res.on('drain', pump);
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const hostile = xProvider({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:3000/cb',
      emulatorUrl: `http://127.0.0.1:${port}`,
    });
    const before = process.memoryUsage().rss;
    const outcome = await refreshTokens(hostile, 'rt', { limits: { timeoutMs: 5_000, maxBytes: 64 * 1024 } });
    server.closeAllConnections();
    server.close();
    assert.equal(outcome.kind, 'transient');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stayed bounded');
  });

  test('a response that trickles forever ends at the overall deadline', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const slow = xProvider({
      clientId: 'c',
      clientSecret: 's',
      redirectUri: 'http://127.0.0.1:3000/cb',
      emulatorUrl: `http://127.0.0.1:${port}`,
    });
    const started = Date.now();
    const outcome = await refreshTokens(slow, 'rt', { limits: { timeoutMs: 500 } });
    server.closeAllConnections();
    server.close();
    assert.equal(outcome.kind, 'transient');
    assert.ok(outcome.kind === 'transient' && outcome.outcomeUnknown);
    assert.ok(Date.now() - started < 2_000);
  });
});
