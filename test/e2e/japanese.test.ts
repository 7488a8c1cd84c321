/**
 * Japanese mode is Japanese (issue 14): in a Japanese browser, every error path a person can reach
 * is walked — empty text, text too long, a time passed, no date, a DST gap, X refusing a duplicate,
 * a thread's part empty or repeating an earlier part,
 * a bad CSV (each bad line), template problems (a repeat, an unknown variable, no text), a bad
 * cron, an X account already connected by another user, an API key without permissions — and
 * the message area must hold no English (words of 3+ Latin letters beyond names, zones, X, CSV…).
 * Denying consent on the emulator's Japanese consent page says nothing was connected, with a way
 * back. At 1280 px; the phone width is walked in every-page.test.ts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { serve } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { consentAs, contextFor, Shots, signIn, watchErrors } from './flow.ts';

after(killLeftovers);

/** English left in a message once names, zones, figures and product words are taken out. */
export function englishIn(message: string): string[] {
  const rest = message
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/@\w+/g, ' ')
    .replace(/\b[A-Z][A-Za-z_]+\/[A-Za-z_/]+\b/g, ' ') // zones
    .replace(/\{\w+\}/g, ' ') // template variables
    .replace(/\b(Rotor|CSV|UTF-8|cron|text|GMT|JST|UTC|YYYY-MM-DD|HH:MM)\b/g, ' ')
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, ' ');
  return rest.match(/[A-Za-z]{3,}/g) ?? [];
}

const messages = async (page: Page) =>
  (await page.locator('.notice, [data-import-errors] li').allTextContents()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );

test('every error path in Japanese says it in Japanese (no English in the message area); consent denied says nothing was connected', async () => {
  assert.deepEqual(englishIn('本文が空です。'), []);
  assert.deepEqual(
    englishIn('Not posted: the text is empty'),
    ['Not', 'posted', 'the', 'empty'],
    'the check finds English',
  );

  const s = await serve({ database: 'pglite' });
  const browser = await launch();
  after(() => browser.close());
  const shots = new Shots();
  const errors: string[] = [];
  const seen: { path: string; text: string }[] = [];

  // Bob holds @alice's neighbour: alice is connected by another user (bob signs in as alice first).
  const other = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: 'Asia/Tokyo' });
  const otherPage = await other.newPage();
  await signIn(otherPage, s.web, 'alice');
  await other.close();

  const context = await contextFor(browser, { width: 'desktop', locale: 'ja', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  watchErrors(page, errors);
  await signIn(page, s.web, 'bob');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');

  const check = async (path: string, expect: RegExp) => {
    const found = await messages(page);
    assert.ok(found.length > 0, `${path}: a message is shown`);
    for (const text of found) {
      seen.push({ path, text });
      assert.deepEqual(englishIn(text), [], `${path}: English in the message area: “${text}”`);
    }
    assert.ok(
      found.some((t) => expect.test(t)),
      `${path}: ${found.join(' | ')}`,
    );
    await shots.take(page, `ja-error-${path}`);
  };
  const compose = async (
    text: string,
    action: 'now' | 'schedule',
    when?: { date: string; time: string; zone?: string },
  ) => {
    await page.goto(`${s.web}/compose`);
    await page.fill('#text', text);
    if (when) {
      await page.fill('#date', when.date);
      await page.fill('#time', when.time);
      if (when.zone) await page.selectOption('#zone', when.zone);
    }
    await page.click(`button[value="${action}"]`);
    await page.waitForSelector('.notice');
  };

  await compose('   ', 'now');
  await check('empty-text', /本文が空です/);
  await compose('あ'.repeat(141), 'now');
  await check('too-long', /本文が長すぎます：280 のうち 282/);
  await compose('過去の予約', 'schedule', { date: '2020-01-01', time: '09:00' });
  await check('time-passed', /その時刻はすでに過ぎています/);
  await compose('日付なし', 'schedule', { date: '', time: '' });
  await check('no-date', /日付・時刻・タイムゾーンを選んでください/);
  let gapDay = DateTime.now().setZone('America/New_York').plus({ days: 1 });
  while (DateTime.fromISO(`${gapDay.toFormat('yyyy-MM-dd')}T02:30`, { zone: 'America/New_York' }).hour === 2)
    gapDay = gapDay.plus({ days: 1 });
  await compose('夏時間', 'schedule', {
    date: gapDay.toFormat('yyyy-MM-dd'),
    time: '02:30',
    zone: 'America/New_York',
  });
  await check('dst-gap', /存在しません/);
  await compose('同じ本文です', 'now');
  await compose('同じ本文です', 'now');
  await check('duplicate', /重複/);

  // A thread: the refusal names its part, and says the part's own reason in Japanese.
  const thread = async (first: string, second: string) => {
    await page.goto(`${s.web}/compose`);
    await page.fill('#text', first);
    await page.click('[data-add-part]');
    await page.fill('#text-part-2', second);
    await page.click('button[value="now"]');
    await page.waitForSelector('.notice');
  };
  await thread('スレッドの一つ目', '   ');
  await check('thread-part-empty', /2 件目：本文が空です/);
  await thread('同じ本文のスレッド', '同じ本文のスレッド');
  await check('thread-same-text', /2 件目：1 件目と同じ本文です/);

  // CSV: one file, several bad lines, each named.
  await page.goto(`${s.web}/import`);
  const csv = [
    'text,at,time_zone,account',
    `"${'い'.repeat(141)}",,,`,
    '"日付が変",2030-13-45 25:00,,',
    '"ゾーンが変",2030-01-01 09:00,Mars/Base,',
    '"過去",2020-01-01 09:00,Asia/Tokyo,',
    '"他人のアカウント",,,alice',
    '"",,,',
  ].join('\n');
  await page.setInputFiles('#file', { name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('form[action="/import"] button[type="submit"]');
  await page.waitForSelector('[data-import-errors]');
  await check('csv-lines', /2 行目：本文が長すぎます/);
  await page.setInputFiles('#file', {
    name: 'posts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('body\n"x"\n'),
  });
  await page.click('form[action="/import"] button[type="submit"]');
  await page.waitForSelector('[data-import-errors]');
  await check('csv-header', /「text」列が必要/);

  // Templates and cron.
  const schedule = async (template: string, cron = '0 9 * * *') => {
    await page.goto(`${s.web}/schedules`);
    await page.fill('#recurring-cron', cron);
    await page.fill('#template', template);
    await page.click('form:has(input[value="recurring"]) button[type="submit"]');
    await page.waitForSelector('.notice');
  };
  await schedule('毎日同じ');
  await check('template-repeats', /同じ本文が 2 回投稿されます/);
  await schedule('{nope} です');
  await check('template-variable', /不明なテンプレート変数/);
  await schedule('{date} です', '毎日');
  await check('cron', /cron 式ではありません/);

  // An API key without permissions.
  await page.goto(`${s.web}/settings`);
  await page.fill('#key-name', 'キー');
  await page.click('form[action="/settings/keys"] button[type="submit"]');
  await page.waitForSelector('.notice');
  await check('key-permissions', /権限を 1 つ以上/);

  // Connecting @alice, which another user has: refused, in Japanese.
  await page.goto(`${s.web}/accounts/connect`);
  await consentAs(page, 'alice');
  await page.waitForSelector('.notice');
  await check('connected-by-another', /別のユーザーがすでに Rotor に接続しています/);

  // The emulator's consent page is in Japanese and names Rotor; denying connects nothing.
  await page.goto(`${s.web}/accounts/connect`);
  await page.waitForURL(/\/i\/oauth2\/authorize/);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.match((await page.textContent('h1')) ?? '', /Rotor に X アカウントへのアクセスを許可しますか/);
  await shots.take(page, 'ja-consent');
  await page.click('button[value="deny"]');
  await page.waitForSelector('h1');
  assert.equal((await page.textContent('h1'))?.trim(), '何も接続していません');
  await check('consent-denied', /何も接続していません/);
  assert.ok(await page.isVisible('main a[href="/"]'), 'a way back');

  assert.ok(seen.length >= 16, `${seen.length} messages read`);
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  assert.deepEqual(shots.violations, [], 'axe-core finds no WCAG 2.1 A/AA violations');
});
