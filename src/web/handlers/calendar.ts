/** @module What the calendar reads for its owner: posts in a time range, schedules, queued posts, drafts. */
import { calendarPosts, queuedByAccount, type CalendarPost } from '../../store/calendar.ts';
import { listOwnerSchedules, type ScheduleRow } from '../../store/schedules.ts';
import { requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';

export interface CalendarData {
  /** Due or published in [from, to), soonest first. */
  posts: CalendarPost[];
  schedules: (ScheduleRow & { username: string })[];
  /** Queued posts per account, in the order the slots take them. */
  queued: Map<string, { id: string; text: string }[]>;
  /** How many drafts. */
  drafts: number;
}

/** The actor's calendar between `from` and `to` (epoch ms). */
export async function calendarFor(
  deps: WebDeps,
  actor: Actor,
  from: number,
  to: number,
): Promise<CalendarData> {
  requirePermission(actor, 'posts:read');
  const [posts, schedules, { queued, drafts }] = await Promise.all([
    calendarPosts(deps.db, actor.userId, from, to),
    listOwnerSchedules(deps.db, actor.userId),
    queuedByAccount(deps.db, actor.userId),
  ]);
  return { posts, schedules, queued, drafts };
}
