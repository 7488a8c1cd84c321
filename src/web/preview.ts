/**
 * @module The compose preview: the post as X shows it. Links are shown as X displays them (no
 * scheme, cut after 25 characters with "…") and weigh 23 characters each, as X counts them
 * (twitter-text, the counter's own rules); @mentions and #hashtags are marked.
 */
import { twitterText } from '../core/twitter-text.ts';
import { checkText } from '../scheduler/text.ts';

export type PreviewPart =
  | { kind: 'text'; text: string }
  | { kind: 'url'; text: string; href: string }
  | { kind: 'mention' | 'hashtag'; text: string };

export interface Preview {
  parts: PreviewPart[];
  weightedLength: number;
  ok: boolean;
  /** Links in the text (each weighs 23). */
  links: number;
}

/** X's display form of a link: without the scheme and "www.", cut after 25 characters. */
export function displayUrl(url: string): string {
  const bare = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '');
  return bare.length > 25 ? `${bare.slice(0, 25)}…` : bare;
}

export function previewOf(text: string): Preview {
  const parts: PreviewPart[] = [];
  let at = 0;
  let links = 0;
  for (const e of twitterText().extractEntitiesWithIndices(text)) {
    const [start, end] = e.indices;
    if (start > at) parts.push({ kind: 'text', text: text.slice(at, start) });
    const whole = text.slice(start, end);
    if ('url' in e) {
      links += 1;
      parts.push({
        kind: 'url',
        text: displayUrl(whole),
        href: /^https?:\/\//i.test(whole) ? whole : `https://${whole}`,
      });
    } else if ('screenName' in e) parts.push({ kind: 'mention', text: whole });
    else if ('hashtag' in e || 'cashtag' in e) parts.push({ kind: 'hashtag', text: whole });
    else parts.push({ kind: 'text', text: whole });
    at = end;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  const check = checkText(text);
  return { parts, weightedLength: check.weightedLength, ok: check.ok, links };
}
