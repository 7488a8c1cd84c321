/** @module The dashboard: each account's health at a glance, the next posts, and the charts. */
import { html } from 'hono/html';
import type { MetricPoint } from '../../store/metrics-history.ts';
import type { PostRow } from '../../store/posts.ts';
import type { AccountHealth } from '../handlers/accounts.ts';
import { reasonText } from '../../core/reason-texts.ts';
import { formatDate, formatInstant } from '../format.ts';
import { barChart, lastDays, lineChart } from './charts.ts';
import { csrfField, type ViewContext } from './layout.ts';
import { notificationsView } from './notifications.ts';
import type { NotificationRow } from '../../store/notifications.ts';
import type { ScheduleRow } from '../../store/schedules.ts';
import { notice } from './layout.ts';

export interface DashboardData {
  notifications: NotificationRow[];
  operatorAlerts: NotificationRow[];
  accounts: AccountHealth[];
  upcoming: (PostRow & { username: string; parts?: PostRow[] })[];
  followers: Map<string, MetricPoint[]>;
  postsPerDay: Map<string, number>;
  now: number;
  /** Recurring schedules (their next post) and queue slots (when queued drafts go out). */
  schedules?: (ScheduleRow & { username: string })[];
  /** What the action that led here did. */
  flash?: string | undefined;
  /** A reconnect finished as another X account than the one that needs it. */
  wrongAccount?: { got: string; want: string } | undefined;
}

/** The next posts of every kind, soonest first: one-off, recurring, and queued drafts. */
function nextPosts(v: ViewContext, d: DashboardData) {
  const when = (ms: number | null) => (ms === null ? '' : formatInstant(ms, v.locale, v.timeZone));
  const slots = new Map(
    (d.schedules ?? []).filter((s) => s.kind === 'queue' && !s.paused).map((s) => [s.accountId, s.nextAt]),
  );
  const items = [
    ...d.upcoming.map((p) => ({
      at: p.status === 'queued' ? (slots.get(p.accountId) ?? null) : p.dueAt,
      kind: p.status === 'queued' ? v.t('dash.kindQueue') : v.t('dash.kindOnce'),
      user: p.username,
      text: p.text,
      data: p.status,
      parts: p.parts?.length,
    })),
    ...(d.schedules ?? [])
      .filter((s) => s.kind === 'recurring' && !s.paused && s.nextAt !== null)
      .map((s) => ({
        at: s.nextAt,
        kind: v.t('dash.kindRecurring'),
        user: s.username,
        text: s.template ?? '',
        data: 'recurring',
        parts: undefined,
      })),
  ].sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
  if (items.length === 0) return html`<p class="muted" data-empty="posts">${v.t('dash.emptyPosts')}</p>`;
  return html`<ul class="next" data-next-posts>
    ${items
      .slice(0, 8)
      .map(
        (i) =>
          html`<li data-next="${i.data}">
            <strong>${when(i.at) || '—'}</strong> · ${i.kind} · @${i.user}
            ${
              i.parts
                ? html`<span class="thread-badge" data-thread="${i.parts}"
                    >${v.t('thread.badge', { n: i.parts })}</span
                  >`
                : ''
            }<br /><span class="wrap">${i.text}</span>
          </li>`,
      )}
  </ul>`;
}

function health(v: ViewContext, a: AccountHealth) {
  const when = (ms: number) => formatInstant(ms, v.locale, v.timeZone);
  if (a.status !== 'active') {
    return html`<p class="bad" data-health="reauth_required">
        <strong>${v.t('dash.needsReconnect')}</strong> —
        ${v.t('dash.reasonLead', { user: a.username, reason: reasonText(v.locale, a.reason) })}
      </p>
      <p>
        <a
          class="button primary"
          href="/accounts/connect?returnTo=${encodeURIComponent(`/?reconnect=${a.username}`)}"
          >${v.t('dash.reconnect')} @${a.username}</a
        >
      </p>`;
  }
  return html`<p data-health="active">
      <strong class="ok">${v.t('dash.active')}</strong> ·
      ${a.refreshedAt ? v.t('dash.refreshed', { when: when(a.refreshedAt) }) : v.t('dash.neverRefreshed')}
    </p>
    ${
      a.horizonWarning
        ? html`<p class="warn" data-horizon="soon">
            ${v.t('dash.horizonSoon', { days: a.daysLeft, date: formatDate(a.connectionEndsAt, v.locale, v.timeZone) })}
            <a href="/accounts/connect?returnTo=/">${v.t('dash.reconnect')}</a>
          </p>`
        : html`<p class="muted">${v.t('dash.horizonOk', { days: a.daysLeft })}</p>`
    }`;
}

export function dashboardView(v: ViewContext, d: DashboardData) {
  const day = (ms: number) => formatDate(ms, v.locale, v.timeZone);
  const active = new Set(d.accounts.filter((a) => a.status === 'active').map((a) => a.username));
  return html`<h1>${v.t('dash.title')}</h1>
    ${notice(d.flash)} ${d.wrongAccount ? notice(v.t('connect.wrongAccount', d.wrongAccount), 'error') : ''}
    ${notificationsView(v, d.notifications, d.operatorAlerts, active)}
    <p><a class="button" href="/accounts/connect">${v.t('dash.connect')}</a></p>
    ${d.accounts.length === 0 ? html`<p data-empty="accounts">${v.t('dash.empty')}</p>` : ''}
    ${d.accounts.map((a) => {
      const series = (d.followers.get(a.id) ?? []).map((p) => ({ at: p.at, value: p.followers }));
      return html`<section class="card" aria-labelledby="acct-${a.id}" data-account="${a.username}">
        <h2 id="acct-${a.id}">
          @${a.username} ${a.displayName ? html`<span class="muted">${a.displayName}</span>` : ''}
        </h2>
        ${health(v, a)}
        <h3>${v.t('dash.followers')}</h3>
        ${series.length === 0 ? html`<p class="muted">${v.t('dash.noMetrics')}</p>` : lineChart(`${v.t('dash.followers')} @${a.username}`, series, day)}
        <form
          method="post"
          action="/accounts/${a.id}/disconnect"
          class="inline"
          data-confirm="${v.t('dash.disconnectConfirm', { user: a.username })}"
        >
          ${csrfField(v)}<button type="submit">${v.t('dash.disconnect')}</button>
        </form>
      </section>`;
    })}
    <h2>${v.t('dash.upcoming')}</h2>
    ${nextPosts(v, d)}
    <h2>${v.t('dash.postsPerDay')}</h2>
    ${barChart(v.t('dash.postsPerDay'), lastDays(d.now, 30), d.postsPerDay)}`;
}
