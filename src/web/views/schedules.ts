/** @module Recurring schedules and queue slots: list with pause/resume/delete, and the two forms. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import type { ScheduleRow } from '../../store/schedules.ts';
import { formatInstant } from '../format.ts';
import { accountSelect, zoneSelect } from './forms.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';

export function schedulesView(
  v: ViewContext,
  accounts: AccountRow[],
  schedules: (ScheduleRow & { username: string })[],
  message?: { text: string; kind: 'ok' | 'error' },
) {
  const row = (s: ScheduleRow & { username: string }) =>
    html`<tr data-schedule="${s.id}">
      <td>@${s.username}</td>
      <td><code>${s.cron}</code> (${s.tz})</td>
      <td>${s.template ?? ''}</td>
      <td>
        ${
          s.paused
            ? v.t('sched.paused')
            : s.nextAt
              ? v.t('sched.next', { when: formatInstant(s.nextAt, v.locale, v.timeZone) })
              : ''
        }
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
              <label for="${kind}-cron">${v.t('sched.cron')}</label>
              <input
                id="${kind}-cron"
                type="text"
                name="cron"
                required
                placeholder="0 9 * * 1-5"
                aria-describedby="cron-help"
              />
            </div>
            <div>
              <label for="${kind}-zone">${v.t('compose.zone')}</label>
              ${zoneSelect(v, `${kind}-zone`, v.timeZone, !v.zoneSaved)}
            </div>
          </div>
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
