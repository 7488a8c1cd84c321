/**
 * @module Compose for several accounts: "also post to" a checkbox per account, each with its own text
 * (X's automation rules want a different text per account), and the outcome of each account's
 * post after sending.
 */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import type { ComposeForm } from './compose.ts';
import type { ViewContext } from './layout.ts';

export interface AccountOutcomeLine {
  username: string;
  text: string;
  ok: boolean;
  link?: string | undefined;
}

/**
 * "Also post to": the other accounts, each with its own text. The account chosen in the Account
 * field above is left out (hidden and disabled, so the page script can show it again when another
 * account is chosen there; without the script, the server's next render decides).
 */
export function accountChoice(v: ViewContext, accounts: AccountRow[], form: ComposeForm) {
  const chosen = new Set(form.alsoTo ?? []);
  const main = form.accountId ?? accounts[0]?.id;
  return html`<fieldset class="accounts" data-accounts>
    <legend>${v.t('compose.accounts')}</legend>
    <p class="muted">${v.t('compose.accountsHelp')}</p>
    ${accounts.map(
      (a) =>
        html`<div class="account-choice" data-account-choice="${a.id}" ${a.id === main ? 'hidden' : ''}>
          <label class="check"
            ><input
              type="checkbox"
              name="alsoTo"
              value="${a.id}"
              id="acct-${a.username}"
              ${chosen.has(a.id) && a.id !== main ? 'checked' : ''}
              ${a.id === main ? 'disabled' : ''}
            />
            @${a.username}</label
          >
          <label for="text-${a.username}" class="own-text"
            >${v.t('compose.textFor', { user: a.username })}</label
          >
          <textarea
            id="text-${a.username}"
            name="textFor:${a.id}"
            rows="2"
            ${a.id === main ? 'disabled' : ''}
          >
${form.textFor?.[a.id] ?? ''}</textarea>
        </div>`,
    )}
  </fieldset>`;
}

export function outcomesList(outcomes: AccountOutcomeLine[]) {
  if (outcomes.length === 0) return '';
  return html`<ul class="outcomes" data-outcomes>
    ${outcomes.map(
      (o) =>
        html`<li data-outcome="${o.username}" class="${o.ok ? 'ok' : 'bad'}">
          @${o.username}: ${o.text} ${o.link ? html`<a href="${o.link}" data-x-link>X</a>` : ''}
        </li>`,
    )}
  </ul>`;
}
