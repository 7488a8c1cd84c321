/**
 * @module Schedules without cron, as form pieces: the queue's weekday × time grid (a row per
 * time, a column per weekday), the recurring "every day / weekdays / every Monday at HH:MM", the
 * cron field kept behind "Or a cron expression", and a schedule said in words.
 */
import { html } from 'hono/html';
import { cronToGrid, describeGrid, GRID_DAYS, type Weekday } from '../../scheduler/slot-grid.ts';
import type { ScheduleRow } from '../../store/schedules.ts';
import { formatInstant } from '../format.ts';
import { GRID_ROWS } from '../schedule-forms.ts';
import type { ViewContext } from './layout.ts';

const INTL: Record<string, string> = { en: 'en-GB', ja: 'ja-JP' };

/** A weekday's short name in the reader's language (2026-11-29 was a Sunday). */
export const dayName = (v: ViewContext, d: Weekday) =>
  new Intl.DateTimeFormat(INTL[v.locale], { weekday: 'short', timeZone: 'UTC' }).format(
    Date.UTC(2026, 10, 29 + d, 12),
  );

export function slotGrid(v: ViewContext) {
  // A first row ready for the most common case (weekdays at 09:00), the others empty.
  return html`<fieldset class="slot-grid" data-slot-grid>
    <legend>${v.t('grid.title')}</legend>
    <p class="muted">${v.t('grid.help')}</p>
    <table>
      <thead>
        <tr>
          <th scope="col">${v.t('compose.time')}</th>
          ${GRID_DAYS.map((d) => html`<th scope="col">${dayName(v, d)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${Array.from(
          { length: GRID_ROWS },
          (_, i) =>
            html`<tr>
              <td>
                <input
                  type="time"
                  name="slotTime${i}"
                  id="slot-time-${i}"
                  aria-label="${v.t('grid.timeRow', { n: i + 1 })}"
                  value="${i === 0 ? '09:00' : ''}"
                />
              </td>
              ${GRID_DAYS.map(
                (d) =>
                  html`<td>
                    <input
                      type="checkbox"
                      name="slotDays${i}"
                      value="${d}"
                      id="slot-${i}-${d}"
                      aria-label="${dayName(v, d)} · ${v.t('grid.timeRow', { n: i + 1 })}"
                      ${i === 0 && d >= 1 && d <= 5 ? 'checked' : ''}
                    />
                  </td>`,
              )}
            </tr>`,
        )}
      </tbody>
    </table>
  </fieldset>`;
}

export function repeatFields(v: ViewContext) {
  return html`<div class="row">
    <div>
      <label for="repeat">${v.t('repeat.every')}</label>
      <select id="repeat" name="repeat">
        <option value="day">${v.t('repeat.day')}</option>
        <option value="weekdays">${v.t('repeat.weekdays')}</option>
        <option value="week">${v.t('repeat.week')}</option>
      </select>
    </div>
    <div>
      <label for="repeat-day">${v.t('repeat.weekday')}</label>
      <select id="repeat-day" name="repeatDay">
        ${GRID_DAYS.map((d) => html`<option value="${d}">${dayName(v, d)}</option>`)}
      </select>
    </div>
    <div>
      <label for="repeat-time">${v.t('compose.time')}</label>
      <input id="repeat-time" type="time" name="repeatTime" value="09:00" />
    </div>
  </div>`;
}

/** The cron field, for those who want it: it wins over the grid or the simple form. */
export function cronField(v: ViewContext, kind: string) {
  return html`<div class="cron-field">
    <label for="${kind}-cron">${v.t('grid.orCron')}: ${v.t('sched.cron')}</label>
    <input id="${kind}-cron" type="text" name="cron" placeholder="0 9 * * 1-5" aria-describedby="cron-help" />
  </div>`;
}

/** A schedule in words when it is a grid ("Mon–Fri 09:00; Sat 10:00"), else its cron. */
export function scheduleWords(v: ViewContext, s: Pick<ScheduleRow, 'cron'>) {
  const slots = cronToGrid(s.cron);
  return slots && slots.length > 0
    ? html`<span data-slots>${describeGrid(slots, (d) => dayName(v, d))}</span>`
    : html`<code>${s.cron}</code>`;
}

/** "Next free slot: …" for a queue. */
export const nextFreeText = (v: ViewContext, at: number | undefined) =>
  at === undefined
    ? ''
    : html`<span data-next-free
        >${v.t('grid.nextFree', { when: formatInstant(at, v.locale, v.timeZone) })}</span
      >`;
