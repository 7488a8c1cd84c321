/**
 * `vault.authorizedFetch` against the emulator: the request every library user reaches for (an
 * X call with the vault's token that refreshes once on a 401, property 31).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { xApiBase } from '../../src/oauth/x.ts';
import { findAccount } from '../../src/store/accounts.ts';
import { control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

describe('vault.authorizedFetch', async () => {
  const s = await vaultSetup('pglite');
  const me = () => `${xApiBase(s.emu.url)}/2/users/me`;
  const refreshes = async () => (await state(s.emu)).tokenRequests.refresh_token;

  test('a 200 is handed back as it is, with the vault’s token and no refresh', async () => {
    const id = await s.connectAs('alice');
    const before = await refreshes();
    const res = await s.vault.authorizedFetch(id, me());
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { data: { username: string } }).data.username, 'alice');
    assert.equal(await refreshes(), before);
  });

  test('a 401 on a token that has not expired → exactly one refresh, and the retried request succeeds', async () => {
    const id = await s.connectAs('bob');
    const held = await s.vault.getAccessToken(id);
    assert.ok(held.expiresAt > Date.now() + 60_000, 'the token is far from its expiry');
    await control(s.emu, 'POST', '/faults', { target: 'users_me', kind: 'error', status: 401, times: 1 });
    const before = await refreshes();
    const res = await s.vault.authorizedFetch(id, me(), { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200, 'the retry went through');
    assert.equal(((await res.json()) as { data: { username: string } }).data.username, 'bob');
    assert.equal(await refreshes(), before + 1, 'one refresh');
    assert.notEqual(
      (await s.vault.getAccessToken(id)).accessToken,
      held.accessToken,
      'the new token is kept',
    );
    assert.equal((await findAccount(s.t.db, { id }))?.status, 'active');
  });

  test('a 401 again after the refresh → reauth_required, the account marked by the vault and told once', async () => {
    const id = await s.connectAs('hanako');
    await s.vault.getAccessToken(id);
    const told: string[] = [];
    const stop = s.vault.events.on('reauth_required', (e) => told.push(`${e.username}:${e.reason}`));
    await control(s.emu, 'POST', '/faults', { target: 'users_me', kind: 'error', status: 401, times: 2 });
    const before = await refreshes();
    await assert.rejects(s.vault.authorizedFetch(id, me()), (e: unknown) => {
      assert.ok(isRotorError(e, 'reauth_required'), String(e));
      assert.equal(e.reason, 'unknown');
      assert.equal(e.accountId, id);
      assert.match(e.message, /refused the access token even after a refresh/);
      return true;
    });
    stop();
    assert.equal(await refreshes(), before + 1, 'one refresh, not a loop');
    const account = await findAccount(s.t.db, { id });
    assert.deepEqual([account?.status, account?.reason], ['reauth_required', 'unknown']);
    assert.deepEqual(told, ['hanako:unknown']);
    await assert.rejects(s.vault.getAccessToken(id), (e: unknown) => isRotorError(e, 'reauth_required'));
  });

  test('a body that cannot be sent twice (a stream) is refused before anything is sent', async () => {
    const id = await s.connectAs('alice');
    const body = new ReadableStream({ start: (c) => c.close() });
    await assert.rejects(
      s.vault.authorizedFetch(id, `${xApiBase(s.emu.url)}/2/tweets`, { method: 'POST', body }),
      (e: unknown) => isRotorError(e, 'invalid_input'),
    );
  });
});
