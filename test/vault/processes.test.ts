/**
 * Real OS processes against the emulator in strict mode (family revocation) and one PostgreSQL:
 * refresh storms across processes (property 11) and `kill -9` at each step of a refresh
 * (properties 12, 13, 16).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listAccounts } from '../../src/store/accounts.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { isRotorError } from '../../src/core/errors.ts';
import { openTestDb } from '../helpers/db.ts';
import { emulator, state } from '../helpers/emulator.ts';
import { runVaultProcess } from '../helpers/processes.ts';
import { connectorFor } from '../helpers/vault.ts';
import { after } from 'node:test';

const USERS = Array.from({ length: 16 }, (_, i) => ({
  id: String(2000000000000000000n + BigInt(i)),
  username: `user${i}`,
  name: `User ${i}`,
}));
const TTL = 3;

const emu = await emulator({ accessTokenTtl: TTL, users: USERS, reuse: 'family' });
const t = await openTestDb('postgres');
after(() => t.close());
const { key, keyRing, provider, connectAs } = connectorFor(emu, t.db);
const base = { databaseUrl: t.url, emulatorUrl: emu.url, key };

const grantOf = async (username: string) =>
  (await state(emu)).grants.filter((g) => g.username === username).at(-1);

describe('refresh storm across processes (property 11)', () => {
  test('4 processes × 6 callers × 8 accounts past expiry: one refresh per account per expiry, no reuse', async () => {
    const names = USERS.slice(0, 8).map((u) => u.username);
    const ids: string[] = [];
    for (const n of names) ids.push(await connectAs(n));
    const durationMs = 7000;
    const runs = Array.from({ length: 4 }, () =>
      runVaultProcess({
        ...base,
        mode: 'storm',
        accounts: ids,
        callers: 6,
        durationMs,
        refreshMarginMs: 1000,
      }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim()) as { calls: number; errors: Record<string, number> };
      assert.deepEqual(out.errors, {}, 'every caller served');
      assert.ok(out.calls > 100);
    }
    const s = await state(emu);
    assert.equal(s.reuseDetected, 0, 'X never saw a spent refresh token');
    assert.equal(s.familiesRevoked, 0);
    // A token lives 3 s and is refreshed with < 1 s left: at most one refresh per ~2 s per account.
    const most = Math.floor(durationMs / ((TTL - 1) * 1000)) + 1;
    for (const n of names) {
      const g = await grantOf(n);
      assert.equal(g?.status, 'active');
      assert.ok(
        g && g.refreshCount >= 2 && g.refreshCount <= most,
        `${n}: ${g?.refreshCount} refreshes (≤ ${most})`,
      );
    }
    const accounts = await listAccounts(t.db);
    assert.ok(accounts.filter((a) => ids.includes(a.id)).every((a) => a.status === 'active'));
  });
});

describe('kill -9 at each step of a refresh', () => {
  const vaultAfter = () =>
    new TokenVault({
      db: t.db,
      provider,
      keyRing,
      refreshMarginMs: 60_000,
      leaseTtlMs: 3_000,
      httpTimeoutMs: 1_000,
      doubtGraceMs: 1_000, // the dead process's lease is in doubt: taken over after its expiry + this
    });

  async function crashAt(step: string, username: string, opts: Record<string, unknown> = {}) {
    const id = await connectAs(username);
    const run = runVaultProcess({
      ...base,
      mode: 'crash',
      accounts: [id],
      crashAt: step,
      refreshMarginMs: 60_000, // always refresh
      leaseTtlMs: 3_000,
      httpTimeoutMs: 1_000,
      ...opts,
    });
    const result = await run.done;
    assert.equal(result.signal, 'SIGKILL', `the process died at ${step}: ${result.stderr}`);
    return id;
  }

  test('killed with the lease taken, before sending: the next process waits out the lease and refreshes', async () => {
    const id = await crashAt('lease_taken', 'user8');
    const before = await state(emu);
    const token = await vaultAfter().getAccessToken(id);
    assert.ok(token.accessToken);
    const after = await state(emu);
    assert.equal(after.reuseDetected, before.reuseDetected);
    assert.equal((await grantOf('user8'))?.status, 'active');
  });

  test('killed right after leasing the version it handed out (the lease marks the send): the next process waits out the doubt and refreshes', async () => {
    const id = await crashAt('lease_taken', 'user15', { rejectHeld: true });
    const row = await readTokenSet(t.db, id);
    assert.equal(row?.inDoubt, true, 'the lease at the held version set the write-ahead mark with it');
    const before = await state(emu);
    const token = await vaultAfter().getAccessToken(id);
    assert.ok(token.accessToken, 'the refresh token never went out: X accepts it after the doubt grace');
    const after = await state(emu);
    assert.equal(after.reuseDetected, before.reuseDetected);
    assert.equal((await grantOf('user15'))?.status, 'active');
    assert.equal((await listAccounts(t.db)).find((a) => a.id === id)?.status, 'active');
  });

  for (const [step, user, extra] of [
    ['request_sent', 'user9', { crashDelayMs: 300 }],
    ['response_received', 'user10', {}],
  ] as const) {
    test(`killed at ${step}: X rotated and nobody kept the answer → reauth_required/lost_response`, async () => {
      if (step === 'request_sent') {
        // The token request is still being processed at X when the process dies.
        await fetch(`${emu.url}/_emulator/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ target: 'token', kind: 'latency', latencyMs: 600 }),
        });
      }
      const id = await crashAt(step, user, extra);
      await new Promise((r) => setTimeout(r, 700));
      // A token that must outlive the stored one (3 s): it cannot be handed out instead (property 35).
      await assert.rejects(
        vaultAfter().getAccessToken(id, { minValidityMs: 10_000 }),
        (e) => isRotorError(e, 'reauth_required') && e.reason === 'lost_response',
      );
      const row = (await listAccounts(t.db)).find((a) => a.id === id);
      assert.equal(row?.status, 'reauth_required');
      assert.equal(row?.reason, 'lost_response');
    });
  }

  test('killed right after storing: the next process uses the stored pair, no refresh', async () => {
    const id = await crashAt('stored', 'user11');
    const before = (await state(emu)).tokenRequests.refresh_token;
    const v = new TokenVault({ db: t.db, provider, keyRing, leaseTtlMs: 3_000, httpTimeoutMs: 1_000 });
    const token = await v.getAccessToken(id);
    const me = await fetch(`${emu.url}/2/users/me`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    assert.equal(me.status, 200);
    assert.equal((await state(emu)).tokenRequests.refresh_token, before);
  });
});
