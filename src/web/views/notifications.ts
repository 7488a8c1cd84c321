/** @module In-app notifications on the dashboard: the user's unread ones and recent operator alerts. */
import { html } from 'hono/html';
import { notificationText } from '../../ops/notifications/texts.ts';
import type { NotificationRow } from '../../store/notifications.ts';
import { formatInstant } from '../format.ts';
import { csrfField, type ViewContext } from './layout.ts';

export function notificationsView(v: ViewContext, mine: NotificationRow[], operator: NotificationRow[]) {
  if (mine.length === 0 && operator.length === 0) return '';
  const item = (n: NotificationRow) => {
    const { subject, body } = notificationText(n.kind, n.data, v.locale);
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
