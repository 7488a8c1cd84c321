/**
 * @module The calendar page: a week or a month in the user's zone, each day listing its posts,
 * recurring occurrences and queue slots (free ones marked). Each scheduled post has a Move form
 * (keyboard-usable; the page script also lets one drag it to another day). On a phone the grid
 * becomes a list of days.
 */
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import type { CalendarDay, CalendarEntry, CalendarRange } from '../calendar-data.ts';
import { statusWord, type MessageKey } from '../i18n.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';

const INTL: Record<string, string> = { en: 'en-GB', ja: 'ja-JP' };
const KIND_KEY: Record<CalendarEntry['kind'], MessageKey> = {
  post: 'cal.once',
  recurring: 'cal.recurring',
  queue: 'cal.queueSlot',
  free: 'cal.freeSlot',
};
const short = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

function entryView(v: ViewContext, range: CalendarRange, e: CalendarEntry, i: number) {
  const local = DateTime.fromMillis(e.at, { zone: v.timeZone });
  const time = local.toFormat('HH:mm');
  // A thread moves by its first part, until that one starts publishing.
  const own = e.ownStatus ?? e.status;
  const movable = e.postId !== undefined && (own === 'scheduled' || own === 'queued');
  const id = `move-${e.postId ?? 'x'}-${i}`;
  return html`<li
    class="cal-entry cal-${e.kind}"
    data-kind="${e.kind}"
    ${e.postId ? html`data-post="${e.postId}"` : ''}
    ${e.status ? html`data-status="${e.status}"` : ''}
    ${movable ? html`draggable="true"` : ''}
  >
    <time datetime="${new Date(e.at).toISOString()}">${time}</time>
    <span class="cal-kind">${v.t(KIND_KEY[e.kind])}</span>
    <span class="cal-user">@${e.username}</span>
    ${
      e.threadParts
        ? html`<span class="thread-badge" data-thread="${e.threadParts}"
            >${v.t('thread.badge', { n: e.threadParts })}</span
          >`
        : ''
    }
    ${e.text ? html`<span class="cal-text">${short(e.text)}</span>` : ''}
    ${
      e.kind === 'post' && e.status && e.status !== 'scheduled'
        ? html`<span class="muted">${statusWord(v.t, e.status)}</span>`
        : ''
    }
    ${
      movable
        ? html`<details class="cal-move">
            <summary>${v.t('cal.move')}</summary>
            <form method="post" action="/calendar/move" data-move-form>
              ${csrfField(v)}
              <input type="hidden" name="postId" value="${e.postId}" />
              <input type="hidden" name="view" value="${range.view}" />
              <input type="hidden" name="anchor" value="${range.anchor}" />
              <fieldset>
                <legend>${v.t('cal.moveLabel', { text: short(e.text) })}</legend>
                <label for="${id}-date">${v.t('compose.date')}</label>
                <input
                  id="${id}-date"
                  type="date"
                  name="date"
                  value="${local.toFormat('yyyy-MM-dd')}"
                  required
                />
                <label for="${id}-time">${v.t('compose.time')}</label>
                <input id="${id}-time" type="time" name="time" value="${time}" required />
                <button type="submit">${v.t('cal.move')}</button>
              </fieldset>
            </form>
          </details>`
        : ''
    }
  </li>`;
}

export function calendarView(
  v: ViewContext,
  range: CalendarRange,
  days: CalendarDay[],
  drafts: number,
  today: string,
  message?: { text: string; kind: 'ok' | 'error' },
) {
  const fmt = (date: string, o: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(INTL[v.locale], { ...o, timeZone: 'UTC' }).format(
      Date.parse(`${date}T12:00:00Z`),
    );
  const title =
    range.view === 'month'
      ? fmt(range.anchor, { year: 'numeric', month: 'long' })
      : `${fmt(range.days[0] ?? range.anchor, { month: 'short', day: 'numeric' })} – ${fmt(range.days.at(-1) ?? range.anchor, { year: 'numeric', month: 'short', day: 'numeric' })}`;
  const link = (view: string, anchor: string) => `/calendar?view=${view}&date=${anchor}`;
  let i = 0;
  return html`<link rel="stylesheet" href="/static/planning.css" />
    <h1>${v.t('cal.title')}</h1>
    ${notice(message?.text, message?.kind)}
    <p class="tabs">
      <a href="${link('week', range.anchor)}" ${range.view === 'week' ? html`aria-current="page"` : ''}
        >${v.t('cal.week')}</a
      >
      <a href="${link('month', range.anchor)}" ${range.view === 'month' ? html`aria-current="page"` : ''}
        >${v.t('cal.month')}</a
      >
    </p>
    <p class="cal-nav">
      <a href="${link(range.view, range.prev)}" data-cal-prev>← ${v.t('cal.prev')}</a>
      <a href="${link(range.view, today)}">${v.t('cal.today')}</a>
      <a href="${link(range.view, range.next)}" data-cal-next>${v.t('cal.next')} →</a>
    </p>
    <h2 data-cal-title>${title}</h2>
    <p class="muted">
      ${v.t('cal.zone', { zone: v.timeZone })} ${v.t('cal.dragHint')}
      ${drafts > 0 ? html`<a href="/posts?view=drafts">${v.t('cal.draftsWaiting', { n: drafts })}</a>` : ''}
    </p>
    <div class="cal-grid cal-${range.view}" data-calendar>
      ${range.days
        .slice(0, 7)
        .map((d) => html`<div class="cal-head" aria-hidden="true">${fmt(d, { weekday: 'short' })}</div>`)}
      ${days.map(
        (d) =>
          html`<section
            class="cal-day ${d.outside ? 'outside' : ''} ${d.date === today ? 'today' : ''} ${d.entries.length === 0 ? 'empty' : ''}"
            data-date="${d.date}"
            aria-label="${fmt(d.date, { weekday: 'long', month: 'long', day: 'numeric' })}"
          >
            <h3>
              <span class="cal-weekday">${fmt(d.date, { weekday: 'short' })}</span>
              ${fmt(d.date, { month: 'short', day: 'numeric' })}
            </h3>
            ${
              d.entries.length === 0
                ? html`<p class="muted cal-nothing">${v.t('cal.nothing')}</p>`
                : html`<ul>
                    ${d.entries.map((e) => entryView(v, range, e, i++))}
                  </ul>`
            }
          </section>`,
      )}
    </div>
    <script src="/static/planning.js" defer></script>`;
}
