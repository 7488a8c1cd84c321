/**
 * Disconnecting (property 18): the tokens are revoked at X and deleted locally whatever X answers;
 * a refresh running elsewhere at that moment is waited for, so the pair it mints is revoked too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { disconnectAccount } from '../../src/vault/disconnect.ts';
import { BACKENDS } from '../helpers/db.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

for (const backend of BACKENDS) {
  describe(`disconnect on ${backend}`, async () => {
    const s = await vaultSetup(backend);

    test('revokes at X and deletes the account', async () => {
      const id = await s.connectAs('alice');
      const result = await disconnectAccount({ ...s, db: s.t.db }, id);
      assert.deepEqual(result, { revokedAtX: true, deleted: true });
      assert.equal(
        (await listAccounts(s.t.db)).some((a) => a.id === id),
        false,
      );
      const grants = (await state(s.emu)).grants.filter((g) => g.username === 'alice');
      assert.ok(grants.every((g) => g.status === 'revoked'));
      await assert.rejects(s.vault.getAccessToken(id), (e) => isRotorError(e, 'account_not_found'));
    });

    test('a refresh in flight elsewhere is waited for, and the pair it minted is revoked', async () => {
      const id = await s.connectAs('bob');
      const current = await s.vault.getAccessToken(id);
      await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'latency', latencyMs: 800 });
      const other = s.newVault();
      const refreshing = other.getAccessToken(id, { rejected: current.accessToken });
      await new Promise((r) => setTimeout(r, 200)); // the other process now holds the lease
      const result = await disconnectAccount({ ...s, db: s.t.db }, id);
      const minted = await refreshing.catch(() => undefined);
      assert.ok(minted, 'the refresh finished');
      assert.equal(result.deleted, true);
      const me = await fetch(`${s.emu.url}/2/users/me`, {
        headers: { authorization: `Bearer ${minted.accessToken}` },
      });
      assert.equal(me.status, 401, 'the new pair is revoked too');
      assert.ok(
        (await state(s.emu)).grants.filter((g) => g.username === 'bob').every((g) => g.status === 'revoked'),
      );
    });

    test('X unreachable: the local tokens are deleted all the same', async () => {
      const id = await s.connectAs('hanako');
      await control(s.emu, 'POST', '/faults', { target: 'revoke', kind: 'error', status: 503, times: null });
      const result = await disconnectAccount({ ...s, db: s.t.db }, id);
      await control(s.emu, 'DELETE', '/faults');
      assert.deepEqual(result, { revokedAtX: false, deleted: true });
      assert.equal(
        (await listAccounts(s.t.db)).some((a) => a.id === id),
        false,
      );
    });
  });
}
