/**
 * @module Steps the end-to-end tests share: signing in through the emulator's consent page, an
 * element's text, screenshots with the axe check, phone and desktop contexts, and reading what
 * Rotor stored through its own API (the browser session may read it).
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, type Violation } from './accessibility.ts';
import { SCREENSHOTS } from './browser.ts';

export const WIDTHS = { phone: 390, desktop: 1280 } as const;
export type Width = keyof typeof WIDTHS;

/** A browser context as a person has it: a width, a language, a zone of its own. */
export function contextFor(
  browser: Browser,
  o: { width: Width; locale: 'en' | 'ja'; timezoneId: string },
): Promise<BrowserContext> {
  return browser.newContext({
    locale: o.locale === 'ja' ? 'ja-JP' : 'en-GB',
    timezoneId: o.timezoneId,
    viewport: { width: WIDTHS[o.width], height: 900 },
    ...(o.width === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
}

export async function consentAs(page: Page, username: string): Promise<void> {
  await page.waitForURL(/\/i\/oauth2\/authorize/);
  await page.check(`#user-${username}`);
  await page.click('button[value="allow"]');
}

/** Signs in with X as `username` (demo mode) and lands on the dashboard. */
export async function signIn(page: Page, web: string, username: string): Promise<void> {
  await page.goto(`${web}/signin`);
  await page.click('a[href="/auth/x/start?mode=signin"]');
  await consentAs(page, username);
  await page.waitForURL(new RegExp(`^${web}/(\\?.*)?$`));
}

/** An element's text, whitespace collapsed. */
export const text = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

/** Collects axe findings and saves full-page screenshots under test-results/screenshots/. */
export class Shots {
  readonly violations: { page: string; found: Violation[] }[] = [];
  async take(page: Page, name: string): Promise<void> {
    const found = await accessibilityViolations(page);
    if (found.length > 0) this.violations.push({ page: name, found });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }
}

export interface StoredPost {
  id: string;
  text: string;
  status: string;
  dueAt: string | null;
  username: string | null;
  url: string | null;
}

/** The posts Rotor stored, read with the page's session from the HTTP API. */
export async function storedPosts(page: Page, web: string): Promise<StoredPost[]> {
  const res = await page.request.get(`${web}/api/v1/posts?limit=500`);
  if (!res.ok()) throw new Error(`GET /api/v1/posts answered ${res.status()}`);
  const body = (await res.json()) as { posts?: StoredPost[] } | StoredPost[];
  return Array.isArray(body) ? body : (body.posts ?? []);
}

/** Page script errors and CSP violations, collected. */
export function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
}
