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

export interface DashboardData {
  notifications: NotificationRow[];
  operatorAlerts: NotificationRow[];
  accounts: AccountHealth[];
  upcoming: (PostRow & { username: string })[];
  followers: Map<string, MetricPoint[]>;
  postsPerDay: Map<string, number>;
  now: number;
}

function health(v: ViewContext, a: AccountHealth) {
  const when = (ms: number) => formatInstant(ms, v.locale, v.timeZone);
  if (a.status !== 'active') {
    return html`<p class="bad" data-health="reauth_required">
        <strong>${v.t('dash.needsReconnect')}</strong> —
        ${v.t('dash.reasonLead', { user: a.username, reason: reasonText(v.locale, a.reason) })}
      </p>
      <p>
        <a class="button primary" href="/accounts/connect?returnTo=/"
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
  return html`<h1>${v.t('dash.title')}</h1>
    ${notificationsView(v, d.notifications, d.operatorAlerts)}
    <p><a class="button" href="/accounts/connect">${v.t('dash.connect')}</a></p>
    ${d.accounts.length === 0 ? html`<p>${v.t('dash.noAccounts')}</p>` : ''}
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
    ${
      d.upcoming.length === 0
        ? html`<p class="muted">${v.t('posts.none')}</p>`
        : html`<ul>
            ${d.upcoming.map(
              (p) =>
                html`<li>
                  ${p.dueAt ? formatInstant(p.dueAt, v.locale, v.timeZone) : ''} · @${p.username} · ${p.text}
                </li>`,
            )}
          </ul>`
    }
    <h2>${v.t('dash.postsPerDay')}</h2>
    ${barChart(v.t('dash.postsPerDay'), lastDays(d.now, 30), d.postsPerDay)}`;
}
