/**
 * The vault against the emulator, on both store backends: connecting, handing out tokens,
 * refreshing ahead of expiry, single-flight, failure classification (properties 9, 12, 14–17).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { listAccounts } from '../../src/store/accounts.ts';
import { BACKENDS } from '../helpers/db.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

for (const backend of BACKENDS) {
  describe(`vault on ${backend}`, async () => {
    const s = await vaultSetup(backend, { accessTokenTtl: 7200 });
    const advance = (seconds: number) => control(s.emu, 'POST', '/clock', { advanceSeconds: seconds });

    test('connect stores an active account; the token works at X', async () => {
      const id = await s.connectAs('alice');
      const accounts = await listAccounts(s.t.db);
      assert.equal(accounts.find((a) => a.id === id)?.status, 'active');
      const token = await s.vault.getAccessToken(id);
      const me = await fetch(`${s.emu.url}/2/users/me`, {
        headers: { authorization: `Bearer ${token.accessToken}` },
      });
      assert.equal(me.status, 200);
    });

    test('a fresh token is served without calling X; near expiry it is refreshed once', async () => {
      const id = await s.connectAs('bob');
      const before = (await state(s.emu)).tokenRequests.refresh_token;
      const first = await s.vault.getAccessToken(id);
      assert.equal((await state(s.emu)).tokenRequests.refresh_token, before);
      await advance(7200 - 60); // inside the default margin (5 min)
      const callers = await Promise.all(Array.from({ length: 64 }, () => s.vault.getAccessToken(id)));
      assert.equal((await state(s.emu)).tokenRequests.refresh_token, before + 1, '64 callers, one refresh');
      assert.ok(callers.every((c) => c.accessToken === callers[0]?.accessToken));
      assert.notEqual(callers[0]?.accessToken, first.accessToken);
    });

    test('a second vault (another process) reads the stored pair instead of refreshing', async () => {
      const id = await s.connectAs('hanako');
      await advance(7200);
      const a = await s.vault.getAccessToken(id);
      const other = s.newVault();
      const before = (await state(s.emu)).tokenRequests.refresh_token;
      const b = await other.getAccessToken(id);
      assert.equal(b.accessToken, a.accessToken);
      assert.equal((await state(s.emu)).tokenRequests.refresh_token, before);
    });

    test('a 401 on an unexpired token forces one refresh (property 31)', async () => {
      const id = await s.connectAs('alice');
      const t1 = await s.vault.getAccessToken(id);
      const [x, y] = await Promise.all([
        s.vault.getAccessToken(id, { rejected: t1.accessToken }),
        s.vault.getAccessToken(id, { rejected: t1.accessToken }),
      ]);
      assert.notEqual(x.accessToken, t1.accessToken);
      assert.equal(x.accessToken, y.accessToken);
    });

    test('revoked on X → reauth_required/revoked, and no further refresh (property 14)', async () => {
      const id = await s.connectAs('bob');
      await control(s.emu, 'POST', '/grants/revoke', { username: 'bob' });
      await advance(7200 - 100);
      const reasons: string[] = [];
      s.vault.events.on('reauth_required', (e) => reasons.push(e.reason));
      await assert.rejects(
        s.vault.getAccessToken(id),
        (e) => isRotorError(e, 'reauth_required') && e.reason === 'revoked',
      );
      assert.deepEqual(reasons, ['revoked']);
      const before = (await state(s.emu)).tokenRequests.refresh_token;
      await assert.rejects(s.vault.getAccessToken(id), (e) => isRotorError(e, 'reauth_required'));
      assert.equal((await state(s.emu)).tokenRequests.refresh_token, before, 'stops refreshing');
      const row = (await listAccounts(s.t.db)).find((a) => a.id === id);
      assert.equal(row?.status, 'reauth_required');
      assert.equal(row?.reason, 'revoked');
    });

    test('reconnecting brings the account back under the same id', async () => {
      const id = await s.connectAs('bob');
      const row = (await listAccounts(s.t.db)).find((a) => a.id === id);
      assert.equal(row?.status, 'active');
      s.vault.forget(id);
      await s.vault.getAccessToken(id);
    });

    test('5xx is transient: typed error, stored tokens untouched, account stays active (property 15)', async () => {
      const id = await s.connectAs('hanako');
      await advance(7200);
      await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'error', status: 503, times: 3 });
      await assert.rejects(
        s.vault.getAccessToken(id),
        (e) => isRotorError(e, 'x_unavailable') && e.transient,
      );
      assert.equal((await listAccounts(s.t.db)).find((a) => a.id === id)?.status, 'active');
      const ok = await s.vault.getAccessToken(id);
      assert.ok(ok.accessToken);
      assert.equal((await state(s.emu)).reuseDetected, 0);
    });
  });
}
