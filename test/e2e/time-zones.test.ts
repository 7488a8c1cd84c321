/**
 * Property 41 in Chromium (issue 14, "Time"): a post goes out when the user meant. With no zone
 * saved and a browser in London, compose → pick Asia/Tokyo → a past date → refused → fix the date →
 * Schedule: the stored due instant is 09:00 in Tokyo, and the confirmation says it in Tokyo, naming
 * the zone (desktop in English, phone in Japanese). Then, with New York saved in Settings,
 * Schedules and Import preselect it (not the browser's London); 02:30 on the day New York's clocks
 * go forward is refused with the reason, and nothing is stored; the Import sample is for tomorrow;
 * the zone list has current IANA names (Asia/Kolkata), is searchable, and starts with the user's
 * zone and the most used ones.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { serve } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { contextFor, Shots, signIn, storedPosts, text, watchErrors, type Width } from './flow.ts';

after(killLeftovers);

/** The next 09:00 in Tokyo at least a day ahead, as the form wants it, and its instant. */
function tomorrowNineInTokyo(): { date: string; at: number } {
  const dt = DateTime.now()
    .setZone('Asia/Tokyo')
    .plus({ days: 1 })
    .set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  return { date: dt.toFormat('yyyy-MM-dd'), at: dt.toMillis() };
}

/** The next day New York's clocks go forward (02:30 does not exist then), as YYYY-MM-DD. */
function nextSpringForward(): string {
  for (let d = DateTime.now().setZone('America/New_York').plus({ days: 1 }); ; d = d.plus({ days: 1 })) {
    const date = d.toFormat('yyyy-MM-dd');
    if (DateTime.fromISO(`${date}T02:30`, { zone: 'America/New_York' }).hour !== 2) return date;
  }
}

async function roundTrip(page: Page, web: string, o: { width: Width; lang: 'en' | 'ja'; text: string }) {
  await page.goto(`${web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', o.text);
  // The browser is in London and nothing is saved: the page script chose London.
  assert.equal(await page.inputValue('#zone'), 'Europe/London');
  await page.selectOption('#zone', 'Asia/Tokyo');
  await page.fill('#date', '2020-01-01');
  await page.fill('#time', '09:00');
  await page.click('button[value="schedule"]');
  await page.waitForSelector('.notice.error');
  assert.match(
    await text(page, '.notice.error'),
    o.lang === 'ja' ? /その時刻はすでに過ぎています/ : /That time has already passed/,
  );
  // The zone the user picked is still the one picked (the page script must not reset it).
  assert.equal(await page.inputValue('#zone'), 'Asia/Tokyo', 'the chosen zone survives the refusal');
  assert.equal(await page.inputValue('#text'), o.text);
  const { date, at } = tomorrowNineInTokyo();
  await page.fill('#date', date);
  await page.click('button[value="schedule"]');
  await page.waitForSelector('.notice:not(.error)');
  const confirmation = await text(page, '.notice');
  assert.ok(confirmation.includes('09:00') && confirmation.includes('Asia/Tokyo'), confirmation);
  const stored = (await storedPosts(page, web)).find((p) => p.text === o.text);
  assert.ok(stored, 'the post is stored');
  assert.equal(stored.status, 'scheduled');
  assert.equal(stored.dueAt, new Date(at).toISOString(), 'the stored due instant is 09:00 in Tokyo');
}

test('time zones in Chromium: the chosen zone survives a refusal and is stored as meant; the saved zone is used everywhere; DST gaps are said; current names, searchable', async () => {
  const s = await serve({ database: 'pglite' });
  const browser = await launch();
  after(() => browser.close());
  const shots = new Shots();
  const errors: string[] = [];

  for (const [width, lang] of [
    ['desktop', 'en'],
    ['phone', 'ja'],
  ] as const) {
    const context = await contextFor(browser, { width, locale: lang, timezoneId: 'Europe/London' });
    const page = await context.newPage();
    watchErrors(page, errors);
    await signIn(page, s.web, 'alice');
    await roundTrip(page, s.web, { width, lang, text: `Tokyo morning (${width})` });
    await shots.take(page, `tz-confirmation-${width}-${lang}`);
    await context.close();
  }

  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');

  // The list: current names, the old ones gone; the user's zone first, then the most used.
  await page.goto(`${s.web}/settings`);
  const names = await page.evaluate<string[]>(
    "[...document.querySelectorAll('#zone option')].map((o) => o.value)",
  );
  assert.ok(names.includes('Asia/Kolkata') && !names.includes('Asia/Calcutta'), 'current IANA names');
  assert.ok(names.includes('Europe/Kyiv') && !names.includes('Europe/Kiev'));
  assert.equal(names[0], 'Europe/London', "the user's zone first");
  assert.deepEqual(names.slice(1, 4), ['UTC', 'Asia/Tokyo', 'America/New_York'], 'then the most used');
  // Searchable: typing narrows the list and picks the first match.
  await page.fill('#zone-search', 'kolk');
  assert.equal(await page.inputValue('#zone'), 'Asia/Kolkata');
  await page.fill('#zone-search', 'new york');
  assert.equal(await page.inputValue('#zone'), 'America/New_York');
  await page.click('form[action="/settings"] button[type="submit"]');
  await page.waitForURL(/\/settings\?done=1$/);

  // Schedules and Import honour the saved zone (not the browser's London).
  await page.goto(`${s.web}/schedules`);
  assert.equal(await page.inputValue('#recurring-zone'), 'America/New_York');
  assert.equal(await page.inputValue('#queue-zone'), 'America/New_York');
  await page.goto(`${s.web}/import`);
  assert.equal(await page.inputValue('#zone'), 'America/New_York');
  // The CSV sample is for tomorrow, in the user's zone.
  const tomorrow = DateTime.now().setZone('America/New_York').plus({ days: 1 }).toFormat('yyyy-MM-dd');
  const sample = await text(page, '[data-csv-sample]');
  assert.ok(sample.includes(`${tomorrow} 09:00,America/New_York`), sample);
  await shots.take(page, 'tz-import-desktop-en');
  await page.goto(`${s.web}/compose`);
  assert.equal(await page.inputValue('#zone'), 'America/New_York');

  // 02:30 on the day the clocks go forward does not exist: said before saving, nothing moved.
  const gapDay = nextSpringForward();
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'In the DST gap');
  await page.fill('#date', gapDay);
  await page.fill('#time', '02:30');
  await page.click('button[value="schedule"]');
  await page.waitForSelector('.notice.error');
  const gap = await text(page, '.notice.error');
  assert.ok(gap.includes('02:30') && gap.includes(gapDay) && gap.includes('America/New_York'), gap);
  assert.match(gap, /clocks go forward/);
  assert.match(gap, /03:30/);
  assert.equal(await page.inputValue('#zone'), 'America/New_York');
  assert.ok(!(await storedPosts(page, s.web)).some((p) => p.text === 'In the DST gap'), 'nothing stored');
  await shots.take(page, 'tz-dst-gap-desktop-en');

  // The HTTP API says the same for a local time in the gap.
  const csrf = await page.getAttribute('input[name="_csrf"]', 'value');
  const accounts = (await (await page.request.get(`${s.web}/api/v1/accounts`)).json()) as {
    accounts: { id: string }[];
  };
  const res = await page.request.post(`${s.web}/api/v1/posts`, {
    headers: { 'x-csrf-token': csrf ?? '', origin: s.web },
    data: {
      accountId: accounts.accounts[0]?.id,
      text: 'API gap',
      mode: 'schedule',
      localTime: `${gapDay}T02:30`,
      timeZone: 'America/New_York',
    },
  });
  assert.equal(res.status(), 400);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /clocks go forward/);

  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  assert.deepEqual(shots.violations, [], 'axe-core finds no WCAG 2.1 A/AA violations');
});
