/**
 * Feedback a person expects (issue 14), in Chromium at 390 px (a phone), in English: a flash after
 * connect, reconnect, disconnect, schedule create/pause/resume/delete, key creation; a
 * confirmation before cancel and delete (dismissing it changes nothing); Post/Redirect/Get (a
 * reload after creating a key creates no second one); a reconnect finished as the wrong X account
 * says so and keeps nothing of it; a "needs reconnecting" notification names the button that
 * exists and shows resolved after the reconnect; "Next posts" lists one-off, queued and recurring
 * posts; a queue without slots is said where the post was added; demo mode's "View on X" opens the
 * post on the emulator; a history row names the account, the time in the user's zone and why.
 * At 1280 px: the consent page names "Rotor", and denying says nothing was connected, with a way back.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { control } from '../helpers/emulator.ts';
import { serve } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { consentAs, contextFor, Shots, signIn, storedPosts, text, watchErrors } from './flow.ts';

after(killLeftovers);

const flash = (page: Page) => text(page, '.notice');

test('feedback in Chromium: flashes, confirmations, PRG, wrong-account reconnect, resolved notifications, next posts, empty queue, View on X, history rows, consent naming Rotor', async () => {
  const s = await serve({ database: 'pglite' });
  const browser = await launch();
  after(() => browser.close());
  const shots = new Shots();
  const errors: string[] = [];
  const context = await contextFor(browser, { width: 'phone', locale: 'en', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  watchErrors(page, errors);
  const dialogs: string[] = [];
  let answer = true;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (answer ? d.accept() : d.dismiss());
  });

  await signIn(page, s.web, 'alice');
  // Nothing planned yet: the dashboard says what to do first.
  assert.ok(await page.isVisible('[data-empty="posts"]'));

  // Connect: a flash names the account.
  await page.goto(`${s.web}/accounts/connect`);
  await consentAs(page, 'hanako');
  await page.waitForURL(/flash=connected/);
  assert.equal(await flash(page), '@hanako is connected.');

  // Demo mode: "View on X" opens the post on the emulator.
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Look at me on the emulator');
  await page.click('button[value="now"]');
  await page.waitForSelector('[data-x-link]');
  const href = (await page.getAttribute('[data-x-link]', 'href')) ?? '';
  assert.ok(href.startsWith(`${s.emu}/alice/status/`), href);
  await page.click('[data-x-link]');
  await page.waitForURL(href);
  assert.match(await text(page, '.post'), /Look at me on the emulator/);
  await shots.take(page, 'feedback-view-on-x-phone');

  // A queue without slots says so where the post was added, with the way to set them.
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Waiting in the queue');
  await page.click('button[value="queue"]');
  await page.waitForURL(/slots=0/);
  assert.match(await flash(page), /has no slots yet, so nothing from it is posted/);
  assert.ok(await page.isVisible('main a[href="/schedules"]'));

  // Schedules: created, paused, resumed; delete asks first (dismissed: still there), then deleted.
  await page.goto(`${s.web}/schedules`);
  await page.fill('#recurring-cron', '0 9 * * *');
  await page.fill('#template', 'Good morning {date}');
  await page.click('form:has(input[value="recurring"]) button[type="submit"]');
  await page.waitForURL(/flash=created/);
  assert.equal(await flash(page), 'The schedule is created.');
  await page.click('[data-schedule] form[action$="/pause"] button');
  await page.waitForURL(/flash=paused/);
  assert.equal(await flash(page), 'The schedule is paused.');
  await page.click('[data-schedule] form[action$="/resume"] button');
  await page.waitForURL(/flash=resumed/);
  assert.equal(await flash(page), 'The schedule is resumed.');

  // Next posts: one-off, queued and recurring.
  const tomorrow = new Date(Date.now() + 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Tomorrow at nine');
  await page.fill('#date', tomorrow);
  await page.fill('#time', '09:00');
  await page.click('button[value="schedule"]');
  await page.waitForURL(/done=scheduled/);
  await page.goto(`${s.web}/`);
  for (const kind of ['scheduled', 'queued', 'recurring'])
    assert.ok(
      await page.isVisible(`[data-next-posts] [data-next="${kind}"]`),
      `Next posts lists a ${kind} post`,
    );
  await shots.take(page, 'feedback-next-posts-phone');

  await page.goto(`${s.web}/schedules`);
  answer = false;
  await page.click('[data-schedule] form[action$="/delete"] button');
  assert.match(dialogs.at(-1) ?? '', /Delete this schedule\?/);
  assert.ok(await page.isVisible('[data-schedule]'), 'dismissed: nothing deleted');
  answer = true;
  await page.click('[data-schedule] form[action$="/delete"] button');
  await page.waitForURL(/flash=deleted/);
  assert.equal(await flash(page), 'The schedule is deleted.');

  // Cancel asks first.
  await page.goto(`${s.web}/posts?view=upcoming`);
  answer = false;
  await page.click('tr[data-status="scheduled"] form[action$="/cancel"] button');
  assert.match(dialogs.at(-1) ?? '', /Cancel this post\?/);
  assert.ok(await page.isVisible('tr[data-status="scheduled"]'));
  answer = true;
  await page.click('tr[data-status="scheduled"] form[action$="/cancel"] button');
  await page.waitForURL(/done=cancelled/);

  // A history row: the account, the time in the user's zone (Tokyo), and why.
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@alice' });
  await page.fill('#text', 'Look at me on the emulator');
  await page.click('button[value="now"]'); // X refuses: a duplicate
  await page.waitForSelector('.notice.error');
  await page.goto(`${s.web}/posts?view=history`);
  const row = await text(page, 'tr[data-status="failed"]');
  assert.match(row, /@alice/);
  assert.match(row, /GMT\+9/, 'the time in the user’s zone');
  assert.match(row, /Why: X refused it as a duplicate of an earlier post/);
  await shots.take(page, 'feedback-history-phone');

  // API key: created (flash, shown once); a reload shows the page again and creates nothing.
  await page.goto(`${s.web}/settings`);
  await page.fill('#key-name', 'deploy');
  await page.check('#perm-posts\\:read');
  await page.click('form[action="/settings/keys"] button[type="submit"]');
  await page.waitForURL(/flash=keyCreated/);
  assert.equal(await flash(page), 'The key “deploy” is created.');
  assert.ok(await page.isVisible('[data-new-key]'));
  await page.reload();
  assert.equal(await page.locator('[data-new-key]').count(), 0, 'the key is shown once');
  assert.equal(await page.locator('form[action$="/revoke"]').count(), 1, 'a reload created no second key');

  // X revokes hanako's grant; the next post finds out; the notification names a real button.
  await control({ url: s.emu }, 'POST', '/grants/revoke', { username: 'hanako' });
  await page.goto(`${s.web}/compose`);
  await page.selectOption('#account', { label: '@hanako' });
  await page.fill('#text', 'After the revocation');
  await page.click('button[value="now"]');
  await page.waitForURL(/done=blocked/);
  await page.goto(`${s.web}/`);
  const note = await text(page, '[data-notification="reauth_required"]');
  const button = /“(Reconnect @hanako)”/.exec(note)?.[1];
  assert.ok(button, note);
  assert.ok(await page.isVisible(`[data-account="hanako"] >> text=${button}`), 'the button it names exists');

  // Reconnect as the wrong account (bob): said plainly, bob is not added.
  await page.click('[data-account="hanako"] >> text=Reconnect @hanako');
  await consentAs(page, 'bob');
  await page.waitForURL(/got=bob/);
  assert.match(
    await text(page, '.notice.error'),
    /You signed in on X as @bob; @hanako still needs reconnecting\. Nothing was added\./,
  );
  assert.equal(await page.locator('[data-account="bob"]').count(), 0, '@bob was not added');
  assert.ok(await page.isVisible('[data-account="hanako"] [data-health="reauth_required"]'));
  await shots.take(page, 'feedback-wrong-account-phone');

  // The right account: a flash, and the notification shows resolved.
  await page.click('[data-account="hanako"] >> text=Reconnect @hanako');
  await consentAs(page, 'hanako');
  await page.waitForURL(/flash=reconnected/);
  assert.match(await flash(page), /@hanako is reconnected/);
  assert.ok(await page.isVisible('[data-notification="reauth_required"][data-resolved]'));

  // Disconnect asks first, then says it was done.
  await page.click('[data-account="hanako"] form[action$="/disconnect"] button');
  await page.waitForURL(/flash=disconnected/);
  assert.match(dialogs.at(-1) ?? '', /Disconnect @hanako\?/);
  assert.match(await flash(page), /@hanako is disconnected/);
  assert.ok(!(await storedPosts(page, s.web)).some((p) => p.username === 'bob'));

  // At 1280 px, signed out: the consent page names Rotor; denying connects nothing, with a way back.
  const wide = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: 'Asia/Tokyo' });
  const w = await wide.newPage();
  watchErrors(w, errors);
  await w.goto(`${s.web}/auth/x/start?mode=signin`);
  await w.waitForURL(/\/i\/oauth2\/authorize/);
  assert.equal(await text(w, 'h1'), 'Authorize Rotor to access your X account?');
  await shots.take(w, 'feedback-consent-desktop');
  await w.click('button[value="deny"]');
  await w.waitForSelector('main h1');
  assert.equal(await text(w, 'main h1'), 'Nothing was connected');
  assert.match(await text(w, '.notice'), /You chose not to authorize Rotor on X\. Nothing was connected\./);
  assert.ok(await w.isVisible('main a[href="/signin"]'), 'a way back');
  await shots.take(w, 'feedback-consent-denied-desktop');

  assert.deepEqual(errors, [], 'no script errors or CSP violations');
  assert.deepEqual(shots.violations, [], 'axe-core finds no WCAG 2.1 A/AA violations');
});
