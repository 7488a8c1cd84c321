/**
 * @module The web app's two languages. Every text a page shows is a key of one area module in
 * `./i18n/` (shell, dashboard, posting, media, planning, accounts, threads, reasons), in English and in Japanese; the locale comes
 * from the user's choice (cookie or profile), else `Accept-Language`.
 *
 * To add an area (for example `./i18n-planning.ts`): export `defineTexts({ …en }, { …ja })` from
 * it and add it to {@link AREAS} below. A key defined twice stops the app at start.
 */

import { isLocale, type Locale } from '../core/locale.ts';

export { isLocale, LOCALES, type Locale } from '../core/locale.ts';

import { accountsTexts } from './i18n/accounts.ts';
import { dashboardTexts } from './i18n/dashboard.ts';
import { mergeTexts } from './i18n/define.ts';
import { mediaTexts } from './i18n/media.ts';
import { planningTexts } from './i18n/planning.ts';
import { postingTexts } from './i18n/posting.ts';
import { reasonTexts } from './i18n/reasons.ts';
import { shellTexts } from './i18n/shell.ts';
import { threadTexts } from './i18n/threads.ts';

/** Every area's texts; merged into one dictionary. */
const AREAS = [
  shellTexts,
  dashboardTexts,
  postingTexts,
  mediaTexts,
  planningTexts,
  accountsTexts,
  threadTexts,
  reasonTexts,
] as const;

const { en, ja } = mergeTexts(AREAS);

export type MessageKey = keyof typeof en;

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, ja };

/** Every message key (for checks that both languages say the same things). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** A translator for one locale: `t('dash.refreshed', { when })`. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A post's status (`scheduled`, `publishing`…) in the user's language (`status.*`); an unknown one as it is. */
export function statusWord(t: Translate, status: string | undefined): string {
  const key = `status.${status ?? ''}` as MessageKey;
  return MESSAGE_KEYS.includes(key) ? t(key) : (status ?? '');
}

export function translator(locale: Locale): Translate {
  const table = MESSAGES[locale];
  return (key, params = {}) =>
    table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
}

/**
 * The locale for a request: an explicit choice first, then the first supported language of
 * `Accept-Language` by quality, else English.
 */
export function pickLocale(choice: string | null | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(choice)) return choice;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return 'en';
}
