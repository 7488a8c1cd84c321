/**
 * @module The compose preview box: the text as X shows it (links shortened, mentions and
 * hashtags marked), the images as X's grid. Rendered here for the first view; the page script
 * renders the same from `/compose/preview` as one types and picks images. A thread is shown as
 * its chain of posts, one under the other, as X shows a thread.
 */
import { html } from 'hono/html';
import { previewOf, type PreviewPart } from '../preview.ts';
import type { ViewContext } from './layout.ts';

const part = (p: PreviewPart) =>
  p.kind === 'url'
    ? html`<span class="pv-link" title="${p.href}">${p.text}</span>`
    : p.kind === 'text'
      ? p.text
      : html`<span class="pv-${p.kind}">${p.text}</span>`;

/**
 * The preview of a post, or of a thread (several texts) as X shows it: a chain of posts, each a
 * reply to the one before.
 */
export function previewBox(v: ViewContext, texts: string | string[], username: string | undefined) {
  const all = typeof texts === 'string' ? [texts] : texts.length === 0 ? [''] : texts;
  const thread = all.length > 1;
  const first = previewOf(all[0] ?? '');
  const links = all.some((t) => previewOf(t).links > 0);
  return html`<section class="preview" aria-labelledby="preview-title" data-preview>
    <h2 id="preview-title">${v.t('preview.title')}</h2>
    <p class="muted" data-preview-thread-note ${thread ? '' : 'hidden'}>${v.t('preview.thread')}</p>
    <ol class="pv-chain ${thread ? 'thread' : ''}" data-preview-chain>
      ${all.map((text, i) => {
        const p = i === 0 ? first : previewOf(text);
        return html`<li class="pv-post" data-preview-part="${i + 1}">
          <p class="pv-author" data-preview-author>${username ? `@${username}` : ''}</p>
          <p class="pv-text" data-preview-text>${p.parts.map(part)}</p>
          <div class="pv-media" data-preview-media data-count="0"></div>
        </li>`;
      })}
    </ol>
    <p
      class="muted"
      data-preview-note
      data-links-note="${v.t('preview.links')}"
      data-empty="${v.t('preview.empty')}"
    >
      ${all.every((t) => t.trim() === '') ? v.t('preview.empty') : links ? v.t('preview.links') : ''}
    </p>
  </section>`;
}
