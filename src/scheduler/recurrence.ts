/**
 * @module When a recurring schedule fires: a cron expression read in an IANA time zone, so that
 * "09:00 Tokyo time" stays 09:00 there across the year. Times are UTC epoch ms everywhere else.
 * Across daylight-saving changes a missing local time (spring forward) fires once, shifted by the
 * gap, and a repeated one (fall back) fires once: neither skipped nor doubled (property 32).
 */
import { CronExpressionParser } from 'cron-parser';

export class RecurrenceError extends Error {
  override readonly name = 'RecurrenceError';
}

/** Validates a time zone name (IANA, e.g. `Asia/Tokyo`). */
export function checkTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new RecurrenceError(
      `unknown time zone "${tz}" (use an IANA name such as Asia/Tokyo or Europe/Paris)`,
    );
  }
}

/** At most this many cron expressions in one list (`0 9 * * 1-5 | 0 10 * * 6`). */
export const MAX_CRON_PARTS = 12;

/**
 * The next `count` occurrences strictly after `after` (epoch ms). `cron` is one five-field
 * expression, or several joined by `|` (queue slots set as a weekday × time grid): their
 * occurrences merged, each instant once.
 */
export function nextOccurrences(cron: string, tz: string, after: number, count: number): number[] {
  const parts = cron.split('|').map((p) => p.trim());
  if (parts.length === 1) return nextOfOne(cron, tz, after, count);
  if (parts.length > MAX_CRON_PARTS)
    throw new RecurrenceError(`at most ${MAX_CRON_PARTS} cron expressions joined by "|"`);
  const all = new Set(parts.flatMap((p) => nextOfOne(p, tz, after, count)));
  return [...all].sort((a, b) => a - b).slice(0, count);
}

function nextOfOne(cron: string, tz: string, after: number, count: number): number[] {
  checkTimeZone(tz);
  if (cron.trim().split(/\s+/).length !== 5) {
    throw new RecurrenceError(`"${cron}" is not a 5-field cron expression (minute hour day month weekday)`);
  }
  let it;
  try {
    it = CronExpressionParser.parse(cron, { tz, currentDate: new Date(after) });
  } catch (e) {
    throw new RecurrenceError(`"${cron}" is not a valid cron expression: ${(e as Error).message}`);
  }
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = it.next().getTime();
    if (out.length > 0 && next <= (out.at(-1) ?? 0)) break;
    out.push(next);
  }
  return out;
}

export const nextOccurrence = (cron: string, tz: string, after: number): number => {
  const [next] = nextOccurrences(cron, tz, after, 1);
  if (next === undefined) throw new RecurrenceError(`"${cron}" never fires`);
  return next;
};
