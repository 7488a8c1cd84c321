/**
 * A token this process handed out, stale for its caller, is refreshed by leasing the version it
 * was handed out at — the lease marks the send and returns the row, so the refresh costs two
 * statements (lease with its mark, store), not four (read, lease, mark, store). When that version
 * moved on, the stored token is read and used; when the row decides against a refresh, the lease
 * is given back with its mark taken away. Both backends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../src/store/db.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { BACKENDS } from '../helpers/db.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

/** `db`, with every statement that touches `token_sets` written down. */
function recording(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const wrapped = new Proxy(db, {
    get(target, prop) {
      if (prop === 'query') {
        return (sql: string, params?: unknown[]) => {
          if (/token_sets/.test(sql)) statements.push(sql.trim().split(/\s+/)[0] ?? '');
          return target.query(sql, params);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: wrapped, statements };
}

for (const backend of BACKENDS) {
  describe(`refreshing a token this process handed out, on ${backend}`, async () => {
    const s = await vaultSetup(backend, { accessTokenTtl: 7200 });
    const advance = (seconds: number) => control(s.emu, 'POST', '/clock', { advanceSeconds: seconds });
    const refreshes = async () => (await state(s.emu)).tokenRequests.refresh_token;

    test('a rejected token: the lease (with its mark) and the store, no read first; X sees one refresh', async () => {
      const id = await s.connectAs('alice');
      const r = recording(s.t.db);
      const vault = s.newVault({ db: r.db });
      const held = await vault.getAccessToken(id);
      assert.deepEqual(r.statements, ['SELECT'], 'the first hand-out reads the row');
      r.statements.length = 0;
      const before = await refreshes();
      const fresh = await vault.getAccessToken(id, { rejected: held.accessToken });
      assert.notEqual(fresh.accessToken, held.accessToken);
      assert.deepEqual(r.statements, ['UPDATE', 'UPDATE'], 'lease and mark in one, then the new pair');
      assert.equal(await refreshes(), before + 1);
      const row = await readTokenSet(s.t.db, id);
      assert.equal(row?.inDoubt, false, 'the stored pair cleared the mark');
      assert.equal(row?.leased, false);
      const me = await fetch(`${s.emu.url}/2/users/me`, {
        headers: { authorization: `Bearer ${fresh.accessToken}` },
      });
      assert.equal(me.status, 200, 'the new token works at X');
    });

    test('another process refreshed meanwhile: its stored token is used, no second refresh', async () => {
      const id = await s.connectAs('bob');
      const a = s.newVault();
      const held = await a.getAccessToken(id);
      await advance(7200 - 60); // inside the refresh margin for both
      const b = s.newVault();
      const before = await refreshes();
      const fromB = await b.getAccessToken(id);
      assert.equal(await refreshes(), before + 1, 'b refreshed');
      const fromA = await a.getAccessToken(id);
      assert.notEqual(fromA.accessToken, held.accessToken);
      assert.equal(fromA.accessToken, fromB.accessToken, 'a read what b stored');
      assert.equal(await refreshes(), before + 1, 'a did not refresh the version b had replaced');
      assert.equal((await state(s.emu)).reuseDetected, 0);
    });

    test('the row decides against refreshing (backoff after a failure): the lease is given back, its mark taken away', async () => {
      const id = await s.connectAs('hanako');
      const vault = s.newVault();
      const held = await vault.getAccessToken(id);
      await advance(7200 - 180); // due for a refresh (5 min margin), still valid for 3 minutes
      await control(s.emu, 'POST', '/faults', { target: 'token', kind: 'error', status: 503, times: 5 });
      try {
        const before = await refreshes();
        const first = await vault.getAccessToken(id);
        assert.equal(first.accessToken, held.accessToken, 'X failed: the valid token is handed out');
        assert.equal(await refreshes(), before + 1);
        const again = await vault.getAccessToken(id);
        assert.equal(again.accessToken, held.accessToken, 'in backoff: handed out again');
        assert.equal(await refreshes(), before + 1, 'no refresh during the backoff');
        const row = await readTokenSet(s.t.db, id);
        assert.equal(row?.inDoubt, false, 'the lease’s mark was taken away: nothing went out');
        assert.equal(row?.sentCount, 0);
        assert.equal(row?.leased, false, 'the lease was given back');
      } finally {
        await control(s.emu, 'DELETE', '/faults');
      }
    });
  });
}
