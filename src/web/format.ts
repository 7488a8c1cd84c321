/**
 * @module Dates for people: shown in the user's time zone and locale, and read from a local date
 * and time in a named zone (DST gaps and overlaps resolved as luxon does: the later offset).
 */
import { DateTime } from 'luxon';
import type { Locale } from './i18n.ts';

const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', ja: 'ja-JP' };

/** "22 Nov 2026, 09:00 JST"-style text for an instant, in `timeZone`. */
export function formatInstant(ms: number, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(ms);
}

export function formatDate(ms: number, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeZone }).format(ms);
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (zone === '' || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant of a wall-clock date (`YYYY-MM-DD`) and time (`HH:MM`) in `timeZone`, or undefined
 * when either is malformed or the zone unknown.
 */
export function zonedToInstant(date: string, time: string, timeZone: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time) || !isTimeZone(timeZone))
    return undefined;
  const dt = DateTime.fromISO(`${date}T${time}`, { zone: timeZone });
  return dt.isValid ? dt.toMillis() : undefined;
}

/** The local date and time of an instant in a zone, as the form fields want them. */
export function instantToZoned(ms: number, timeZone: string): { date: string; time: string } {
  const dt = DateTime.fromMillis(ms, { zone: timeZone });
  return { date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm') };
}

/** Every IANA zone the runtime knows (for the zone pickers). */
export const TIME_ZONES: readonly string[] = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC'),
];

/** An instant in the zone the user chose, with the zone named: "2 Dec 2026, 05:14 GMT+9 (Asia/Tokyo)". */
export function formatInZone(ms: number, locale: Locale, timeZone: string): string {
  const when = formatInstant(ms, locale, timeZone);
  return locale === 'ja' ? `${when}（${timeZone}）` : `${when} (${timeZone})`;
}

/** The English words for a wall-clock time skipped by a DST change (the API's and import's). */
export const gapMessage = (date: string, time: string, zone: string, shifted: string) =>
  `${time} does not exist on ${date} in ${zone}: the clocks go forward then (it would become ${shifted}); choose another time`;
