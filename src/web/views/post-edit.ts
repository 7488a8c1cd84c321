/** @module The Edit page of a draft, queued or scheduled post: everything until it publishes; a thread's parts, each with its status. */
import { html } from 'hono/html';
import type { AccountRow } from '../../store/accounts.ts';
import type { PostRow } from '../../store/posts.ts';
import { statusWord } from '../i18n.ts';
import { accountSelect, zoneSelect } from './forms.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';
import { partsFields, type PartField } from './thread-parts.ts';
import { currentPart } from '../../scheduler/threads.ts';

export interface EditForm {
  accountId: string;
  text: string;
  /** Every part (a thread's, or one for a post) as the form shows them; else `text` alone. */
  parts?: PartField[];
  date: string;
  time: string;
  timeZone: string;
}

export function editView(
  v: ViewContext,
  post: PostRow & { parts?: PostRow[] },
  accounts: AccountRow[],
  form: EditForm,
  message?: { text: string; kind: 'ok' | 'error' },
) {
  return html`<h1>${v.t('edit.title')}</h1>
    ${notice(message?.text, message?.kind)}
    <p>
      ${
        post.parts
          ? v.t('edit.threadLead', {
              n: post.parts.length,
              status: statusWord(v.t, (currentPart(post.parts) ?? post).status),
            })
          : v.t('edit.lead', { status: statusWord(v.t, post.status) })
      }
    </p>
    <form method="post" action="/posts/${post.id}/edit" enctype="multipart/form-data" data-edit-post>
      ${csrfField(v)}
      <label for="account">${v.t('compose.account')}</label>
      ${accountSelect('account', accounts, form.accountId)}
      ${partsFields(v, form.parts ?? [{ text: form.text, mediaCount: post.mediaCount, from: 1 }], {
        accept: 'image/png,image/jpeg,image/gif,image/webp',
        edit: true,
      })}
      <fieldset>
        <legend>${v.t('compose.schedule')}</legend>
        <div class="row">
          <div>
            <label for="date">${v.t('compose.date')}</label>
            <input id="date" type="date" name="date" value="${form.date}" />
          </div>
          <div>
            <label for="time">${v.t('compose.time')}</label>
            <input id="time" type="time" name="time" value="${form.time}" />
          </div>
          <div>
            <label for="zone">${v.t('compose.zone')}</label>
            ${zoneSelect(v, 'zone', form.timeZone, false)}
          </div>
        </div>
      </fieldset>
      <div class="actions">
        <button class="primary" type="submit" name="action" value="save">${v.t('edit.save')}</button>
        <button type="submit" name="action" value="schedule">${v.t('compose.schedule')}</button>
        <button type="submit" name="action" value="queue">${v.t('compose.queue')}</button>
        ${
          post.status === 'draft'
            ? ''
            : html`<button type="submit" name="action" value="draft">${v.t('edit.asDraft')}</button>`
        }
      </div>
    </form>
    <link rel="stylesheet" href="/static/planning.css" />
    <script src="/static/planning.js" defer></script>`;
}
