/**
 * Phones (issue 14): every page at 390 and 1280 px, in English and in Japanese — no page scrolls
 * sideways (`scrollWidth`), no text is squeezed to one character per line, at 390 px the navigation
 * folds into a menu and tables become cards — with a screenshot of each (test-results/screenshots/
 * page-NAME-WIDTH-LANG.png) and axe-core clean. The pages have content: posts scheduled, queued,
 * published and failed, a recurring schedule and queue slots, an API key.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { killLeftovers } from '../helpers/cli.ts';
import { serve } from '../helpers/web.ts';
import { launch } from './browser.ts';
import { consentAs, contextFor, Shots, signIn, storedPosts, watchErrors, type Width } from './flow.ts';

after(killLeftovers);

interface Layout {
  scrollWidth: number;
  viewport: number;
  squeezed: string[];
  wideNav: boolean;
  menu: boolean;
  rowDisplay: string | null;
}

/** What the page looks like: its widths, squeezed text, the navigation, the tables. */
const layoutOf = (page: Page) =>
  page.evaluate<Layout>(`(() => {
    const squeezed = [];
    for (const el of document.querySelectorAll('main *, header *')) {
      const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join('');
      if (own.length < 4) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      // Narrower than two characters and taller than three lines: one character per line.
      if (r.width < size * 2.2 && r.height > size * 4) squeezed.push(own.slice(0, 20));
    }
    const visible = (sel) => { const e = document.querySelector(sel); return !!e && e.getClientRects().length > 0; };
    const tr = document.querySelector('main tbody tr');
    return {
      scrollWidth: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      squeezed,
      wideNav: visible('nav.wide'),
      menu: visible('details[data-menu]'),
      rowDisplay: tr ? getComputedStyle(tr).display : null,
    };
  })()`);

async function form(page: Page, web: string, path: string, fields: Record<string, string>) {
  const csrf = (await page.getAttribute('input[name="_csrf"]', 'value')) ?? '';
  const res = await page.request.post(`${web}${path}`, {
    headers: { origin: web },
    multipart: { _csrf: csrf, ...fields },
    maxRedirects: 0,
  });
  assert.ok([200, 303, 422].includes(res.status()), `${path} answered ${res.status()}`);
}

// One server and browser for both widths (hooks registered at the top level: serve() and the
// browser are stopped after every test of the file).
const s = await serve({ database: 'pglite' });
const browser = await launch();
after(() => browser.close());
const shots = new Shots();
const errors: string[] = [];

before(async () => {
  // Content on every page, made through the pages themselves.
  const setup = await contextFor(browser, { width: 'desktop', locale: 'en', timezoneId: 'Asia/Tokyo' });
  const p = await setup.newPage();
  await signIn(p, s.web, 'alice');
  await p.goto(`${s.web}/compose`);
  const account = (await p.getAttribute('#account option', 'value')) ?? '';
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const long = 'とても長い日本語の本文がここに入ります。'.repeat(6);
  await form(p, s.web, '/compose', {
    accountId: account,
    text: long,
    action: 'schedule',
    date: tomorrow,
    time: '09:00',
    timeZone: 'Asia/Tokyo',
  });
  await form(p, s.web, '/compose', {
    accountId: account,
    text: 'A draft waiting in the queue',
    action: 'queue',
  });
  await form(p, s.web, '/compose', { accountId: account, text: 'Published from the setup', action: 'now' });
  await form(p, s.web, '/compose', { accountId: account, text: 'Published from the setup', action: 'now' }); // refused (422): a duplicate
  await form(p, s.web, '/schedules', {
    accountId: account,
    kind: 'recurring',
    cron: '0 9 * * 1-5',
    timeZone: 'Asia/Tokyo',
    template: 'おはようございます {date} ({counter})',
  });
  await form(p, s.web, '/schedules', {
    accountId: account,
    kind: 'queue',
    cron: '0 12 * * *',
    timeZone: 'Asia/Tokyo',
  });
  // A cancelled post: its stored reason on the history page, in the page's language.
  await form(p, s.web, '/compose', {
    accountId: account,
    text: 'Cancelled from the setup',
    action: 'schedule',
    date: tomorrow,
    time: '10:00',
    timeZone: 'Asia/Tokyo',
  });
  const toCancel = (await storedPosts(p, s.web)).find((x) => x.text === 'Cancelled from the setup');
  assert.ok(toCancel, 'the post to cancel was stored');
  await p.goto(`${s.web}/posts?view=upcoming`);
  await form(p, s.web, `/posts/${toCancel.id}/cancel`, {});
  await p.goto(`${s.web}/settings`);
  await p.fill('#key-name', 'A key with a rather long descriptive name for the phone layout');
  await p.check('#perm-posts\\:read');
  await p.click('form[action="/settings/keys"] button[type="submit"]');
  await p.waitForURL(/\/settings\?/);
  await setup.close();
});

const signedIn = [
  '/',
  '/compose',
  '/posts?view=upcoming',
  '/posts?view=queue',
  '/posts?view=history',
  '/posts?view=drafts',
  '/calendar?view=week',
  '/calendar?view=month',
  '/schedules',
  '/import',
  '/settings',
  '/no-such-page',
];
async function everyPage(width: Width) {
  const checked: string[] = [];
  const [errorsBefore, violationsBefore] = [errors.length, shots.violations.length];
  {
    for (const lang of ['en', 'ja'] as const) {
      const context: BrowserContext = await contextFor(browser, {
        width,
        locale: lang,
        timezoneId: 'Asia/Tokyo',
      });
      const page = await context.newPage();
      watchErrors(page, errors);
      const look = async (name: string, withNav: boolean) => {
        const l = await layoutOf(page);
        const where = `${name} at ${width} in ${lang}`;
        assert.ok(l.scrollWidth <= l.viewport, `${where} scrolls sideways: ${l.scrollWidth} > ${l.viewport}`);
        assert.deepEqual(l.squeezed, [], `${where}: text squeezed to one character per line`);
        if (withNav) {
          assert.equal(l.wideNav, width === 'desktop', `${where}: the full navigation only on a wide screen`);
          assert.equal(l.menu, width === 'phone', `${where}: the menu only on a phone`);
        }
        if (width === 'phone' && l.rowDisplay !== null)
          assert.equal(l.rowDisplay, 'block', `${where}: tables are cards`);
        await shots.take(page, `page-${name}-${width}-${lang}`);
        checked.push(where);
      };
      // Signed out: sign-in, post now (cookie mode), the emulator's consent page.
      await page.goto(`${s.web}/lang/${lang}?back=/signin`);
      await look('signin', false);
      await page.goto(`${s.web}/quick`);
      await look('quick', false);
      await page.click('a[href="/auth/x/start?mode=signin"]').catch(async () => {
        await page.goto(`${s.web}/auth/x/start?mode=signin`);
      });
      await page.waitForURL(/\/i\/oauth2\/authorize/);
      await look('consent', false);
      await consentAs(page, 'alice');
      await page.waitForURL(new RegExp(`^${s.web}/`));
      for (const path of signedIn) {
        await page.goto(`${s.web}${path}`);
        const name = path === '/' ? 'dashboard' : path.slice(1).replace(/[?=]/g, '-');
        await look(name, true);
        if (path === '/posts?view=history') {
          // The cancelled post's stored reason, said in the page's language.
          const body = (await page.textContent('main')) ?? '';
          assert.ok(
            body.includes(lang === 'ja' ? '利用者が取り消しました' : 'Cancelled by its user.'),
            `${lang}: ${body}`,
          );
          if (lang === 'ja') assert.ok(!body.includes('cancelled by its user'), 'no English reason left');
        }
      }
      // The menu opens on a phone and lists every page.
      if (width === 'phone') {
        await page.goto(`${s.web}/`);
        await page.click('details[data-menu] summary');
        assert.ok(await page.isVisible('details[data-menu] a[href="/settings"]'));
      }
      await context.close();
    }
  }
  assert.equal(checked.length, 2 * (3 + signedIn.length));
  assert.deepEqual(errors.slice(errorsBefore), [], 'no script errors or CSP violations');
  assert.deepEqual(
    shots.violations.slice(violationsBefore),
    [],
    'axe-core finds no WCAG 2.1 A/AA violations',
  );
}

test('every page at 390 px (a phone), English and Japanese: no sideways scroll, no squeezed words, the menu, tables as cards, screenshots, axe clean', () =>
  everyPage('phone'));

test('every page at 1280 px, English and Japanese: no sideways scroll, no squeezed words, the full navigation, screenshots, axe clean', () =>
  everyPage('desktop'));
