/**
 * The vault's events for the rest of Rotor: refreshed, reauthorization required (with reason),
 * horizon approaching (remembered consent, ~180 days), and the horizon itself as a reason.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import type { VaultEventMap } from '../../src/vault/events.ts';
import { control } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

const DAY = 86_400_000;
const s = await vaultSetup('pglite');
const advance = (seconds: number) => control(s.emu, 'POST', '/clock', { advanceSeconds: seconds });

function record(vault: ReturnType<typeof s.newVault>) {
  const seen: { name: keyof VaultEventMap; event: unknown }[] = [];
  for (const name of [
    'refreshed',
    'reauth_required',
    'horizon_approaching',
    'reuse_suspected',
    'refresh_failed',
  ] as const) {
    vault.events.on(name, (event) => seen.push({ name, event }));
  }
  return seen;
}

describe('vault events', () => {
  test('refreshed carries the new version and expiry', async () => {
    const id = await s.connectAs('alice');
    const vault = s.newVault();
    const seen = record(vault);
    await advance(7200);
    const token = await vault.getAccessToken(id);
    const refreshed = seen.filter((e) => e.name === 'refreshed');
    assert.equal(refreshed.length, 1);
    assert.deepEqual(refreshed[0]?.event, { accountId: id, version: 2, expiresAt: token.expiresAt });
  });

  test('horizon approaching is told once, ahead of the end of the grant', async () => {
    const id = await s.connectAs('bob');
    const vault = s.newVault({ horizonMs: 30 * DAY, horizonWarningMs: 7 * DAY });
    const seen = record(vault);
    await vault.getAccessToken(id);
    assert.equal(seen.filter((e) => e.name === 'horizon_approaching').length, 0, 'not yet');
    await advance(24 * 86400);
    await vault.getAccessToken(id);
    await vault.getAccessToken(id);
    const warnings = seen.filter((e) => e.name === 'horizon_approaching');
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0]?.event as VaultEventMap['horizon_approaching']).username, 'bob');
  });

  test('a refusal past the horizon is reported as expired', async () => {
    const id = await s.connectAs('hanako');
    const vault = s.newVault({ horizonMs: 2 * DAY });
    const seen = record(vault);
    await control(s.emu, 'POST', '/grants/expire', { username: 'hanako' });
    await advance(3 * 86400);
    await assert.rejects(
      vault.getAccessToken(id),
      (e) => isRotorError(e, 'reauth_required') && e.reason === 'expired',
    );
    assert.deepEqual(
      seen
        .filter((e) => e.name === 'reauth_required')
        .map((e) => (e.event as VaultEventMap['reauth_required']).reason),
      ['expired'],
    );
  });

  test('a transient failure is reported as refresh_failed, not as reauthorization', async () => {
    const id = await s.connectAs('alice');
    const vault = s.newVault({ maxTransientRetries: 0 });
    const seen = record(vault);
    await advance(7200);
    await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'error', status: 500 });
    await assert.rejects(vault.getAccessToken(id), (e) => isRotorError(e, 'x_unavailable'));
    assert.equal(seen.filter((e) => e.name === 'refresh_failed').length, 1);
    assert.equal(seen.filter((e) => e.name === 'reauth_required').length, 0);
  });
});
