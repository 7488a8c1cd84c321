/**
 * @module The parts of a post as a form (property 40): one text with its counter and its images
 * for a post, 2 to 25 of them for a thread. "Add part" and "Remove part" are submit buttons (the
 * server renders the form again with one part more or less, texts kept), so a thread can be
 * written without JavaScript; the page script does the same in the page, keeping chosen files.
 * Part 1 keeps the single post's names (`text`, `media`); part N is `partText:N`, `partMedia:N`.
 */
import { html } from 'hono/html';
import { checkText } from '../../scheduler/text.ts';
import { THREAD_PARTS } from '../../scheduler/threads.ts';
import { statusWord } from '../i18n.ts';
import type { ViewContext } from './layout.ts';

/** One part in the form; `status`, `reason` and `mediaCount` for a stored part (the Edit page). */
export interface PartField {
  text: string;
  status?: string;
  reason?: string | null;
  mediaCount?: number;
  /** On the Edit page: which stored part (1-based) it was, so that its images are kept. */
  from?: number;
}

/** The names and ids of part `n`'s fields (1-based). */
export const partNames = (n: number | string) =>
  n === 1
    ? {
        text: 'text',
        media: 'media',
        removeMedia: 'removeMedia',
        textId: 'text',
        counterId: 'counter',
        mediaId: 'media',
      }
    : {
        text: `partText:${n}`,
        media: `partMedia:${n}`,
        removeMedia: `removeMedia:${n}`,
        textId: `text-part-${n}`,
        counterId: `counter-part-${n}`,
        mediaId: `media-part-${n}`,
      };

interface PartsOptions {
  /** What the file input takes. */
  accept: string;
  /** The Edit page: media counts, "remove the images", statuses. */
  edit?: boolean;
}

function partView(v: ViewContext, n: number | string, total: number, p: PartField, o: PartsOptions) {
  const f = partNames(n);
  const single = total === 1;
  const mediaLabel =
    o.edit === true
      ? v.t('edit.media', { n: p.mediaCount ?? 0 })
      : single
        ? v.t('compose.media')
        : v.t('thread.partMedia', { n });
  return html`<div class="part" data-part="${n}" role="group" aria-labelledby="part-${n}-title">
    <p class="part-title" id="part-${n}-title" ${single ? 'hidden' : ''}>${v.t('thread.part', { n })}</p>
    ${
      p.status && !single
        ? html`<p class="muted" data-part-status="${p.status}">
            ${v.t('edit.partStatus', { status: statusWord(v.t, p.status) })}
            ${p.reason ? html`<br /><small data-why>${v.t('history.why')}: ${p.reason}</small>` : ''}
          </p>`
        : ''
    }
    ${p.from === undefined ? '' : html`<input type="hidden" name="partFrom:${n}" value="${p.from}" data-part-from />`}
    <label for="${f.textId}" data-l="text">${v.t('compose.text')}</label>
    <textarea id="${f.textId}" name="${f.text}" data-count="/compose/count" aria-describedby="${f.counterId}">
${p.text}</textarea>
    <p id="${f.counterId}" class="counter" data-counter aria-live="polite">
      ${v.t('compose.counter', { n: checkText(p.text).weightedLength })}
    </p>
    <label for="${f.mediaId}" data-l="media" ${o.edit === true || single ? '' : 'data-numbered'}
      >${mediaLabel}</label
    >
    <input id="${f.mediaId}" type="file" name="${f.media}" accept="${o.accept}" multiple data-part-media />
    ${
      o.edit === true && (p.mediaCount ?? 0) > 0
        ? html`<label class="check"
            ><input type="checkbox" name="${f.removeMedia}" value="1" data-remove-media />
            ${v.t('edit.removeMedia')}</label
          >`
        : ''
    }
    ${
      n === 1
        ? ''
        : html`<button type="submit" name="action" value="remove:${n}" data-remove-part formnovalidate>
            ${v.t('thread.removePart', { n })}
          </button>`
    }
  </div>`;
}

/**
 * The parts' fields, the "Add part" button, and a template of a new part for the page script
 * (`__N__` stands for its number).
 */
export function partsFields(v: ViewContext, parts: PartField[], o: PartsOptions) {
  const shown = parts.length === 0 ? [{ text: '' }] : parts;
  return html`<div
      class="parts ${shown.length > 1 ? 'thread' : ''}"
      data-parts
      data-max="${THREAD_PARTS.max}"
      data-title="${v.t('thread.part', { n: '{n}' })}"
      data-remove="${v.t('thread.removePart', { n: '{n}' })}"
      data-media-label="${v.t('thread.partMedia', { n: '{n}' })}"
    >
      <p class="muted" data-thread-help ${shown.length > 1 ? '' : 'hidden'}>${v.t('thread.help')}</p>
      ${shown.map((p, i) => partView(v, i + 1, shown.length, p, o))}
    </div>
    ${
      shown.length < THREAD_PARTS.max
        ? html`<button type="submit" name="action" value="addPart" data-add-part formnovalidate>
            ${v.t('thread.addPart')}
          </button>`
        : html`<p class="muted">${v.t('thread.atMost')}</p>`
    }
    <template data-part-template>${partView(v, '__N__', 2, { text: '' }, { accept: o.accept })}</template>`;
}
