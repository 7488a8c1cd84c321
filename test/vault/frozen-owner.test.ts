/**
 * A lease owner frozen (SIGSTOP, as a GC pause or a VM freeze would) at each step of a refresh,
 * on real processes against the emulator in strict mode (family revocation) and one PostgreSQL
 * (properties 33, 34, 36). Ordering comes from hooks: the child stops itself at a step and says
 * so; the other process continues it from its own `onStep`. Lease 3 s, HTTP deadline 1 s, doubt
 * grace 0.5 s (production: 30 s, 15 s, 15 s).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRotorError } from '../../src/core/errors.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { TokenVault, type RefreshStep } from '../../src/vault/vault.ts';
import { openTestDb } from '../helpers/db.ts';
import { control, emulator, state } from '../helpers/emulator.ts';
import { runVaultProcess } from '../helpers/processes.ts';
import { connectorFor } from '../helpers/vault.ts';

const USERS = Array.from({ length: 6 }, (_, i) => ({
  id: String(2100000000000000000n + BigInt(i)),
  username: `frozen${i}`,
  name: `Frozen ${i}`,
}));
const emu = await emulator({ accessTokenTtl: 3, users: USERS, reuse: 'family' });
const t = await openTestDb('postgres');
after(() => t.close());
const { key, keyRing, provider, connectAs } = connectorFor(emu, t.db);
const LEASE = { leaseTtlMs: 3_000, httpTimeoutMs: 1_000, doubtGraceMs: 500 };
/** Every call asks for a token that outlives the stored one (3 s): a refresh is needed. */
const NEED = { minValidityMs: 10_000 };

const grantOf = async (username: string) =>
  (await state(emu)).grants.filter((g) => g.username === username).at(-1);

/** Resolves once the process is stopped (state `T` in /proc). */
async function stopped(pid: number): Promise<void> {
  for (;;) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) T /.test(stat)) return;
    await new Promise((r) => setImmediate(r));
  }
}

/** Starts a child that freezes itself at `step` during its refresh; resolves once it is stopped. */
async function frozenAt(step: RefreshStep, id: string, extra: Record<string, unknown> = {}) {
  const run = runVaultProcess({
    databaseUrl: t.url,
    emulatorUrl: emu.url,
    key,
    mode: 'freeze',
    accounts: [id],
    freezeAt: step,
    refreshMarginMs: 60_000,
    ...NEED,
    ...LEASE,
    ...extra,
  });
  await new Promise<void>((resolve, reject) => {
    run.child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('frozen')) resolve();
    });
    void run.done.then((r) => reject(new Error(`the child ended before freezing: ${r.stderr}`)));
  });
  await stopped(run.child.pid ?? 0);
  const result = async () => {
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
    return JSON.parse(last) as { token?: string; error?: string; kept: string[] };
  };
  return { child: run.child, result };
}

/** A vault in this process that continues `child` when it reaches `at`. */
function other(child: { kill(signal: NodeJS.Signals): boolean }, at: RefreshStep, extra = {}) {
  return new TokenVault({
    db: t.db,
    provider,
    keyRing,
    refreshMarginMs: 60_000,
    takeoverSettleMs: 1_200,
    ...LEASE,
    ...extra,
    onStep: (step) => {
      if (step === at) child.kill('SIGCONT');
    },
  });
}

describe('a lease owner frozen at each step (property 33)', () => {
  test('frozen after taking the lease: another takes over when it ends; the owner, continued, sends nothing spent', async () => {
    const id = await connectAs('frozen0');
    const a = await frozenAt('lease_taken', id);
    const b = other(a.child, 'stored');
    const token = await b.getAccessToken(id, NEED);
    const out = await a.result();
    assert.ok(token.accessToken);
    assert.ok(out.token, `the continued owner got a token: ${out.error}`);
    const s = await state(emu);
    assert.equal(s.reuseDetected, 0, 'X never saw a spent refresh token');
    assert.equal((await grantOf('frozen0'))?.status, 'active');
  });

  test('frozen after marking the send, before the bytes go out: the monotonic check stops the late send', async () => {
    const id = await connectAs('frozen1');
    const a = await frozenAt('send_marked', id);
    // The lease is in doubt: the other waits for its end and the grace, then for the settle.
    const b = other(a.child, 'stored');
    const token = await b.getAccessToken(id, NEED);
    const out = await a.result();
    assert.ok(token.accessToken);
    assert.ok(out.token, `the continued owner got a token: ${out.error}`);
    assert.equal((await state(emu)).reuseDetected, 0, 'the frozen owner did not send its spent token');
    assert.equal((await grantOf('frozen1'))?.status, 'active');
    assert.equal((await listAccounts(t.db)).find((x) => x.id === id)?.status, 'active');
  });

  test('frozen with X’s answer in hand: the late pair is journaled and stored; the takeover waits for it (properties 13, 33)', async () => {
    const id = await connectAs('frozen2');
    const before = await readTokenSet(t.db, id);
    const a = await frozenAt('response_received', id, {
      journalDir: mkdtempSync(join(tmpdir(), 'rotor-frozen-')),
    });
    // The other takes the in-doubt lease after its end + the grace and continues the owner at once;
    // it waits `takeoverSettleMs` before sending, and the owner writes its pair meanwhile.
    const b = other(a.child, 'lease_taken');
    const token = await b.getAccessToken(id, NEED);
    const out = await a.result();
    assert.deepEqual(out.kept, ['lease_ran_out'], 'the owner kept the pair its lease no longer covered');
    assert.ok(out.token);
    assert.ok(token.accessToken);
    const row = await readTokenSet(t.db, id);
    assert.ok((row?.version ?? 0) >= (before?.version ?? 0) + 1, 'the late pair was stored');
    assert.equal((await state(emu)).reuseDetected, 0, 'the takeover never sent the spent token');
    assert.equal((await grantOf('frozen2'))?.status, 'active');
  });
});

describe('the hold after an unknown outcome (property 34)', () => {
  test('X answering 502 to every refresh: one process, six callers, one refresh token reaches X at most twice', async () => {
    const id = await connectAs('frozen3');
    await control(emu, 'POST', '/faults', { target: 'token', kind: 'error', status: 502, times: null });
    try {
      const run = runVaultProcess({
        databaseUrl: t.url,
        emulatorUrl: emu.url,
        key,
        mode: 'storm',
        accounts: [id],
        callers: 6,
        durationMs: 4_000,
        refreshMarginMs: 60_000,
        ...NEED,
        leaseTtlMs: 1_000,
        httpTimeoutMs: 500,
      });
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim()) as { calls: number; errors: Record<string, number> };
      assert.ok(out.calls > 10, `${out.calls} calls`);
    } finally {
      await control(emu, 'DELETE', '/faults');
    }
    const s = await state(emu);
    assert.ok(
      s.mostSendsOfOneRefreshToken <= 2,
      `one refresh token sent ${s.mostSendsOfOneRefreshToken} times`,
    );
    assert.equal((await listAccounts(t.db)).find((x) => x.id === id)?.status, 'active');
  });
});

describe('waiters (property 11)', () => {
  test('waiting out a dead owner’s in-doubt lease: one wait, a few looks, no busy poll', async () => {
    const id = await connectAs('frozen4');
    const crash = runVaultProcess({
      databaseUrl: t.url,
      emulatorUrl: emu.url,
      key,
      mode: 'crash',
      accounts: [id],
      crashAt: 'send_marked',
      refreshMarginMs: 60_000,
      ...NEED,
      ...LEASE,
    });
    assert.equal((await crash.done).signal, 'SIGKILL');
    let queries = 0;
    const counted = {
      ...t.db,
      query: ((sql: string, params?: unknown[]) => {
        queries += 1;
        return t.db.query(sql, params);
      }) as typeof t.db.query,
    };
    const v = new TokenVault({
      db: counted,
      provider,
      keyRing,
      refreshMarginMs: 60_000,
      takeoverSettleMs: 100,
      ...LEASE,
    });
    let waits = 0;
    v.events.on('lease_waited', () => (waits += 1));
    const started = performance.now();
    const token = await v.getAccessToken(id, NEED).catch((e: unknown) => {
      assert.ok(isRotorError(e), String(e));
      throw e;
    });
    const ms = performance.now() - started;
    assert.ok(token.accessToken);
    assert.ok(ms >= 2_000, `waited ${Math.round(ms)} ms for the lease's end and grace`);
    assert.equal(waits, 1, 'one wait');
    // Backoff 50 ms → 1 s over ~3.5 s: about ten looks; a busy poll made hundreds.
    assert.ok(queries <= 25, `${queries} queries`);
  });
});
