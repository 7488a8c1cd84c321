/** @module Posts: upcoming, the queue, and history with each post's status and reason; a thread once, with its parts. */
import { html } from 'hono/html';
import type { PostRow } from '../../store/posts.ts';
import { statusWord, type MessageKey } from '../i18n.ts';
import { formatInstant } from '../format.ts';
import { csrfField, notice, type ViewContext } from './layout.ts';

export type PostsTab = 'upcoming' | 'queue' | 'drafts' | 'history';

const cancellable = new Set(['scheduled', 'queued', 'draft', 'blocked']);
const editable = new Set(['scheduled', 'queued', 'draft']);

const media = (p: PostRow) => (p.mediaCount > 0 ? html` <span class="muted">🖼×${p.mediaCount}</span>` : '');

/** A thread in a list: its badge, then each part with its own status (and why, when it has one). */
export function threadParts(v: ViewContext, parts: PostRow[]) {
  return html`<span class="thread-badge" data-thread="${parts.length}"
      >${v.t('thread.badge', { n: parts.length })}</span
    >
    <ol class="thread-parts" aria-label="${v.t('thread.parts')}">
      ${parts.map(
        (part) =>
          html`<li data-part-status="${part.status}">
            ${part.text}${media(part)}
            <small class="${['failed', 'blocked', 'unknown'].includes(part.status) ? 'bad' : 'muted'}"
              >(${statusWord(v.t, part.status)})</small
            >
            ${part.status === 'published' && part.xUrl ? html`<a href="${part.xUrl}">${v.t('posts.view')}</a>` : ''}
            ${part.reason && part.status !== 'published' ? html`<br /><small data-why>${v.t('history.why')}: ${part.reason}</small>` : ''}
          </li>`,
      )}
    </ol>`;
}

export function postsView(
  v: ViewContext,
  tab: PostsTab,
  posts: (PostRow & { username: string; parts?: PostRow[] })[],
  message?: string,
) {
  const when = (p: PostRow) => {
    const ms = p.publishedAt ?? p.dueAt;
    return ms ? formatInstant(ms, v.locale, v.timeZone) : '—';
  };
  const tabs: [PostsTab, MessageKey][] = [
    ['upcoming', 'posts.upcoming'],
    ['queue', 'posts.queue'],
    ['drafts', 'posts.drafts'],
    ['history', 'posts.history'],
  ];
  return html`<h1>${v.t('posts.title')}</h1>
    ${notice(message)}
    <p class="tabs">
      ${tabs.map(
        ([id, key]) =>
          html`<a href="/posts?view=${id}" ${id === tab ? html`aria-current="page"` : ''}>${v.t(key)}</a> `,
      )}
    </p>
    ${
      posts.length === 0
        ? html`<p class="muted">${v.t('posts.none')}</p>`
        : html`<table>
            <thead>
              <tr>
                <th scope="col">${v.t('posts.when')}</th>
                <th scope="col">${v.t('posts.account')}</th>
                <th scope="col">${v.t('posts.status')}</th>
                <th scope="col">${v.t('posts.text')}</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              ${posts.map(
                (p) =>
                  html`<tr data-post="${p.id}" data-status="${p.status}">
                    <td data-label="${v.t('posts.when')}">${when(p)}</td>
                    <td data-label="${v.t('posts.account')}">@${p.username}</td>
                    <td data-label="${v.t('posts.status')}">
                      <span class="${['failed', 'blocked', 'unknown'].includes(p.status) ? 'bad' : ''}"
                        >${statusWord(v.t, p.status)}</span
                      >
                      ${p.status === 'published' && p.xUrl ? html`<br /><a href="${p.xUrl}">${v.t('posts.view')}</a>` : ''}
                      ${p.reason && p.status !== 'published' ? html`<br /><small data-why>${v.t('history.why')}: ${p.reason}</small>` : ''}
                    </td>
                    <td>${p.parts ? threadParts(v, p.parts) : html`${p.text}${media(p)}`}</td>
                    <td>
                      ${
                        // A thread is edited until its first part starts publishing.
                        editable.has(p.parts?.[0]?.status ?? p.status)
                          ? html`<a href="/posts/${p.id}/edit" data-edit>${v.t('posts.edit')}</a> `
                          : ''
                      }
                      ${
                        cancellable.has(p.status)
                          ? html`<form
                              method="post"
                              action="/posts/${p.id}/cancel"
                              class="inline"
                              data-confirm="${v.t('confirm.cancel')}"
                            >
                              ${csrfField(v)}<button type="submit">${v.t('posts.cancel')}</button>
                            </form>`
                          : ''
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}
