/** @module The page frame: language, demo banner, navigation, sign-out, and one stylesheet and script. */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Locale, Translate } from '../i18n.ts';
import { signinReconnectBanner } from './sessions.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What every view needs to know about the request. */
export interface ViewContext {
  t: Translate;
  locale: Locale;
  timeZone: string;
  /** Whether `timeZone` is the one saved in Settings (else the browser's, or UTC). */
  zoneSaved?: boolean;
  demo: boolean;
  path: string;
  user?: { username: string; csrf: string };
  /** The account the user signs in with needs reconnecting (a banner on every page). */
  signinNeedsReconnect?: boolean;
}

export const csrfField = (v: ViewContext) =>
  v.user ? html`<input type="hidden" name="_csrf" value="${v.user.csrf}" />` : '';

/** A notice at the top of the main content (`kind` error for refusals). */
export const notice = (text: string | undefined, kind: 'ok' | 'error' = 'ok') =>
  text
    ? html`<p
        class="notice ${kind === 'error' ? 'error' : ''}"
        role="${kind === 'error' ? 'alert' : 'status'}"
      >
        ${text}
      </p>`
    : '';

function nav(v: ViewContext) {
  if (!v.user) return '';
  const links: [string, Parameters<Translate>[0]][] = [
    ['/', 'nav.dashboard'],
    ['/compose', 'nav.compose'],
    ['/posts', 'nav.posts'],
    ['/calendar', 'nav.calendar'],
    ['/schedules', 'nav.schedules'],
    ['/import', 'nav.import'],
    ['/settings', 'nav.settings'],
  ];
  const items = links.map(
    ([href, key]) =>
      html`<a href="${href}" ${v.path === href ? html`aria-current="page"` : ''}>${v.t(key)}</a>`,
  );
  // On a phone the links fold into a menu (CSS shows one of the two; no script needed).
  return html`<nav aria-label="Rotor" class="wide">${items}</nav>
    <details class="narrow" data-menu>
      <summary>${v.t('nav.menu')}</summary>
      <nav aria-label="Rotor">${items}</nav>
    </details>`;
}

export function page(v: ViewContext, title: string, body: Html, status?: string): Html {
  const other: Locale = v.locale === 'en' ? 'ja' : 'en';
  return html`<!doctype html>
    <html lang="${v.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · Rotor</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">${v.t('app.skip')}</a>
        ${v.demo ? html`<p class="demo" role="note">${v.t('app.demo')}</p>` : ''}
        ${v.signinNeedsReconnect ? signinReconnectBanner(v) : ''}
        <header>
          <a class="brand" href="/">Rotor</a>
          ${nav(v)}
          <div class="end">
            <a href="/lang/${other}?back=${encodeURIComponent(v.path)}" lang="${other}" hreflang="${other}"
              >${other === 'ja' ? '日本語' : 'English'}</a
            >
            ${
              v.user
                ? html`<span class="muted">@${v.user.username}</span>
                    <form method="post" action="/auth/signout" class="inline">
                      ${csrfField(v)}<button type="submit">${v.t('nav.signout')}</button>
                    </form>`
                : ''
            }
          </div>
        </header>
        <main id="main">${status ? notice(status) : ''}${body}</main>
      </body>
    </html>`;
}
