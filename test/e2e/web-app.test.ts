/**
 * The web app end to end in headless Chromium, against `npm start`'s own setup (`rotor serve` in
 * demo mode: the built-in emulator, the embedded database, the workers): sign in through the
 * emulator's consent page, connect a second account, post now and find the post at X, schedule a
 * post and see it published, revoke a grant at X and see the account turn "needs reconnecting"
 * with its reason, reconnect it, switch to Japanese. Screenshots of the main pages are saved.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { control, state } from '../helpers/emulator.ts';
import { serve } from '../helpers/web.ts';
import { launch, SCREENSHOTS } from './browser.ts';
import { accessibilityViolations, type Violation } from './accessibility.ts';

after(killLeftovers);

async function consentAs(page: Page, username: string): Promise<void> {
  await page.waitForURL(/\/i\/oauth2\/authorize/);
  await page.check(`#user-${username}`);
  await page.click('button[value="allow"]');
}

/** An element's text, whitespace collapsed. */
const text = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

const violations: { page: string; found: Violation[] }[] = [];

/** Saves a screenshot of the page and checks it with axe-core (WCAG 2.1 A/AA). */
const shot = async (page: Page, name: string) => {
  const found = await accessibilityViolations(page);
  if (found.length > 0) violations.push({ page: name, found });
  await screenshot(page, name);
};

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('web app in Chromium: sign in, connect, post, schedule, revoke → reconnect, language', async () => {
  const s = await serve({ database: 'pglite' });
  const emu = { url: s.emu };
  const browser = await launch();
  after(() => browser.close());
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Resource statuses are asserted where they matter (a refused post answers 502 on purpose).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });

  // The checker itself finds what it should (a field without a label, a page without a language).
  await page.setContent('<!doctype html><title>t</title><main><input type="text"></main>');
  const probe = (await accessibilityViolations(page)).map((v) => v.id);
  assert.ok(probe.includes('label') && probe.includes('html-has-lang'), probe.join(', '));

  // Sign in with X through the emulator's consent page.
  await page.goto(`${s.web}/`);
  assert.match(page.url(), /\/signin$/);
  assert.ok(await page.isVisible('text=Demo mode'), 'demo mode is said on every page');
  await shot(page, '01-signin');
  await page.click('text=Sign in with X');
  await consentAs(page, 'alice');
  await page.waitForURL(`${s.web}/`);
  assert.equal(await text(page, 'h1'), 'Dashboard');
  assert.ok(await page.isVisible('[data-account="alice"] [data-health="active"]'));

  // A second account, from the same session.
  await page.click('text=Connect another X account');
  await consentAs(page, 'hanako');
  await page.waitForURL(`${s.web}/?flash=connected&user=hanako`);
  assert.ok(await page.isVisible('[data-account="hanako"] [data-health="active"]'));
  await shot(page, '02-dashboard');

  // Compose: the live counter follows X's weighting (CJK counts 2), then post now.
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'こんにちは、Rotor から');
  await page.locator('[data-counter]', { hasText: '22 / 280' }).waitFor();
  await page.fill('#text', 'Hello from the browser 🌸');
  await shot(page, '03-compose');
  await page.click('button[value="now"]');
  await page.waitForSelector('.notice');
  assert.equal(await text(page, '.notice'), 'Posted to X.');
  const posted = (await state(emu)).posts.find((p) => p.text === 'Hello from the browser 🌸');
  assert.ok(posted, 'the post is at X');

  // Schedule a post for the next whole minute (UTC) at least 15 s ahead.
  const due = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Scheduled from the browser');
  await page.fill('#date', due.toISOString().slice(0, 10));
  await page.fill('#time', due.toISOString().slice(11, 16));
  await page.selectOption('#zone', 'UTC');
  await page.click('button[value="schedule"]');
  await page.waitForSelector('.notice');
  assert.match(await text(page, '.notice'), /^Scheduled for /);
  await page.goto(`${s.web}/posts?view=upcoming`);
  assert.ok(await page.isVisible('tr[data-status="scheduled"] >> text=Scheduled from the browser'));
  // Shown in the browser's zone (Tokyo), not the server's.
  const dueText = await text(page, 'tr[data-status="scheduled"] td:first-child');
  const tokyo = new Date(due.getTime() + 9 * 3_600_000).toISOString().slice(11, 16);
  assert.ok(dueText.includes(tokyo) && dueText.includes('GMT+9'), dueText);
  await shot(page, '04-upcoming');

  // X revokes hanako's grant; the next post for hanako finds out and the account needs its user.
  await control(emu, 'POST', '/grants/revoke', { username: 'hanako' });
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@hanako' });
  await page.fill('#text', 'After the revocation');
  await page.click('button[value="now"]');
  // The post is kept (blocked), the form is not refilled: sending again cannot post it twice.
  await page.waitForURL(/\/posts\?view=upcoming&done=blocked$/);
  assert.match(await text(page, '.notice'), /needs reconnecting: the post is kept/);
  assert.ok(await page.isVisible('tr[data-status="blocked"] >> text=After the revocation'));
  await page.goto(`${s.web}/`);
  const reason = await text(page, '[data-account="hanako"] [data-health="reauth_required"]');
  assert.match(reason, /X no longer accepts Rotor’s access for @hanako: the access was revoked on X/);
  // …and is told so in the app, once.
  const notes = await page.locator('[data-notification="reauth_required"]').allTextContents();
  assert.equal(notes.length, 1, notes.join(' | '));
  assert.match(notes[0] ?? '', /@hanako needs to be reconnected/);
  await shot(page, '05-needs-reconnect');

  // One click reconnects; the account keeps its id (and so its schedules and queue).
  await page.click('[data-account="hanako"] >> text=Reconnect @hanako');
  await consentAs(page, 'hanako');
  await page.waitForURL(`${s.web}/?flash=reconnected&user=hanako`);
  assert.ok(await page.isVisible('[data-account="hanako"] [data-health="active"]'));

  // The scheduled post is published by the worker, and so is the blocked one, once, after the reconnect.
  await until('the scheduled post at X', 120_000, async () =>
    (await state(emu)).posts.find((p) => p.text === 'Scheduled from the browser'),
  );
  await until('the blocked post at X', 60_000, async () =>
    (await state(emu)).posts.find((p) => p.text === 'After the revocation'),
  );
  assert.equal((await state(emu)).posts.filter((p) => p.text === 'After the revocation').length, 1);
  await page.goto(`${s.web}/posts?view=history`);
  assert.ok(await page.isVisible('tr[data-status="published"] >> text=Scheduled from the browser'));
  await shot(page, '06-history');

  // Japanese, by the switch in the header; the choice sticks.
  await page.goto(`${s.web}/`);
  await page.click('text=日本語');
  await page.waitForURL(`${s.web}/`);
  assert.equal(await text(page, 'h1'), 'ダッシュボード');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await page.goto(`${s.web}/compose`);
  assert.equal(await text(page, 'h1'), '投稿を作成');
  await shot(page, '07-compose-ja');
  await page.goto(`${s.web}/`);
  await shot(page, '08-dashboard-ja');

  assert.deepEqual(errors, [], 'no script errors or CSP violations in the pages');
  assert.deepEqual(violations, [], 'no WCAG 2.1 A/AA violations found by axe-core on the main pages');
});
