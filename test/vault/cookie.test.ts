/**
 * Cookie mode: the token set in a sealed HttpOnly cookie (properties 19, 20, 22), the same refresh
 * rules, and parallel requests from one browser costing one refresh — within a process and across
 * processes sharing the database.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { CookieVault, type CookieSession } from '../../src/vault/cookie.ts';
import { consent, control, state } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';

const s = await vaultSetup('postgres');
const jar = (o: Partial<ConstructorParameters<typeof CookieVault>[0]> = {}) =>
  new CookieVault({
    provider: s.provider,
    keyRing: s.keyRing,
    db: s.t.db,
    clock: { now: () => s.emu.world.now() },
    ...o,
  });

async function session(username: string): Promise<CookieSession> {
  const { url } = await s.connector.begin();
  return s.connector.completeSession(await consent(s.emu, new URL(url), username));
}

describe('cookie mode', () => {
  test('the cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain, under 4 KB', async () => {
    const c = jar().setCookie(await session('alice'));
    assert.match(c, /^__Host-rotor-x=/);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/'])
      assert.ok(c.includes(`; ${attr}`), attr);
    assert.doesNotMatch(c, /Domain=/i);
    assert.ok(Buffer.byteLength(c) < 4096);
  });

  test('loopback development drops Secure and the prefix only when asked', () => {
    const dev = jar({ insecureLoopbackCookie: true });
    assert.equal(dev.name, 'rotor-x');
    assert.doesNotMatch(dev.clearCookie(), /Secure/);
  });

  test('the cookie holds no readable token; tampered, truncated or foreign cookies read as signed out', async () => {
    const sess = await session('bob');
    const j = jar();
    const value = j.seal(sess);
    assert.ok(!value.includes(sess.accessToken) && !value.includes(sess.refreshToken ?? '-'));
    const { id, until, ...opened } = j.read(value) ?? {};
    assert.deepEqual(opened, sess);
    assert.ok(typeof id === 'string' && typeof until === 'number', 'sealed with its own id and expiry');
    const flipped = value.slice(0, -3) + (value.at(-3) === 'A' ? 'B' : 'A') + value.slice(-2);
    assert.equal(j.read(flipped), undefined);
    assert.equal(j.read(value.slice(0, 40)), undefined);
    assert.equal(j.read('garbage'), undefined);
    assert.equal(jar({ insecureLoopbackCookie: true }).read(value), undefined, 'bound to its cookie name');
  });

  test('a fresh session is used as is: no refresh, no new cookie', async () => {
    const before = (await state(s.emu)).tokenRequests.refresh_token;
    const r = await jar().getAccessToken(await session('hanako'));
    assert.equal(r.cookie, undefined);
    assert.equal((await state(s.emu)).tokenRequests.refresh_token, before);
  });

  test('parallel requests with the same expired cookie, across two processes: one refresh, one new pair', async () => {
    const sess = await session('alice');
    await control(s.emu, 'POST', '/clock', { advanceSeconds: 7200 });
    const before = await state(s.emu);
    const [a, b] = [jar(), jar()];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).getAccessToken(sess)),
    );
    const after = await state(s.emu);
    assert.equal(after.tokenRequests.refresh_token, before.tokenRequests.refresh_token + 1);
    assert.equal(after.reuseDetected, 0);
    assert.ok(results.every((r) => r.accessToken === results[0]?.accessToken && r.cookie));
    const next = a.read(results[0]?.cookie?.split(';')[0]?.split('=').slice(1).join('='));
    assert.ok(next && next.refreshToken !== sess.refreshToken);
    const me = await fetch(`${s.emu.url}/2/users/me`, {
      headers: { authorization: `Bearer ${results[0]?.accessToken}` },
    });
    assert.equal(me.status, 200);
  });

  test('without a database, single-flight still gives one refresh per process', async () => {
    const sess = await session('bob');
    await control(s.emu, 'POST', '/clock', { advanceSeconds: 7200 });
    const before = (await state(s.emu)).tokenRequests.refresh_token;
    const solo = jar({ db: undefined });
    const results = await Promise.all(Array.from({ length: 8 }, () => solo.getAccessToken(sess)));
    assert.equal((await state(s.emu)).tokenRequests.refresh_token, before + 1);
    assert.ok(results.every((r) => r.accessToken === results[0]?.accessToken));
  });

  test('a revoked grant means reauth_required (clear the cookie)', async () => {
    const sess = await session('hanako');
    await control(s.emu, 'POST', '/grants/revoke', { username: 'hanako' });
    await control(s.emu, 'POST', '/clock', { advanceSeconds: 7200 });
    await assert.rejects(jar().getAccessToken(sess), (e) => isRotorError(e, 'reauth_required'));
    assert.match(jar().clearCookie(), /Max-Age=0/);
  });
});
