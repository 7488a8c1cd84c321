/**
 * Closing the vault (a worker's SIGTERM) while a refresh is in flight: X's answer is waited for
 * and stored before `close()` resolves, so the exit that follows cuts no answer off; and from the
 * moment it closes, no new refresh token goes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

const s = await vaultSetup('pglite', {}, { httpTimeoutMs: 2_000, leaseTtlMs: 5_000 });
/** Asks for a token that must live 3 h: the stored one (2 h) cannot stand in for a refresh. */
const NEED = { minValidityMs: 3 * 3600_000 };

test('close() during a refresh X answers slowly: the answer is stored before close resolves', async () => {
  const id = await s.connectAs('alice');
  const before = await readTokenSet(s.t.db, id);
  let sent!: () => void;
  const requestSent = new Promise<void>((resolve) => (sent = resolve));
  const vault = s.newVault({
    onStep: (step) => {
      if (step === 'request_sent') sent();
    },
  });
  await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'latency', latencyMs: 800, times: 1 });
  const call = vault.getAccessToken(id, NEED);
  await requestSent;
  await vault.close();
  const row = await readTokenSet(s.t.db, id);
  assert.equal(row?.version, (before?.version ?? 0) + 1, 'X’s answer is in the store');
  assert.equal(row?.inDoubt, false, 'no send left in doubt');
  assert.ok((await call).accessToken, 'the caller got the new token');
  assert.equal((await state(s.emu)).reuseDetected, 0);
});

test('a closed vault sends no new refresh: a valid token is handed out as it is, else refresh_fenced', async () => {
  const id = await s.connectAs('bob');
  const vault = s.newVault({ refreshMarginMs: 3 * 3600_000 }); // every token wants refreshing
  await vault.close();
  const refreshes = (await state(s.emu)).tokenRequests.refresh_token;
  const degraded: string[] = [];
  vault.events.on('refresh_degraded', (e) => degraded.push(e.because));
  // The stored token (2 h) wants refreshing but is still valid: handed out as it is.
  assert.ok((await vault.getAccessToken(id)).accessToken);
  assert.deepEqual(degraded, ['closing']);
  await assert.rejects(
    vault.getAccessToken(id, NEED),
    (e) => isRotorError(e, 'refresh_fenced') && e.transient,
  );
  assert.equal((await state(s.emu)).tokenRequests.refresh_token, refreshes, 'nothing sent to X');
});
