/** @module Compose: text with the live weighted counter, images, and post now / schedule / queue; a thread's parts (2 to 25), each the same. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';
import { formatInZone } from '../format.ts';
import { previewBox } from './preview.ts';
import { accountSelect, zoneSelect } from './forms.ts';
import { partsFields } from './thread-parts.ts';
import { accountChoice, outcomesList, type AccountOutcomeLine } from './compose-accounts.ts';

export interface ComposeForm {
  accountId?: string;
  /** Other accounts to post to as well (each its own post), and each one's own text. */
  alsoTo?: string[];
  textFor?: Record<string, string>;
  text?: string;
  /** A thread's parts after the first (`text`), as written. */
  moreParts?: string[];
  date?: string;
  time?: string;
  timeZone?: string;
}

export function composeView(
  v: ViewContext,
  accounts: AccountRow[],
  form: ComposeForm,
  message?: { text: string; kind: 'ok' | 'error'; link?: string; linkText?: string },
  zoneIsUsers = false,
  outcomes: AccountOutcomeLine[] = [],
  nextFree: { username: string; at: number }[] = [],
) {
  if (accounts.length === 0)
    return html`<h1>${v.t('compose.title')}</h1>
      <p>${v.t('compose.noAccount')} <a href="/accounts/connect">${v.t('dash.connect')}</a></p>`;
  const texts = [form.text ?? '', ...(form.moreParts ?? [])];
  return html`<h1>${v.t('compose.title')}</h1>
    ${notice(message?.text, message?.kind)}
    ${
      message?.link
        ? message.linkText
          ? html`<p><a href="${message.link}">${message.linkText}</a></p>`
          : html`<p><a href="${message.link}" data-x-link>${v.t('posts.view')}</a></p>`
        : ''
    }
    ${outcomesList(outcomes)}
    <form method="post" action="/compose" enctype="multipart/form-data">
      ${csrfField(v)}
      <label for="account">${v.t('compose.account')}</label>
      ${accountSelect('account', accounts, form.accountId)}
      ${partsFields(
        v,
        texts.map((text) => ({ text })),
        { accept: 'image/png,image/jpeg,image/gif,image/webp,video/mp4' },
      )}
      ${accounts.length > 1 ? accountChoice(v, accounts, form) : ''}
      <div class="actions">
        <button class="primary" type="submit" name="action" value="now">${v.t('compose.postNow')}</button>
        <button type="submit" name="action" value="queue">${v.t('compose.queue')}</button>
        <button type="submit" name="action" value="draft">${v.t('compose.draft')}</button>
      </div>
      ${nextFree.map(
        (n) =>
          html`<p class="muted" data-next-free-for="${n.username}">
            ${v.t('grid.nextFreeFor', { user: n.username, when: formatInZone(n.at, v.locale, v.timeZone) })}
          </p>`,
      )}
      <fieldset>
        <legend>${v.t('compose.schedule')}</legend>
        <div class="row">
          <div>
            <label for="date">${v.t('compose.date')}</label>
            <input id="date" type="date" name="date" value="${form.date ?? ''}" />
          </div>
          <div>
            <label for="time">${v.t('compose.time')}</label>
            <input id="time" type="time" name="time" value="${form.time ?? ''}" />
          </div>
          <div>
            <label for="zone">${v.t('compose.zone')}</label>
            ${zoneSelect(v, 'zone', form.timeZone ?? v.timeZone, !zoneIsUsers && form.timeZone === undefined)}
          </div>
          <div><button type="submit" name="action" value="schedule">${v.t('compose.schedule')}</button></div>
        </div>
      </fieldset>
    </form>
    ${previewBox(v, texts, accounts.find((a) => a.id === (form.accountId ?? accounts[0]?.id))?.username)}
    <link rel="stylesheet" href="/static/planning.css" />
    <script src="/static/planning.js" defer></script>`;
}
