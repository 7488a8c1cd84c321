/** @module Recurring schedules and queue slots: list with pause/resume/delete, and the two forms. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import type { ScheduleRow } from '../../store/schedules.ts';
import { formatInstant } from '../format.ts';
import { accountSelect, zoneSelect } from './forms.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';
import { cronField, nextFreeText, repeatFields, scheduleWords, slotGrid } from './slot-grid.ts';

export function schedulesView(
  v: ViewContext,
  accounts: AccountRow[],
  schedules: (ScheduleRow & { username: string })[],
  message?: { text: string; kind: 'ok' | 'error' },
  /** Each queue's next free slot (by schedule id). */
  nextFree: Map<string, number> = new Map(),
) {
  const row = (s: ScheduleRow & { username: string }) =>
    html`<tr data-schedule="${s.id}">
      <td>@${s.username}</td>
      <td>${scheduleWords(v, s)} (${s.tz})</td>
      <td>${s.template ?? ''}</td>
      <td>
        ${
          s.paused
            ? v.t('sched.paused')
            : s.nextAt
              ? v.t('sched.next', { when: formatInstant(s.nextAt, v.locale, v.timeZone) })
              : ''
        }
        ${s.kind === 'queue' && !s.paused ? html`<br />${nextFreeText(v, nextFree.get(s.id))}` : ''}
      </td>
      <td>
        ${(['pause', 'resume', 'delete'] as const)
          .filter((a) => a === 'delete' || (a === 'pause') !== s.paused)
          .map(
            (a) =>
              html`<form
                method="post"
                action="/schedules/${s.id}/${a}"
                class="inline"
                ${a === 'delete' ? html`data-confirm="${v.t('confirm.delete')}"` : ''}
              >
                ${csrfField(v)}<button type="submit">${v.t(`sched.${a}`)}</button>
              </form>`,
          )}
      </td>
    </tr>`;
  const table = (kind: 'recurring' | 'queue') => {
    const list = schedules.filter((s) => s.kind === kind);
    return list.length === 0
      ? html`<p class="muted">${v.t('sched.none')}</p>`
      : html`<table>
          <tbody>
            ${list.map(row)}
          </tbody>
        </table>`;
  };
  const form = (kind: 'recurring' | 'queue') =>
    accounts.length === 0
      ? ''
      : html`<form method="post" action="/schedules">
          ${csrfField(v)}<input type="hidden" name="kind" value="${kind}" />
          <div class="row">
            <div>
              <label for="${kind}-account">${v.t('compose.account')}</label>
              ${accountSelect(`${kind}-account`, accounts)}
            </div>
            <div>
              <label for="${kind}-zone">${v.t('compose.zone')}</label>
              ${zoneSelect(v, `${kind}-zone`, v.timeZone, !v.zoneSaved)}
            </div>
          </div>
          ${kind === 'queue' ? slotGrid(v) : repeatFields(v)} ${cronField(v, kind)}
          ${
            kind === 'recurring'
              ? html`<label for="template">${v.t('sched.template')}</label>
                  <textarea id="template" name="template" required></textarea>`
              : ''
          }
          <div class="actions">
            <button type="submit">${v.t(kind === 'recurring' ? 'sched.create' : 'sched.setSlots')}</button>
          </div>
        </form>`;
  return html`<h1>${v.t('sched.title')}</h1>
    ${notice(message?.text, message?.kind)}
    <p id="cron-help" class="muted">${v.t('sched.cronHelp')}</p>
    <h2>${v.t('sched.recurring')}</h2>
    ${table('recurring')} ${form('recurring')}
    <h2>${v.t('sched.queueSlots')}</h2>
    ${table('queue')} ${form('queue')}`;
}
