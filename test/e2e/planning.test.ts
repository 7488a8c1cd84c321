/**
 * Planning in headless Chromium, against `rotor serve` in demo mode: save a draft and edit it
 * into a scheduled post; reschedule it from the calendar with the keyboard (the Move form) and by
 * dragging it to another day; the calendar at 390 px as a list of days.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { serve } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { consentAs, contextFor, Shots, signIn, storedPosts, text, watchErrors } from './flow.ts';
import { state } from '../helpers/emulator.ts';
import { nextOccurrences } from '../../src/scheduler/recurrence.ts';
import { formatInstant } from '../../src/web/format.ts';

after(killLeftovers);

const s = await serve({ database: 'pglite' });
const browser = await launch();
after(() => browser.close());
const shots = new Shots();
const ZONE = 'Asia/Tokyo';
const day = (plus: number) => DateTime.now().setZone(ZONE).plus({ days: plus }).toFormat('yyyy-MM-dd');
const tokyo = (iso: string | null) =>
  DateTime.fromISO(iso ?? '', { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");

async function postNamed(page: Page, wanted: string) {
  const post = (await storedPosts(page, s.web)).find((p) => p.text === wanted);
  assert.ok(post, `a post "${wanted}" is stored`);
  return post;
}

test('save and edit a draft, then reschedule it from the calendar (keyboard and drag)', async () => {
  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: ZONE });
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');

  // Save as draft from Compose.
  await page.goto(`${s.web}/compose`);
  await page.fill('#text', 'Half-written thoughts');
  await page.click('button[value="draft"]');
  await page.waitForURL(/done=drafted/);
  assert.match(await text(page, '.notice'), /Saved as a draft/);
  const draft = await postNamed(page, 'Half-written thoughts');
  assert.equal(draft.status, 'draft');

  // Posts → Drafts → Edit: new text, a time, "Schedule".
  await page.goto(`${s.web}/posts?view=drafts`);
  await page.click(`tr[data-post="${draft.id}"] a[data-edit]`);
  await page.waitForURL(new RegExp(`/posts/${draft.id}/edit$`));
  await shots.take(page, 'planning-edit');
  await page.fill('#text', 'Finished thoughts, scheduled');
  await page.fill('#date', day(2));
  await page.fill('#time', '10:00');
  await page.click('button[value="schedule"]');
  await page.waitForURL(/view=upcoming&done=edited/);
  assert.ok(await page.isVisible(`tr[data-post="${draft.id}"][data-status="scheduled"]`));
  const edited = await postNamed(page, 'Finished thoughts, scheduled');
  assert.equal(edited.id, draft.id, 'the same post, edited');
  assert.equal(edited.status, 'scheduled');
  assert.equal(tokyo(edited.dueAt), `${day(2)}T10:00`);

  // The calendar's week shows it on its day; Move with the keyboard only.
  await page.goto(`${s.web}/calendar?view=week&date=${day(2)}`);
  const entry = `.cal-day[data-date="${day(2)}"] .cal-entry[data-post="${draft.id}"]`;
  assert.ok(await page.isVisible(entry), 'the post is on its day');
  await shots.take(page, 'planning-calendar-week');
  await page.focus(`${entry} summary`);
  await page.keyboard.press('Enter');
  await page.focus(`${entry} input[name="time"]`);
  await page.keyboard.type('1130');
  await page.keyboard.press('Enter');
  await page.waitForURL(/moved=/);
  assert.match(await text(page, '.notice'), /Moved to/);
  const moved = await postNamed(page, 'Finished thoughts, scheduled');
  assert.equal(tokyo(moved.dueAt), `${day(2)}T11:30`);

  // Drag it to the next day: the day changes, the time stays.
  const target = day(2) === DateTime.fromISO(day(2)).endOf('week').toFormat('yyyy-MM-dd') ? day(1) : day(3);
  await page.goto(`${s.web}/calendar?view=week&date=${day(2)}`);
  await page.locator(entry).dragTo(page.locator(`.cal-day[data-date="${target}"]`));
  await page.waitForURL(/moved=/);
  const dragged = await postNamed(page, 'Finished thoughts, scheduled');
  assert.equal(tokyo(dragged.dueAt), `${target}T11:30`);
  assert.ok(await page.isVisible(`.cal-day[data-date="${target}"] .cal-entry[data-post="${draft.id}"]`));
  assert.deepEqual(errors, []);
  assert.deepEqual(shots.violations, [], 'axe-core finds no WCAG 2.1 A/AA violations');
  await context.close();
});

test('post to two accounts at once: identical texts refused with the reason, then one post each', async () => {
  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: ZONE });
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');
  await page.click('text=Connect another X account');
  await consentAs(page, 'hanako');
  await page.waitForURL(new RegExp(`^${s.web}/`));
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Same words twice');
  await page.check('#acct-hanako');
  await page.click('button[value="now"]');
  assert.match(await text(page, '.notice'), /X’s automation rules forbid posting identical content/);
  assert.ok(await page.isChecked('#acct-hanako'), 'the choice is kept with the refusal');
  assert.ok(!(await state({ url: s.emu })).posts.some((p) => p.text === 'Same words twice'), 'nothing sent');

  await page.fill('#text-hanako', 'Same news, in hanako’s words');
  await page.click('button[value="now"]');
  await page.waitForSelector('[data-outcomes]');
  assert.match(await text(page, '[data-outcome="alice"]'), /published/);
  assert.match(await text(page, '[data-outcome="hanako"]'), /published/);
  await shots.take(page, 'planning-two-accounts');
  // The emulator's state names each post's author.
  const onX = (await state({ url: s.emu })).posts as unknown as { text: string; username: string }[];
  assert.deepEqual(
    onX.filter((p) => p.text === 'Same words twice').map((p) => p.username),
    ['alice'],
  );
  assert.deepEqual(
    onX.filter((p) => p.text === 'Same news, in hanako’s words').map((p) => p.username),
    ['hanako'],
  );
  const stored = await storedPosts(page, s.web);
  assert.equal(stored.filter((p) => p.status === 'published').length, 2, 'two rows, each its own');
  assert.equal(await page.inputValue('#text'), '', 'what went through is not in the form again');
  assert.deepEqual(errors, []);
  assert.deepEqual(shots.violations, []);
  await context.close();
});

test('queue slots set with the weekday × time grid; the next free slot shown before adding', async () => {
  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: ZONE });
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');
  await page.goto(`${s.web}/schedules`);
  const grid = 'form:has(input[name="kind"][value="queue"])';
  await page.selectOption(`${grid} #queue-account`, { label: '@alice' });
  await page.selectOption('#queue-zone', ZONE);
  // Row 1 comes as Mon–Fri 09:00; add Mon–Fri 12:30 and Sat 10:00.
  await page.fill('#slot-time-1', '12:30');
  for (const d of [1, 2, 3, 4, 5]) await page.check(`#slot-1-${d}`);
  await page.fill('#slot-time-2', '10:00');
  await page.check('#slot-2-6');
  await shots.take(page, 'planning-slot-grid');
  await page.click(`${grid} button[type="submit"]`);
  await page.waitForURL(/\/schedules\?/);
  const schedules = (await (await page.request.get(`${s.web}/api/v1/schedules`)).json()) as {
    schedules: { kind: string; cron: string; timeZone: string; username: string }[];
  };
  const queue = schedules.schedules.find((q) => q.kind === 'queue' && q.username === 'alice');
  assert.equal(queue?.cron, '0 9 * * 1-5 | 0 10 * * 6 | 30 12 * * 1-5');
  assert.equal(queue?.timeZone, ZONE);
  assert.match(await text(page, '[data-slots]'), /Mon–Fri 09:00, 12:30; Sat 10:00/);

  // The next free slot, counted past the posts already queued, in the user's zone.
  const queued = (await storedPosts(page, s.web)).filter((p) => p.status === 'queued').length;
  const [free, after] = nextOccurrences(queue?.cron ?? '', ZONE, Date.now(), queued + 2).slice(queued);
  // As text() reads it: white space (Intl uses narrow no-break spaces) collapsed.
  const when = (at: number | undefined) => formatInstant(at ?? 0, 'en', ZONE).replace(/\s+/g, ' ');
  assert.ok((await text(page, '[data-next-free]')).includes(`Next free slot: ${when(free)}`));
  await page.goto(`${s.web}/compose`);
  assert.ok((await text(page, '[data-next-free-for="alice"]')).includes(when(free)));
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Into the grid queue');
  await page.click('button[value="queue"]');
  await page.waitForURL(/done=queued/);
  const next = await text(page, '[data-next-free-for="alice"]');
  assert.ok(next.includes(when(after)), `the next one after it: ${next}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(shots.violations, []);
  await context.close();
});

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

test('the compose preview: links shortened as X shows them, images as a grid, in English and Japanese', async () => {
  for (const locale of ['en', 'ja'] as const) {
    const context = await contextFor(browser, { width: 'desktop', locale, timezoneId: ZONE });
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors);
    await signIn(page, s.web, 'alice');
    await page.goto(`${s.web}/lang/${locale}?back=/compose`);
    await page.waitForURL(/\/compose$/);
    await page.selectOption('#account', { label: '@alice' });
    assert.equal(await text(page, '#preview-title'), locale === 'en' ? 'Preview on X' : 'X での表示');
    await page.fill('#text', 'See https://www.example.com/a/very/long/path/that/goes/on #rotor');
    await page.waitForSelector('[data-preview-text] .pv-link');
    assert.equal(await text(page, '[data-preview-text] .pv-link'), 'example.com/a/very/long/p…');
    assert.equal(await text(page, '[data-preview-text] .pv-hashtag'), '#rotor');
    assert.match(await text(page, '[data-preview-note]'), locale === 'en' ? /23 characters/ : /23 文字/);
    assert.match(await text(page, '[data-preview-author]'), /@alice/);
    await page.setInputFiles('#media', [
      { name: 'one.png', mimeType: 'image/png', buffer: PNG },
      { name: 'two.png', mimeType: 'image/png', buffer: PNG },
      { name: 'three.png', mimeType: 'image/png', buffer: PNG },
    ]);
    await page.waitForSelector('[data-preview-media][data-count="3"] img');
    const cells = await page.evaluate<{ left: number; top: number }[]>(
      `[...document.querySelectorAll('[data-preview-media] img')].map((i) => {
        const r = i.getBoundingClientRect();
        return { left: Math.round(r.left), top: Math.round(r.top) };
      })`,
    );
    // Three images: one tall on the left, two stacked on the right.
    assert.equal(cells.length, 3);
    assert.ok((cells[1]?.left ?? 0) > (cells[0]?.left ?? 0) && cells[1]?.left === cells[2]?.left);
    assert.ok((cells[2]?.top ?? 0) > (cells[1]?.top ?? 0));
    await shots.take(page, `planning-preview-${locale}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(shots.violations, []);
});

test('the calendar at 390 px is a list of days', async () => {
  const context = await contextFor(browser, { width: 'phone', locale: 'ja', timezoneId: ZONE });
  const page = await context.newPage();
  await signIn(page, s.web, 'alice');
  await page.goto(`${s.web}/calendar?view=week`);
  // Page code as a string: the test files are typed for Node, not the DOM.
  const boxes = await page.evaluate<{ top: number; width: number }[]>(
    `[...document.querySelectorAll('.cal-day')].map((d) => {
      const r = d.getBoundingClientRect();
      return { top: r.top, width: r.width };
    })`,
  );
  assert.equal(boxes.length, 7);
  for (let i = 1; i < boxes.length; i++) {
    assert.ok((boxes[i]?.top ?? 0) > (boxes[i - 1]?.top ?? 0), 'each day below the one before');
    assert.ok((boxes[i]?.width ?? 0) > 300, 'each day as wide as the screen');
  }
  const scroll = await page.evaluate<number>('document.documentElement.scrollWidth');
  assert.ok(scroll <= 390, `no sideways scroll (${scroll})`);
  assert.equal(await text(page, 'h1'), 'カレンダー');
  await shots.take(page, 'planning-calendar-phone-ja');
  assert.deepEqual(shots.violations, []);
  await context.close();
});
