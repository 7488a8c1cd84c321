/**
 * @module The compose preview box: the text as X shows it (links shortened, mentions and
 * hashtags marked), the images as X's grid. Rendered here for the first view; the page script
 * renders the same from `/compose/preview` as one types and picks images.
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

export function previewBox(v: ViewContext, text: string, username: string | undefined) {
  const p = previewOf(text);
  return html`<section class="preview" aria-labelledby="preview-title" data-preview>
    <h2 id="preview-title">${v.t('preview.title')}</h2>
    <div class="pv-post">
      <p class="pv-author" data-preview-author>${username ? `@${username}` : ''}</p>
      <p class="pv-text" data-preview-text>${p.parts.map(part)}</p>
      <div class="pv-media" data-preview-media data-count="0"></div>
    </div>
    <p
      class="muted"
      data-preview-note
      data-links-note="${v.t('preview.links')}"
      data-empty="${v.t('preview.empty')}"
    >
      ${text.trim() === '' ? v.t('preview.empty') : p.links > 0 ? v.t('preview.links') : ''}
    </p>
  </section>`;
}
