/**
 * @module The session views: the list of a user's sessions in Settings (with "sign out
 * everywhere"), and the banner shown on every page while the account the user signs in with
 * needs reconnecting.
 */
import { html } from 'hono/html';
import type { SessionListing } from '../../store/web-sessions.ts';
import { formatInstant } from '../format.ts';
import { csrfField, type ViewContext } from './layout.ts';

/** The banner: the session lives on; the sign-in account needs reconnecting. */
export const signinReconnectBanner = (v: ViewContext) =>
  html`<p class="notice error" role="alert" data-signin-reconnect>
    ${v.t('signin.reconnectBanner', { user: v.user?.username ?? '' })}
    <a href="/accounts/connect?returnTo=/">${v.t('dash.reconnect')}</a>
  </p>`;

/** A short name for a browser from its User-Agent (the whole string is kept as a title). */
function browserName(v: ViewContext, ua: string | null): string {
  if (!ua) return v.t('sessions.unknownBrowser');
  const m = /(Edg|OPR|Firefox|Chrome|Safari|curl|node)[/ ]?([\d.]*)/i.exec(ua);
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(ua)?.[1];
  return [m?.[1], os].filter(Boolean).join(' · ') || ua.slice(0, 40);
}

/** The list of sessions, this browser's marked, and the button that ends them all. */
export function sessionsView(
  v: ViewContext,
  d: { sessions: SessionListing[]; current: string | undefined; idleDays: number },
) {
  const when = (date: Date) => formatInstant(date.getTime(), v.locale, v.timeZone);
  return html`<section aria-labelledby="sessions-title" data-sessions>
    <h2 id="sessions-title">${v.t('sessions.title')}</h2>
    <p>${v.t('sessions.lead', { days: d.idleDays })}</p>
    <ul>
      ${d.sessions.map(
        (s) =>
          html`<li data-session>
            <span title="${s.userAgent ?? ''}">${browserName(v, s.userAgent)}</span>
            ${s.idHash === d.current ? html`<strong>(${v.t('sessions.this')})</strong>` : ''} ·
            ${v.t('sessions.started', { when: when(s.createdAt) })} ·
            ${v.t('sessions.seen', { when: when(s.lastSeenAt) })}
          </li>`,
      )}
    </ul>
    <form method="post" action="/settings/sessions/end-all">
      ${csrfField(v)}<button type="submit">${v.t('sessions.signoutAll')}</button>
    </form>
  </section>`;
}
