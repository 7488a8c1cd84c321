/**
 * @module The time zones people pick from: current IANA names (the runtime's ICU still answers
 * CLDR's old ones, "Asia/Calcutta" for Asia/Kolkata), the most used zones first, and a wall-clock
 * time read in a zone with DST gaps said, not moved silently.
 */
import { DateTime } from 'luxon';

/** The old names ICU gives (CLDR's canonical ones) and the current IANA name of each. */
const CURRENT_NAME: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** The zone's current IANA name ("Asia/Calcutta" → "Asia/Kolkata"); others unchanged. */
export const currentZoneName = (zone: string): string => CURRENT_NAME[zone] ?? zone;

/** The old name a browser may still report for a current one (for the page script). */
export const OLD_NAME: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(CURRENT_NAME).map(([old, current]) => [current, old]),
);

/** Every zone the runtime knows, by its current name, UTC first then A–Z. */
export const ZONE_NAMES: readonly string[] = [
  'UTC',
  ...[
    ...new Set(
      Intl.supportedValuesOf('timeZone')
        .filter((z) => z !== 'UTC')
        .map(currentZoneName),
    ),
  ].sort(),
];

/**
 * The most used zones, listed before the rest: where most X users and Rotor's two languages'
 * users live (fixed, not measured: a short list is easier to scan than a ranking that moves).
 */
export const COMMON_ZONES: readonly string[] = [
  'UTC',
  'Asia/Tokyo',
  'America/New_York',
  'America/Los_Angeles',
  'America/Chicago',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Seoul',
  'Asia/Singapore',
  'Australia/Sydney',
  'America/Sao_Paulo',
];

/** A wall-clock date and time read in a zone. */
export type WallClock =
  | { kind: 'ok'; at: number }
  | { kind: 'malformed' }
  /** The time does not exist that day (clocks went forward): `shifted` is what it would become. */
  | { kind: 'gap'; shifted: string };

/** Reads `YYYY-MM-DD` and `HH:MM` in `zone`; a time skipped by a DST change is a `gap`. */
export function readWallClock(date: string, time: string, zone: string): WallClock {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return { kind: 'malformed' };
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) return { kind: 'malformed' };
  // Luxon moves a skipped time forward; the wall clock it lands on tells.
  if (dt.toFormat('yyyy-MM-dd') !== date || dt.toFormat('HH:mm') !== time)
    return { kind: 'gap', shifted: dt.toFormat('HH:mm') };
  return { kind: 'ok', at: dt.toMillis() };
}
