/** @module The smaller pages: sign-in, CSV import, settings with API keys, cookie-mode posting, errors. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import type { ApiKeyRow, HandoutRow } from '../../store/api-keys.ts';
import { PERMISSIONS } from '../actor.ts';
import { formatInstant, instantToZoned } from '../format.ts';
import type { ImportLineError } from '../handlers/csv-import.ts';
import { accountSelect, zoneSelect } from './forms.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';

export function signinView(v: ViewContext, error?: string) {
  return html`<h1>${v.t('signin.title')}</h1>
    ${notice(error, 'error')}
    <p>${v.t('signin.lead')}</p>
    <p><a class="button primary" href="/auth/x/start?mode=signin">${v.t('signin.button')}</a></p>
    <p class="muted">${v.t('signin.quick')} <a href="/quick">${v.t('signin.quickLink')}</a></p>`;
}

export function importView(
  v: ViewContext,
  accounts: AccountRow[],
  result: { done?: number; lines?: ImportLineError[] } | undefined,
  now: number,
) {
  // The sample is for tomorrow 09:00 in the user's zone: an example never already in the past.
  const tomorrow = instantToZoned(now + 86_400_000, v.timeZone).date;
  const sample = `text,at,time_zone
"${v.t('csv.sample')}",${tomorrow} 09:00,${v.timeZone}
"${v.t('csv.sampleQueue')}",,`;
  return html`<h1>${v.t('import.title')}</h1>
    ${result?.done !== undefined ? notice(v.t('import.done', { n: new Intl.NumberFormat(v.locale).format(result.done) })) : ''}
    ${
      result?.lines
        ? html`${notice(v.t('import.failed'), 'error')}
            <ul class="bad" data-import-errors>
              ${result.lines.map(
                (l) =>
                  html`<li>
                    ${l.line > 0 ? v.t('csv.line', { line: l.line, message: l.message }) : l.message}
                  </li>`,
              )}
            </ul>`
        : ''
    }
    <p>${v.t('import.help')}</p>
    <pre data-csv-sample><code>${sample}</code></pre>
    ${
      accounts.length === 0
        ? html`<p>${v.t('compose.noAccount')}</p>`
        : html`<form method="post" action="/import" enctype="multipart/form-data">
            ${csrfField(v)}
            <label for="account">${v.t('compose.account')}</label>
            ${accountSelect('account', accounts)}
            <label for="zone">${v.t('compose.zone')}</label>
            ${zoneSelect(v, 'zone', v.timeZone, !v.zoneSaved)}
            <label for="file">${v.t('import.file')}</label>
            <input id="file" type="file" name="file" accept=".csv,text/csv" required />
            <div class="actions"><button class="primary" type="submit">${v.t('import.submit')}</button></div>
          </form>`
    }`;
}

export function settingsView(
  v: ViewContext,
  d: {
    keys: ApiKeyRow[];
    handouts: HandoutRow[];
    newKey?: string;
    message?: { text: string; kind: 'ok' | 'error' };
    savedZone: boolean;
  },
) {
  const when = (ms: number) => formatInstant(ms, v.locale, v.timeZone);
  return html`<h1>${v.t('settings.title')}</h1>
    ${notice(d.message?.text, d.message?.kind)}
    <form method="post" action="/settings">
      ${csrfField(v)}
      <div class="row">
        <div>
          <label for="locale">${v.t('settings.language')}</label>
          <select id="locale" name="locale">
            <option value="en" ${v.locale === 'en' ? 'selected' : ''}>English</option>
            <option value="ja" ${v.locale === 'ja' ? 'selected' : ''}>日本語</option>
          </select>
        </div>
        <div>
          <label for="zone">${v.t('settings.zone')}</label>
          ${zoneSelect(v, 'zone', v.timeZone, !d.savedZone)}
        </div>
        <div><button type="submit">${v.t('settings.save')}</button></div>
      </div>
    </form>
    <h2>${v.t('keys.title')}</h2>
    <p>${v.t('keys.help')}</p>
    ${d.newKey ? html`<p role="status">${v.t('keys.created')}<br /><code class="key" data-new-key>${d.newKey}</code></p>` : ''}
    ${
      d.keys.length === 0
        ? ''
        : html`<table>
            <tbody>
              ${d.keys.map(
                (k) =>
                  html`<tr>
                    <td>${k.name}</td>
                    <td><code>${k.prefix}…</code></td>
                    <td>${k.permissions.join(', ')}</td>
                    <td>
                      ${k.revokedAt ? v.t('keys.revoked') : k.lastUsedAt ? v.t('keys.lastUsed', { when: when(k.lastUsedAt) }) : v.t('keys.never')}
                    </td>
                    <td>
                      ${
                        k.revokedAt
                          ? ''
                          : html`<form
                              method="post"
                              action="/settings/keys/${k.id}/revoke"
                              class="inline"
                              data-confirm="${v.t('confirm.revoke')}"
                            >
                              ${csrfField(v)}<button type="submit">${v.t('keys.revoke')}</button>
                            </form>`
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <form method="post" action="/settings/keys">
      ${csrfField(v)}
      <label for="key-name">${v.t('keys.name')}</label>
      <input id="key-name" type="text" name="name" required maxlength="80" />
      <fieldset>
        <legend>${v.t('keys.permissions')}</legend>
        ${PERMISSIONS.map(
          (p) =>
            html`<div>
              <input type="checkbox" id="perm-${p}" name="permissions" value="${p}" />
              <label for="perm-${p}" class="inline">${p}</label>
            </div>`,
        )}
      </fieldset>
      <div class="actions"><button type="submit">${v.t('keys.create')}</button></div>
    </form>
    <h2>${v.t('keys.handouts')}</h2>
    ${
      d.handouts.length === 0
        ? html`<p class="muted">${v.t('keys.noHandouts')}</p>`
        : html`<table>
            <tbody>
              ${d.handouts.map(
                (h) =>
                  html`<tr>
                    <td>${when(h.at)}</td>
                    <td>@${h.username}</td>
                    <td>${h.apiKeyName ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

export function quickView(
  v: ViewContext,
  username: string | undefined,
  csrf: string,
  message?: { text: string; kind: 'ok' | 'error'; link?: string },
  text = '',
) {
  return html`<h1>${v.t('quick.title')}</h1>
    <p>${v.t('quick.lead')}</p>
    ${notice(message?.text, message?.kind)}
    ${message?.link ? html`<p><a href="${message.link}">${v.t('posts.view')}</a></p>` : ''}
    ${
      username === undefined
        ? html`<p><a class="button primary" href="/auth/x/start?mode=cookie">${v.t('quick.connect')}</a></p>`
        : html`<p>${v.t('quick.as', { user: username })}</p>
            <form method="post" action="/quick">
              <input type="hidden" name="_csrf" value="${csrf}" />
              <label for="text">${v.t('compose.text')}</label>
              <textarea id="text" name="text" required>${text}</textarea>
              <div class="actions">
                <button class="primary" type="submit">${v.t('compose.postNow')}</button>
              </div>
            </form>
            <form method="post" action="/quick/forget">
              <input type="hidden" name="_csrf" value="${csrf}" />
              <button type="submit">${v.t('quick.forget')}</button>
            </form>`
    }`;
}

export function errorView(v: ViewContext, message: string) {
  return html`<h1>${v.t('error.title')}</h1>
    ${notice(message, 'error')}
    <p><a href="/">${v.t('error.back')}</a></p>`;
}
