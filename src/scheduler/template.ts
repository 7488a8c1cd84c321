/**
 * @module Templates of recurring posts. X refuses duplicate text, so a recurring schedule posts a
 * template whose variables change each time: `{date}` (YYYY-MM-DD), `{time}` (HH:mm), `{weekday}`,
 * `{weekday_ja}`, `{year}`, `{month}`, `{day}`, all in the schedule's time zone, and `{counter}`
 * (1, 2, 3, … per schedule). A template that would repeat itself is refused when it is saved.
 */
import { nextOccurrences } from './recurrence.ts';
import { checkText } from './text.ts';

const JA_WEEKDAYS = ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'];

export function renderTemplate(template: string, at: number, tz: string, counter: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      weekday: 'long',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const dayIndex = new Date(`${parts.year}-${parts.month}-${parts.day}T00:00:00Z`).getUTCDay();
  const values: Record<string, string> = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    weekday: parts.weekday ?? '',
    weekday_ja: JA_WEEKDAYS[dayIndex] ?? '',
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    counter: String(counter),
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export type TemplateCheck = { ok: true } | { ok: false; message: string };

/** Renders the next occurrences and refuses a template that repeats, or that X would refuse. */
export function checkTemplate(
  template: string,
  cron: string,
  tz: string,
  from: number,
  counterStart = 1,
): TemplateCheck {
  const unknown = [...template.matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((n) => !['date', 'time', 'weekday', 'weekday_ja', 'year', 'month', 'day', 'counter'].includes(n));
  if (unknown.length > 0)
    return { ok: false, message: `unknown template variable(s): ${unknown.map((n) => `{${n}}`).join(', ')}` };
  const times = nextOccurrences(cron, tz, from, 400);
  const seen = new Map<string, number>();
  for (const [i, at] of times.entries()) {
    const text = renderTemplate(template, at, tz, counterStart + i);
    const check = checkText(text);
    if (!check.ok)
      return { ok: false, message: `occurrence ${i + 1} (${new Date(at).toISOString()}): ${check.message}` };
    const earlier = seen.get(text);
    if (earlier !== undefined) {
      return {
        ok: false,
        message:
          `the template would post the same text twice (${new Date(earlier).toISOString()} and ${new Date(at).toISOString()}), ` +
          'and X refuses duplicates: add a variable that changes each time, such as {counter}, {date} or {time}',
      };
    }
    seen.set(text, at);
  }
  return { ok: true };
}
