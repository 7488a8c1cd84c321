/**
 * @module The calendar's contents, decided apart from any I/O: the days of a week or month view
 * in the user's zone, and every entry on them — scheduled and published posts, the coming
 * occurrences of recurring schedules, and queue slots (filled by the queued posts in order, or
 * free).
 */
import { DateTime } from 'luxon';
import type { CalendarPost, QueuedPost } from '../store/calendar.ts';
import type { ScheduleRow } from '../store/schedules.ts';
import { nextOccurrences } from '../scheduler/recurrence.ts';

export type CalendarView = 'week' | 'month';

export interface CalendarEntry {
  kind: 'post' | 'recurring' | 'queue' | 'free';
  at: number;
  username: string;
  text: string;
  /** For posts and filled queue slots: the post (moved through the edit handler). */
  postId?: string;
  status?: string;
  /** The post's own status when it differs from `status` (a thread's first part: it moves the thread). */
  ownStatus?: string;
  /** A thread's part count. */
  threadParts?: number;
}

export interface CalendarDay {
  /** `YYYY-MM-DD` in the zone. */
  date: string;
  /** Outside the month shown (the month view's leading and trailing days). */
  outside: boolean;
  entries: CalendarEntry[];
}

export interface CalendarRange {
  view: CalendarView;
  /** The day the view was asked for (`YYYY-MM-DD`). */
  anchor: string;
  from: number;
  to: number;
  days: string[];
  prev: string;
  next: string;
}

/** The days a view shows (weeks from Monday), in `zone`. */
export function calendarRange(
  view: CalendarView,
  anchorDate: string | undefined,
  zone: string,
  now: number,
): CalendarRange {
  const asked = anchorDate ? DateTime.fromISO(anchorDate, { zone }) : DateTime.invalid('none');
  const anchor = (asked.isValid ? asked : DateTime.fromMillis(now, { zone })).startOf('day');
  const first = view === 'week' ? anchor.startOf('week') : anchor.startOf('month').startOf('week');
  const last = view === 'week' ? anchor.endOf('week') : anchor.endOf('month').endOf('week');
  const days: string[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) days.push(d.toFormat('yyyy-MM-dd'));
  const step = view === 'week' ? { weeks: 1 } : { months: 1 };
  return {
    view,
    anchor: anchor.toFormat('yyyy-MM-dd'),
    from: first.toMillis(),
    to: last.plus({ milliseconds: 1 }).toMillis(),
    days,
    prev: anchor.minus(step).toFormat('yyyy-MM-dd'),
    next: anchor.plus(step).toFormat('yyyy-MM-dd'),
  };
}

/** At most this many occurrences of one schedule are laid out (a cron firing every minute). */
const MAX_OCCURRENCES = 1000;

/**
 * Lays out the entries of a range. Queue slots are counted from `now`: the queued posts fill the
 * first coming slots of their account in order, so a slot before the range may use one up.
 */
export function calendarDays(
  range: CalendarRange,
  zone: string,
  now: number,
  posts: CalendarPost[],
  schedules: (ScheduleRow & { username: string })[],
  queued: Map<string, QueuedPost[]>,
): CalendarDay[] {
  const entries: CalendarEntry[] = posts.map((p) => ({
    kind: 'post',
    at: p.at,
    username: p.username,
    text: p.text,
    postId: p.id,
    status: p.status,
    ...(p.ownStatus !== undefined && p.ownStatus !== p.status ? { ownStatus: p.ownStatus } : {}),
    ...(p.threadParts ? { threadParts: p.threadParts } : {}),
  }));
  const made = new Set(posts.filter((p) => p.scheduleId).map((p) => `${p.scheduleId}:${p.at}`));
  for (const s of schedules) {
    if (s.paused) continue;
    const after = s.kind === 'queue' ? now : Math.max(now, range.from - 1);
    let times: number[];
    try {
      times = nextOccurrences(s.cron, s.tz, after, MAX_OCCURRENCES).filter((t) => t < range.to);
    } catch {
      continue; // a schedule that no longer parses is shown on the Schedules page, not here
    }
    const waiting = [...(queued.get(s.accountId) ?? [])];
    for (const at of times) {
      if (made.has(`${s.id}:${at}`)) continue;
      const post = s.kind === 'queue' ? waiting.shift() : undefined;
      if (at < range.from) continue;
      if (s.kind === 'recurring')
        entries.push({ kind: 'recurring', at, username: s.username, text: s.template ?? '' });
      else if (post)
        entries.push({
          kind: 'queue',
          at,
          username: s.username,
          text: post.text,
          postId: post.id,
          status: 'queued',
          ...(post.threadParts ? { threadParts: post.threadParts } : {}),
        });
      else entries.push({ kind: 'free', at, username: s.username, text: '' });
    }
  }
  entries.sort((a, b) => a.at - b.at);
  const byDay = new Map<string, CalendarEntry[]>();
  for (const e of entries) {
    const day = DateTime.fromMillis(e.at, { zone }).toFormat('yyyy-MM-dd');
    byDay.set(day, [...(byDay.get(day) ?? []), e]);
  }
  const month = range.anchor.slice(0, 7);
  return range.days.map((date) => ({
    date,
    outside: range.view === 'month' && date.slice(0, 7) !== month,
    entries: byDay.get(date) ?? [],
  }));
}
