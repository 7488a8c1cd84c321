/**
 * The web app's decisions in isolation: the language of a request, an account's health and its
 * ~6-month horizon, wall-clock times in zones (DST included), chart scales, and the cookies'
 * flags when the app is served over HTTPS (`__Host-`, Secure, HttpOnly, SameSite=Lax, no Domain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthOf } from '../../src/web/handlers/accounts.ts';
import { DEFAULT_HORIZON_MS as HORIZON_MS } from '../../src/vault/vault.ts';
import { MESSAGE_KEYS, pickLocale, translator } from '../../src/web/i18n.ts';
import { zonedToInstant, isTimeZone } from '../../src/web/format.ts';
import { niceCeil, lastDays } from '../../src/web/views/charts.ts';
import { createWebApp, type WebDeps } from '../../src/web/app.ts';
import { scheduledInstant } from '../../src/web/handlers/posts.ts';
import type { AccountRow } from '../../src/store/accounts.ts';
import { consent } from '../helpers/emulator.ts';
import { vaultSetup } from '../helpers/vault.ts';
import { CookieVault } from '../../src/vault/cookie.ts';

test('locale: an explicit choice, else Accept-Language by quality, else English', () => {
  assert.equal(pickLocale(undefined, 'ja-JP,ja;q=0.9,en;q=0.8'), 'ja');
  assert.equal(pickLocale(undefined, 'en-US,ja;q=0.9'), 'en');
  assert.equal(pickLocale(undefined, 'fr;q=1, ja;q=0.5, en;q=0.4'), 'ja');
  assert.equal(pickLocale(undefined, 'ja;q=0, en'), 'en', 'q=0 means not acceptable');
  assert.equal(pickLocale(undefined, 'de, fr'), 'en');
  assert.equal(pickLocale(undefined, undefined), 'en');
  assert.equal(pickLocale('ja', 'en'), 'ja');
  assert.equal(pickLocale('xx', 'ja'), 'ja', 'an unknown choice is ignored');
  assert.equal(translator('ja')('dash.refreshed', { when: '今日' }), 'トークン更新：今日');
});

test('every message exists in both languages, non-empty, with the same placeholders', () => {
  const en = translator('en');
  const ja = translator('ja');
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  assert.ok(MESSAGE_KEYS.length > 100);
  for (const k of MESSAGE_KEYS) {
    assert.ok(ja(k).trim() !== '' && en(k).trim() !== '', k);
    assert.deepEqual(placeholders(ja(k)), placeholders(en(k)), k);
  }
});

test('health: days left to the ~6-month horizon, a warning in the last 14 days', () => {
  const now = Date.UTC(2026, 10, 22);
  const day = 86_400_000;
  const row = (consentedAt: number, status: AccountRow['status'] = 'active'): AccountRow => ({
    id: 'a',
    ownerId: 'u',
    provider: 'x',
    subject: '1',
    username: 'alice',
    displayName: null,
    status,
    reason: status === 'active' ? null : 'revoked',
    consentedAt,
    refreshedAt: null,
    accessExpiresAt: null,
  });
  const fresh = healthOf(row(now - 10 * day), now);
  assert.equal(fresh.daysLeft, 170);
  assert.equal(fresh.horizonWarning, false);
  assert.equal(fresh.connectionEndsAt, now - 10 * day + HORIZON_MS);
  const soon = healthOf(row(now - 170 * day), now);
  assert.equal(soon.daysLeft, 10);
  assert.equal(soon.horizonWarning, true);
  assert.equal(healthOf(row(now - 200 * day), now).daysLeft, 0);
  assert.equal(
    healthOf(row(now - 170 * day, 'reauth_required'), now).horizonWarning,
    false,
    'already needs reconnecting',
  );
});

test('wall-clock times in zones, across daylight-saving changes', () => {
  assert.equal(zonedToInstant('2026-11-22', '09:00', 'Asia/Tokyo'), Date.UTC(2026, 10, 22, 0, 0));
  assert.equal(zonedToInstant('2026-07-01', '09:00', 'America/New_York'), Date.UTC(2026, 6, 1, 13, 0));
  // 02:30 does not exist in New York on 8 March 2026: it is read as 03:30 EDT.
  assert.equal(zonedToInstant('2026-03-08', '02:30', 'America/New_York'), Date.UTC(2026, 2, 8, 7, 30));
  // 01:30 happens twice on 1 November 2026: one of the two instants, never another.
  const twice = zonedToInstant('2026-11-01', '01:30', 'America/New_York');
  assert.ok(twice === Date.UTC(2026, 10, 1, 5, 30) || twice === Date.UTC(2026, 10, 1, 6, 30));
  assert.equal(zonedToInstant('2026-02-30', '09:00', 'UTC'), undefined);
  assert.equal(zonedToInstant('2026-01-01', '9:00', 'UTC'), undefined);
  assert.equal(zonedToInstant('2026-01-01', '09:00', 'Mars/Base'), undefined);
  assert.equal(isTimeZone(''), false);
  assert.equal(scheduledInstant({ at: '2026-11-22T09:00:00+09:00' }), Date.UTC(2026, 10, 22, 0));
  assert.equal(
    scheduledInstant({ localTime: '2026-11-22T09:00', timeZone: 'Asia/Kolkata' }),
    Date.UTC(2026, 10, 22, 3, 30),
  );
  assert.throws(() => scheduledInstant({ localTime: '2026-11-22T09:00' }), /timeZone/);
  assert.throws(() => scheduledInstant({}), /give "at"/);
});

test('chart scales', () => {
  assert.deepEqual([0, 1, 3, 7, 12, 99, 101, 4200].map(niceCeil), [1, 1, 5, 10, 20, 100, 200, 5000]);
  const days = lastDays(Date.UTC(2026, 10, 22, 12), 3);
  assert.deepEqual(days, ['2026-11-20', '2026-11-21', '2026-11-22']);
});

test('over HTTPS every cookie is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, without Domain', async () => {
  const v = await vaultSetup('pglite');
  const deps = {
    db: v.t.db,
    vault: v.vault,
    connector: v.connector,
    provider: v.provider,
    keyRing: v.keyRing,
    cookieVault: new CookieVault({ provider: v.provider, keyRing: v.keyRing, db: v.t.db }),
    clock: { now: () => Date.now() },
    demo: false,
    insecureLoopback: false,
    version: 'test',
  } as unknown as WebDeps; // posting parts are not used by these routes
  const app = createWebApp(deps);
  const check = (line: string | undefined, name: string) => {
    assert.ok(line, `${name} is set`);
    assert.ok(line.startsWith(`${name}=`), line);
    for (const flag of [/; Secure/i, /; HttpOnly/i, /; SameSite=Lax/i, /; Path=\//]) assert.match(line, flag);
    assert.doesNotMatch(line, /Domain=/i);
    assert.ok(line.length < 4096);
  };
  const start = await app.request('https://rotor.example/auth/x/start?mode=signin');
  assert.equal(start.status, 302);
  const oauth = start.headers.getSetCookie().find((c) => c.startsWith('__Host-rotor-oauth='));
  check(oauth, '__Host-rotor-oauth');
  const back = await consent(v.emu, new URL(start.headers.get('location') ?? ''), 'alice');
  const done = await app.request(`https://rotor.example${back.pathname}${back.search}`, {
    headers: { cookie: (oauth ?? '').split(';')[0] ?? '' },
  });
  assert.equal(done.status, 303);
  const session = done.headers.getSetCookie().find((c) => c.startsWith('__Host-rotor-session='));
  check(session, '__Host-rotor-session');
  const home = await app.request('https://rotor.example/', {
    headers: { cookie: (session ?? '').split(';')[0] ?? '' },
  });
  assert.equal(home.status, 200);
  assert.match(home.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(home.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.equal(home.headers.get('x-content-type-options'), 'nosniff');
  const lang = await app.request('https://rotor.example/lang/ja?back=/', {
    headers: { cookie: (session ?? '').split(';')[0] ?? '' },
  });
  check(
    lang.headers.getSetCookie().find((c) => c.startsWith('__Host-rotor-lang=')),
    '__Host-rotor-lang',
  );
});
