/**
 * Threads (property 40) in headless Chromium, against `rotor serve` in demo mode: a 3-part thread
 * written on the compose page at 390 px and at 1280 px (parts added and one removed with the page
 * script, each part's counter, an image on a part, the preview as a chain), scheduled, then
 * published in order at the emulator, each part a reply to the one before, and every part shown
 * published on the Posts page; and a thread written without JavaScript (Add part as a plain
 * submit), saved as a draft, a part changed on its Edit page, scheduled, moved as one from the
 * calendar and cancelled whole; with two accounts, "Also post to" never offers the account chosen above, a thread for
 * both is refused with the reason, and one posted now to one account goes out as a chain.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { pollUntil } from '../../src/core/poll.ts';
import { checkText } from '../../src/scheduler/text.ts';
import { killLeftovers } from '../helpers/cli.ts';
import { state, type EmulatorState } from '../helpers/emulator.ts';
import { serve } from '../helpers/web.ts';
import { join } from 'node:path';
import { launch, SCREENSHOTS } from './browser.ts';
import { consentAs, contextFor, Shots, signIn, text, watchErrors, type Width } from './flow.ts';

after(killLeftovers);

const s = await serve({ database: 'pglite' });
const browser = await launch();
after(() => browser.close());
const shots = new Shots();
const ZONE = 'Asia/Tokyo';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface StoredThread {
  id: string;
  text: string;
  status: string;
  dueAt: string | null;
  parts?: { text: string; status: string; xPostId: string | null }[];
}

async function storedThread(page: Page, firstText: string): Promise<StoredThread> {
  const res = await page.request.get(`${s.web}/api/v1/posts?limit=500`);
  assert.ok(res.ok(), `GET /api/v1/posts answered ${res.status()}`);
  const body = (await res.json()) as { posts: StoredThread[] };
  const found = body.posts.find((p) => p.text === firstText);
  assert.ok(found, `a post "${firstText}" is stored`);
  return found;
}

const tokyo = (iso: string | null) =>
  DateTime.fromISO(iso ?? '', { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");

/** Writes a 3-part thread on the compose page (the page script adds and removes parts) and schedules it at `at`. */
async function composeThread(page: Page, width: Width, texts: string[], at: DateTime) {
  await page.goto(`${s.web}/compose`);
  await page.fill('#text', texts[0] ?? '');
  await page.click('[data-add-part]');
  await page.waitForSelector('#text-part-2');
  await page.fill('#text-part-2', texts[1] ?? '');
  await page.setInputFiles('#media-part-2', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
  await page.click('[data-add-part]');
  await page.fill('#text-part-3', texts[2] ?? '');
  // A fourth part, removed again: the third stays as it was.
  await page.click('[data-add-part]');
  await page.fill('#text-part-4', 'not wanted');
  await page.click('[data-part="4"] [data-remove-part]');
  assert.equal(await page.locator('[data-parts] > [data-part]').count(), 3);
  assert.equal(await page.inputValue('#text-part-3'), texts[2]);
  // Each part has the weighted counter (Japanese weighs 2 per character) and its preview post.
  const weighed = `${checkText(texts[2] ?? '').weightedLength} / 280`;
  await page.locator('#counter-part-3', { hasText: new RegExp(`^${weighed}$`) }).waitFor();
  assert.equal(await page.locator('.pv-chain.thread > .pv-post').count(), 3, 'the preview is a chain of 3');
  await page.waitForSelector('[data-preview-part="2"] [data-preview-media][data-count="1"] img');
  await page.locator('[data-preview-part="3"] [data-preview-text]', { hasText: texts[2] ?? '' }).waitFor();
  assert.match(await text(page, '[data-preview-thread-note]'), /each part a reply to the one before/);
  await shots.take(page, `thread-compose-${width}`);
  await page.fill('#date', at.toFormat('yyyy-MM-dd'));
  await page.fill('#time', at.toFormat('HH:mm'));
  await page.selectOption('#zone', ZONE);
  await page.click('button[value="schedule"]');
  await page.waitForURL(/done=scheduled/);
}

test('a 3-part thread written at 390 px and at 1280 px, scheduled: published in order as a chain, every part shown published', async () => {
  // Both go out at the same coming minute, far enough ahead to write them.
  let at = DateTime.now().setZone(ZONE).startOf('minute').plus({ minutes: 1 });
  if (at.diffNow().as('seconds') < 40) at = at.plus({ minutes: 1 });
  const written: { width: Width; texts: string[]; id: string; page: Page }[] = [];
  const errors: string[] = [];
  for (const width of ['phone', 'desktop'] as const) {
    const context = await contextFor(browser, { width, locale: 'en', timezoneId: ZONE });
    after(() => context.close());
    const page = await context.newPage();
    watchErrors(page, errors);
    await signIn(page, s.web, 'alice');
    const texts = [
      `${width} thread: first`,
      `${width} thread: second, with an image`,
      `${width}のスレッド三つ目`,
    ];
    await composeThread(page, width, texts, at);
    const stored = await storedThread(page, texts[0] ?? '');
    assert.equal(stored.status, 'scheduled');
    assert.deepEqual(
      stored.parts?.map((p) => [p.text, p.status]),
      [
        [texts[0], 'scheduled'],
        [texts[1], 'waiting'],
        [texts[2], 'waiting'],
      ],
    );
    assert.equal(tokyo(stored.dueAt), at.toFormat("yyyy-MM-dd'T'HH:mm"));
    // Listed once, marked as a thread of 3, each part with its status.
    await page.goto(`${s.web}/posts?view=upcoming`);
    const row = `tr[data-post="${stored.id}"]`;
    assert.match(await text(page, `${row} [data-thread]`), /Thread · 3 parts/);
    assert.equal(await page.locator(`${row} li[data-part-status="waiting"]`).count(), 2);
    assert.equal(
      await page
        .locator('tr[data-post]')
        .filter({ hasText: texts[1] ?? '' })
        .count(),
      1,
    );
    await page.goto(`${s.web}/`);
    assert.match(await text(page, '[data-next-posts]'), /Thread · 3 parts/);
    written.push({ width, texts, id: stored.id, page });
  }

  // Published at the emulator, in order, each part a reply to the one before.
  const wanted = written.flatMap((w) => w.texts);
  const onX = await pollUntil(
    async (): Promise<EmulatorState['posts'] | undefined> => {
      const posts = (await state({ url: s.emu })).posts;
      return wanted.every((t) => posts.some((p) => p.text === t)) ? posts : undefined;
    },
    { timeoutMs: 150_000, stepMs: 500 },
  );
  assert.ok(onX, 'every part reached X');
  for (const w of written) {
    const found: EmulatorState['posts'][] = w.texts.map((t) => onX.filter((p) => p.text === t));
    assert.deepEqual(
      found.map((p) => p.length),
      [1, 1, 1],
      `${w.width}: each part once`,
    );
    const [one, two, three] = found.map((p) => p[0]);
    assert.equal(one?.replyTo ?? null, null, `${w.width}: part 1 starts the thread`);
    assert.equal(two?.replyTo, one?.id, `${w.width}: part 2 replies to part 1`);
    assert.equal(three?.replyTo, two?.id, `${w.width}: part 3 replies to part 2`);
    const order: number[] = [one, two, three].map((p) => (p ? onX.indexOf(p) : -1));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `${w.width}: published in order`,
    );
    // The Posts page shows every part published, each with its link to X.
    const page = w.page;
    const row = `tr[data-post="${w.id}"]`;
    const done = await pollUntil(
      async () => {
        await page.goto(`${s.web}/posts?view=history`);
        return (await page.locator(`${row} li[data-part-status="published"]`).count()) === 3
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, stepMs: 500 },
    );
    assert.ok(done, `${w.width}: every part shown published`);
    assert.equal(await page.locator(`${row} li[data-part-status="published"] a`).count(), 3);
    await shots.take(page, `thread-published-${w.width}`);
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(shots.violations, [], 'axe-core finds no WCAG 2.1 A/AA violations');
});

test('without JavaScript: a thread saved as a draft, a part changed on its Edit page, scheduled, and moved as one from the calendar', async () => {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    locale: 'en-GB',
    timezoneId: ZONE,
    viewport: { width: 1280, height: 900 },
  });
  after(() => context.close());
  // The zone the page script would have told the server (times on the calendar are in it).
  await context.addCookies([{ name: 'rotor-tz', value: ZONE, url: s.web }]);
  const page = await context.newPage();
  await signIn(page, s.web, 'alice');
  await page.goto(`${s.web}/compose`);
  await page.fill('#text', 'Draft thread: one');
  // "Add part" sends the form and comes back with one part more, the texts kept.
  await page.click('[data-add-part]');
  await page.waitForSelector('#text-part-2');
  assert.equal(await page.inputValue('#text'), 'Draft thread: one');
  await page.fill('#text-part-2', 'Draft thread: two');
  await page.click('[data-add-part]');
  await page.waitForSelector('#text-part-3');
  assert.equal(await page.inputValue('#text-part-2'), 'Draft thread: two');
  await page.fill('#text-part-3', 'Draft thread: three');
  await page.click('button[value="draft"]');
  await page.waitForURL(/done=drafted/);
  const draft = await storedThread(page, 'Draft thread: one');
  assert.equal(draft.status, 'draft');
  assert.equal(draft.parts?.length, 3);

  await page.goto(`${s.web}/posts?view=drafts`);
  await page.click(`tr[data-post="${draft.id}"] a[data-edit]`);
  await page.waitForURL(new RegExp(`/posts/${draft.id}/edit$`));
  assert.match(await text(page, 'main'), /A thread of 3 parts/);
  assert.equal(await page.locator('[data-part-status="waiting"]').count(), 2, 'parts 2 and 3 wait');
  // (No axe check here: it runs as a page script.)
  await page.screenshot({ path: join(SCREENSHOTS, 'thread-edit-no-js.png'), fullPage: true });
  const day = DateTime.now().setZone(ZONE).plus({ days: 2 }).toFormat('yyyy-MM-dd');
  await page.fill('#text-part-2', 'Draft thread: two, edited');
  await page.fill('#date', day);
  await page.fill('#time', '10:00');
  await page.selectOption('#zone', ZONE);
  await page.click('button[value="schedule"]');
  await page.waitForURL(/view=upcoming&done=edited/);
  const edited = await storedThread(page, 'Draft thread: one');
  assert.equal(edited.id, draft.id, 'the same thread, edited');
  assert.equal(edited.status, 'scheduled');
  assert.equal(tokyo(edited.dueAt), `${day}T10:00`);
  assert.deepEqual(
    edited.parts?.map((p) => [p.text, p.status]),
    [
      ['Draft thread: one', 'scheduled'],
      ['Draft thread: two, edited', 'waiting'],
      ['Draft thread: three', 'waiting'],
    ],
  );

  // The calendar shows it once, as a thread of 3; its Move form moves the thread.
  await page.goto(`${s.web}/calendar?view=week&date=${day}`);
  const entry = `.cal-day[data-date="${day}"] .cal-entry[data-post="${draft.id}"]`;
  assert.match(await text(page, `${entry} [data-thread]`), /Thread · 3 parts/);
  assert.equal(await page.locator('.cal-entry').filter({ hasText: 'Draft thread' }).count(), 1);
  await page.click(`${entry} summary`);
  await page.fill(`${entry} input[name="time"]`, '11:30');
  await page.click(`${entry} button[type="submit"]`);
  await page.waitForURL(/moved=/);
  const moved = await storedThread(page, 'Draft thread: one');
  assert.equal(tokyo(moved.dueAt), `${day}T11:30`);
  assert.deepEqual(
    moved.parts?.map((p) => p.text),
    ['Draft thread: one', 'Draft thread: two, edited', 'Draft thread: three'],
    'the parts moved with it',
  );

  // Cancel on the Posts page cancels the thread: every part.
  await page.goto(`${s.web}/posts?view=upcoming`);
  await page.click(`tr[data-post="${draft.id}"] form[action$="/cancel"] button`);
  await page.waitForURL(/done=cancelled/);
  const cancelled = await storedThread(page, 'Draft thread: one');
  assert.deepEqual(
    cancelled.parts?.map((p) => p.status),
    ['cancelled', 'cancelled', 'cancelled'],
  );
});

test('two accounts: "Also post to" follows the Account field, a thread for both is refused, a thread posted now to one', async () => {
  const context = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: ZONE });
  after(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  await signIn(page, s.web, 'alice');
  await page.click('text=Connect another X account');
  await consentAs(page, 'hanako');
  await page.waitForURL(new RegExp(`^${s.web}/`));
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  assert.ok(!(await page.isVisible('#acct-alice')), 'the chosen account is not offered again');
  assert.ok(await page.isVisible('#acct-hanako'));
  await page.selectOption('#account', { label: '@hanako' });
  assert.ok(!(await page.isVisible('#acct-hanako')), 'nor after choosing another one');
  assert.ok(await page.isVisible('#acct-alice'));
  await page.selectOption('#account', { label: '@alice' });

  const before = (await state({ url: s.emu })).posts.length;
  await page.fill('#text', 'Two-account thread: one');
  await page.click('[data-add-part]');
  await page.fill('#text-part-2', 'Two-account thread: two');
  await page.check('#acct-hanako');
  await page.click('button[value="now"]');
  await page.waitForSelector('.notice');
  assert.match(await text(page, '.notice'), /A thread goes to one account/);
  assert.equal(await page.inputValue('#text-part-2'), 'Two-account thread: two', 'nothing is lost');
  assert.equal((await state({ url: s.emu })).posts.length, before, 'nothing sent');

  await page.uncheck('#acct-hanako');
  await page.click('button[value="now"]');
  await page.waitForSelector('.notice');
  assert.match(await text(page, '.notice'), /The thread was posted to X \(2 parts\)/);
  const posts = (await state({ url: s.emu })).posts;
  const [one, two] = ['Two-account thread: one', 'Two-account thread: two'].map((t) =>
    posts.filter((p) => p.text === t),
  );
  assert.equal(one?.length, 1);
  assert.equal(two?.length, 1);
  assert.equal(two?.[0]?.replyTo, one?.[0]?.id, 'part 2 replies to part 1');
  assert.deepEqual(errors, []);
});
