/**
 * @module Schedules without cron: queue slots as a weekday × time grid ("Mon–Fri 09:00, 12:30;
 * Sat 10:00") and recurring posts as "every day / weekdays / every Monday at HH:MM". Both become
 * cron (one expression per time, joined by `|` when the days differ), read in the schedule's zone;
 * cron stays available as it is.
 */

/** A weekday as cron numbers it (0 = Sunday … 6 = Saturday). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;
/** Monday first, as the grid shows them. */
export const GRID_DAYS: readonly Weekday[] = [1, 2, 3, 4, 5, 6, 0];

export interface Slot {
  day: Weekday;
  /** `HH:MM`, 24 h. */
  time: string;
}

export class GridError extends Error {
  override readonly name = 'GridError';
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Days as cron writes them, runs compacted: [1,2,3,4,5] → "1-5", [1,3,6] → "1,3,6". */
export function cronDays(days: readonly Weekday[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return '*';
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] ?? 0) === (sorted[j] ?? 0) + 1) j += 1;
    const [a, b] = [sorted[i], sorted[j]];
    runs.push(j - i >= 2 ? `${a}-${b}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return runs.join(',');
}

/**
 * The cron of a grid: one expression per time with the days ticked for it.
 * @throws {GridError} no slot ticked, or a time that is not `HH:MM`.
 */
export function gridToCron(slots: readonly Slot[]): string {
  if (slots.length === 0) throw new GridError('tick at least one day for a time in the grid');
  const byTime = new Map<string, Weekday[]>();
  for (const s of slots) {
    if (!TIME.test(s.time)) throw new GridError(`"${s.time}" is not a time (HH:MM)`);
    byTime.set(s.time, [...(byTime.get(s.time) ?? []), s.day]);
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([time, days]) => {
      const [h, m] = time.split(':').map(Number);
      return `${m} ${h} * * ${cronDays(days)}`;
    })
    .join(' | ');
}

/** The slots of a cron this module wrote (or any "M H * * days" list), else undefined. */
export function cronToGrid(cron: string): Slot[] | undefined {
  const slots: Slot[] = [];
  for (const part of cron.split('|').map((p) => p.trim())) {
    const m = /^(\d{1,2}) (\d{1,2}) \* \* ([\d,*-]+)$/.exec(part);
    if (!m) return undefined;
    const [minute, hour] = [Number(m[1]), Number(m[2])];
    if (minute > 59 || hour > 23) return undefined;
    const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    const days = new Set<Weekday>();
    for (const item of (m[3] ?? '').split(',')) {
      const range = item === '*' ? [0, 6] : item.split('-').map(Number);
      const [a = NaN, b = a] = range;
      if (!(a >= 0 && b <= 7 && a <= b)) return undefined;
      for (let d = a; d <= b; d++) days.add((d % 7) as Weekday);
    }
    for (const day of days) slots.push({ day, time });
  }
  return slots;
}

/** "every day / weekdays / every <weekday>" at a time. */
export type Repeat = { every: 'day' | 'weekdays' } | { every: 'week'; day: Weekday };

/** The cron of a simple repeat at `time` (`HH:MM`). */
export function repeatToCron(repeat: Repeat, time: string): string {
  if (!TIME.test(time)) throw new GridError(`"${time}" is not a time (HH:MM)`);
  const [h, m] = time.split(':').map(Number);
  const days = repeat.every === 'week' ? String(repeat.day) : repeat.every === 'day' ? '*' : '1-5';
  return `${m} ${h} * * ${days}`;
}

/**
 * A grid in words, days with the same times grouped: "Mon–Fri 09:00, 12:30; Sat 10:00".
 * `dayName` names a weekday in the reader's language.
 */
export function describeGrid(slots: readonly Slot[], dayName: (d: Weekday) => string): string {
  const timesOf = new Map<Weekday, string[]>();
  for (const s of slots) timesOf.set(s.day, [...(timesOf.get(s.day) ?? []), s.time].sort());
  const groups: { days: Weekday[]; times: string }[] = [];
  for (const day of GRID_DAYS) {
    const times = timesOf.get(day)?.join(', ');
    if (!times) continue;
    const last = groups.at(-1);
    const prevDay = last?.days.at(-1);
    const adjacent = prevDay !== undefined && GRID_DAYS.indexOf(prevDay) === GRID_DAYS.indexOf(day) - 1;
    if (last && last.times === times && adjacent) last.days.push(day);
    else groups.push({ days: [day], times });
  }
  return groups
    .map(({ days, times }) => {
      const first = days[0] ?? 1;
      const name =
        days.length >= 3
          ? `${dayName(first)}–${dayName(days.at(-1) ?? first)}`
          : days.map(dayName).join(', ');
      return `${name} ${times}`;
    })
    .join('; ');
}
