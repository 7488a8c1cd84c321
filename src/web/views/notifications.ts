/** @module In-app notifications on the dashboard: the user's unread ones and recent operator alerts. */
import { html } from 'hono/html';
import { notificationText } from '../../ops/notifications/texts.ts';
import type { NotificationRow } from '../../store/notifications.ts';
import { formatInstant } from '../format.ts';
import { csrfField, type ViewContext } from './layout.ts';
import { userMessage } from '../user-messages.ts';

export function notificationsView(
  v: ViewContext,
  mine: NotificationRow[],
  operator: NotificationRow[],
  /** Accounts active now: a "needs reconnecting" about one of them is resolved. */
  active: ReadonlySet<string> = new Set(),
) {
  if (mine.length === 0 && operator.length === 0) return '';
  const item = (n: NotificationRow) => {
    const data =
      n.data.reason && n.kind === 'post_failed'
        ? { ...n.data, reason: userMessage(v.t, v.locale, n.data.reason) }
        : n.data;
    const { subject, body } = notificationText(n.kind, data, v.locale);
    const resolved = n.kind === 'reauth_required' && active.has(n.data.username ?? '');
    if (resolved)
      return html`<li data-notification="${n.kind}" data-resolved>
        <s>${subject}</s> <strong class="ok">${v.t('notes.resolved')}</strong>
        <small class="muted">${formatInstant(n.createdAt, v.locale, v.timeZone)}</small>
      </li>`;
    return html`<li data-notification="${n.kind}">
      <strong>${subject}</strong>
      <small class="muted">${formatInstant(n.createdAt, v.locale, v.timeZone)}</small><br />${body}
    </li>`;
  };
  return html`<section class="card" aria-labelledby="notes-title" role="region">
    <h2 id="notes-title">${v.t('notes.title')}</h2>
    ${
      operator.length > 0
        ? html`<p class="bad"><strong>${v.t('notes.operator')}</strong></p>
            <ul>
              ${operator.map(item)}
            </ul>`
        : ''
    }
    ${
      mine.length > 0
        ? html`<ul>
              ${mine.map(item)}
            </ul>
            <form method="post" action="/notifications/read" class="inline">
              ${csrfField(v)}<button type="submit">${v.t('notes.markRead')}</button>
            </form>`
        : ''
    }
  </section>`;
}
