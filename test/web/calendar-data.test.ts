/**
 * The calendar's layout, decided without I/O: the days of a week and of a month in the user's
 * zone (weeks from Monday), and each entry on them — posts, recurring occurrences (not twice once
 * the post exists), and queue slots filled by the queued posts in order, the rest free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarDays, calendarRange } from '../../src/web/calendar-data.ts';
import type { ScheduleRow } from '../../src/store/schedules.ts';

const ZONE = 'Asia/Tokyo';
const now = Date.parse('2026-12-02T00:00:00Z'); // Wed 2 Dec, 09:00 in Tokyo
const schedule = (o: Partial<ScheduleRow>): ScheduleRow & { username: string } => ({
  id: 's',
  accountId: 'a',
  kind: 'queue',
  cron: '0 12 * * *',
  tz: ZONE,
  template: null,
  counter: 0,
  paused: false,
  nextAt: null,
  username: 'alice',
  ...o,
});

test('a week runs Monday to Sunday in the zone; a month covers whole weeks', () => {
  const week = calendarRange('week', '2026-12-02', ZONE, now);
  assert.deepEqual(week.days, [
    '2026-11-30',
    '2026-12-01',
    '2026-12-02',
    '2026-12-03',
    '2026-12-04',
    '2026-12-05',
    '2026-12-06',
  ]);
  assert.equal(week.from, Date.parse('2026-11-29T15:00:00Z'), 'Monday 00:00 in Tokyo');
  assert.equal(week.to, Date.parse('2026-12-06T15:00:00Z'));
  assert.equal(week.prev, '2026-11-25');
  const month = calendarRange('month', '2026-12-15', ZONE, now);
  assert.equal(month.days[0], '2026-11-30');
  assert.equal(month.days.at(-1), '2027-01-03');
  assert.equal(month.days.length % 7, 0);
  const fallback = calendarRange('week', 'nonsense', ZONE, now);
  assert.equal(fallback.anchor, '2026-12-02', 'a bad date shows the current week');
});

test('queue slots: queued posts fill the coming slots in order, the others are free', () => {
  const range = calendarRange('week', '2026-12-02', ZONE, now);
  const queued = new Map([
    [
      'a',
      [
        { id: 'q1', text: 'first in line' },
        { id: 'q2', text: 'second in line' },
      ],
    ],
  ]);
  const days = calendarDays(range, ZONE, now, [], [schedule({})], queued);
  const slots = days.flatMap((d) => d.entries.map((e) => ({ date: d.date, kind: e.kind, postId: e.postId })));
  // Slots at 12:00 from today (Wed) to Sunday: 5 of them; the past days of the week have none.
  assert.deepEqual(slots, [
    { date: '2026-12-02', kind: 'queue', postId: 'q1' },
    { date: '2026-12-03', kind: 'queue', postId: 'q2' },
    { date: '2026-12-04', kind: 'free', postId: undefined },
    { date: '2026-12-05', kind: 'free', postId: undefined },
    { date: '2026-12-06', kind: 'free', postId: undefined },
  ]);
  // Next week: the queue is used up by this week's slots, so every slot is free.
  const next = calendarDays(
    calendarRange('week', '2026-12-09', ZONE, now),
    ZONE,
    now,
    [],
    [schedule({})],
    queued,
  );
  assert.ok(next.every((d) => d.entries.length === 1 && d.entries[0]?.kind === 'free'));
});

test('recurring occurrences are shown once: not again when their post exists; paused ones not at all', () => {
  const range = calendarRange('week', '2026-12-02', ZONE, now);
  const recurring = schedule({ id: 'r', kind: 'recurring', cron: '0 18 * * *', template: 'evening' });
  const madeAt = Date.parse('2026-12-02T09:00:00Z'); // today 18:00 in Tokyo: its post was created
  const post = {
    id: 'p',
    accountId: 'a',
    username: 'alice',
    text: 'evening',
    status: 'scheduled',
    at: madeAt,
    scheduleId: 'r',
    mediaCount: 0,
  };
  const days = calendarDays(
    range,
    ZONE,
    now,
    [post],
    [recurring, schedule({ id: 'q', paused: true })],
    new Map(),
  );
  const today = days.find((d) => d.date === '2026-12-02')?.entries ?? [];
  assert.deepEqual(
    today.map((e) => e.kind),
    ['post'],
  );
  assert.equal(days.filter((d) => d.entries.some((e) => e.kind === 'recurring')).length, 4, 'Thu to Sun');
  assert.ok(!days.some((d) => d.entries.some((e) => e.kind === 'free')), 'a paused queue shows no slots');
});

test('a thread is one entry with its part count; it moves while its first part is scheduled', () => {
  const range = calendarRange('week', '2026-12-02', ZONE, now);
  const at = Date.parse('2026-12-03T01:00:00Z');
  const thread = {
    id: 't',
    accountId: 'a',
    username: 'alice',
    text: 'part one',
    at,
    scheduleId: null,
    mediaCount: 0,
    threadParts: 3,
  };
  const days = calendarDays(
    range,
    ZONE,
    now,
    [
      { ...thread, status: 'scheduled', ownStatus: 'scheduled' },
      { ...thread, id: 'u', status: 'scheduled', ownStatus: 'published' },
    ],
    [],
    new Map([['a', [{ id: 'q', text: 'queued thread', threadParts: 2 }]]]),
  );
  const entries = days.flatMap((d) => d.entries);
  assert.deepEqual(
    entries.map((e) => [e.postId, e.threadParts, e.ownStatus]),
    [
      ['t', 3, undefined],
      ['u', 3, 'published'],
    ],
    'the second has its first part out already: its own status says it no longer moves',
  );
  const queued = calendarDays(
    range,
    ZONE,
    now,
    [],
    [schedule({})],
    new Map([['a', [{ id: 'q', text: 'x', threadParts: 2 }]]]),
  );
  assert.equal(queued.flatMap((d) => d.entries).find((e) => e.postId === 'q')?.threadParts, 2);
});
