/**
 * @module The Schedules page's forms without cron: the queue's weekday × time grid and the
 * recurring "every day / weekdays / every Monday at HH:MM", read into a cron expression. A cron
 * typed in its own field wins (kept for those who want it). Also: the next free queue slot.
 */
import { GridError, gridToCron, repeatToCron, type Slot, type Weekday } from '../scheduler/slot-grid.ts';
import { nextOccurrences } from '../scheduler/recurrence.ts';
import type { ScheduleRow } from '../store/schedules.ts';
import { field } from './routes/guard.ts';
import { queuedByAccount } from '../store/calendar.ts';
import type { WebDeps } from './deps.ts';

/** Time rows the grid offers. */
export const GRID_ROWS = 4;

const all = (form: Record<string, unknown>, name: string): string[] =>
  ([] as unknown[]).concat(form[name] ?? []).filter((x): x is string => typeof x === 'string');

const weekday = (s: string): Weekday | undefined => (/^[0-6]$/.test(s) ? (Number(s) as Weekday) : undefined);

/** The cron a schedules form asks for, or why it cannot be read (English, said by user-messages). */
export function cronFromForm(form: Record<string, unknown>): { cron: string } | { error: string } {
  const typed = field(form, 'cron').trim();
  if (typed !== '') return { cron: typed };
  try {
    if (field(form, 'kind') === 'queue') {
      const slots: Slot[] = [];
      for (let i = 0; i < GRID_ROWS; i++) {
        const time = field(form, `slotTime${i}`);
        const days = all(form, `slotDays${i}`).map(weekday);
        if (time === '' && days.length === 0) continue;
        if (time === '') throw new GridError('give a time for each row of ticked days');
        for (const day of days) if (day !== undefined) slots.push({ day, time });
      }
      return { cron: gridToCron(slots) };
    }
    const every = field(form, 'repeat');
    const time = field(form, 'repeatTime');
    if (every === 'week') {
      const day = weekday(field(form, 'repeatDay'));
      if (day === undefined) throw new GridError('choose the weekday');
      return { cron: repeatToCron({ every, day }, time) };
    }
    return { cron: repeatToCron({ every: every === 'weekdays' ? 'weekdays' : 'day' }, time) };
  } catch (e) {
    if (e instanceof GridError) return { error: e.message };
    throw e;
  }
}

/**
 * When a post added to the queue now would go out: the slot after those the queued posts take.
 * Undefined for a paused queue or one whose cron no longer parses.
 */
export function nextFreeSlot(queue: ScheduleRow, queuedCount: number, now: number): number | undefined {
  if (queue.paused) return undefined;
  try {
    return nextOccurrences(queue.cron, queue.tz, now, queuedCount + 1)[queuedCount];
  } catch {
    return undefined;
  }
}

/** The next free slot of each of the owner's queues (by schedule id). */
export async function nextFreeSlots(
  deps: Pick<WebDeps, 'db' | 'clock'>,
  ownerId: string,
  schedules: ScheduleRow[],
): Promise<Map<string, number>> {
  const { queued } = await queuedByAccount(deps.db, ownerId);
  const now = deps.clock.now();
  const out = new Map<string, number>();
  for (const s of schedules) {
    if (s.kind !== 'queue') continue;
    const at = nextFreeSlot(s, queued.get(s.accountId)?.length ?? 0, now);
    if (at !== undefined) out.set(s.id, at);
  }
  return out;
}
