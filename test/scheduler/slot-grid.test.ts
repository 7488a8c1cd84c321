/**
 * Schedules without cron: the weekday × time grid and the simple repeat become cron (one
 * expression per time, joined by "|"), are read back and said in words, and the merged
 * occurrences of a list come in order, each once, in the schedule's zone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextOccurrences } from '../../src/scheduler/recurrence.ts';
import {
  cronDays,
  cronToGrid,
  describeGrid,
  gridToCron,
  repeatToCron,
  type Slot,
  type Weekday,
} from '../../src/scheduler/slot-grid.ts';
import { cronFromForm, nextFreeSlot } from '../../src/web/schedule-forms.ts';

const NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const name = (d: Weekday) => NAMES[d] ?? '';
const weekdays = (time: string): Slot[] => ([1, 2, 3, 4, 5] as Weekday[]).map((day) => ({ day, time }));

test('"Mon–Fri 09:00, 12:30; Sat 10:00" as cron, back, and in words', () => {
  const slots = [...weekdays('09:00'), ...weekdays('12:30'), { day: 6 as Weekday, time: '10:00' }];
  const cron = gridToCron(slots);
  assert.equal(cron, '0 9 * * 1-5 | 0 10 * * 6 | 30 12 * * 1-5');
  assert.equal(describeGrid(cronToGrid(cron) ?? [], name), 'Mon–Fri 09:00, 12:30; Sat 10:00');
  assert.equal(cronDays([0, 1, 2, 3, 4, 5, 6]), '*');
  assert.equal(cronDays([1, 3, 6]), '1,3,6');
  assert.equal(cronDays([0, 6]), '0,6');
  assert.equal(cronToGrid('*/5 * * * *'), undefined, 'a cron that is no grid stays cron');
  assert.throws(() => gridToCron([]), /tick at least one day/);
  assert.throws(() => gridToCron([{ day: 1, time: '25:00' }]), /not a time/);
});

test('the simple repeat: every day, weekdays, every Monday at HH:MM', () => {
  assert.equal(repeatToCron({ every: 'day' }, '07:05'), '5 7 * * *');
  assert.equal(repeatToCron({ every: 'weekdays' }, '09:00'), '0 9 * * 1-5');
  assert.equal(repeatToCron({ every: 'week', day: 1 }, '18:30'), '30 18 * * 1');
});

test('a list of crons fires at each of its times, in order, once, in its zone', () => {
  const after = Date.parse('2026-12-04T00:00:00Z'); // Fri 09:00 in Tokyo
  const times = nextOccurrences('0 9 * * 1-5 | 0 10 * * 6 | 0 9 * * 5', 'Asia/Tokyo', after, 4);
  assert.deepEqual(
    times.map((t) => new Date(t).toISOString()),
    [
      '2026-12-05T01:00:00.000Z', // Sat 10:00 (Fri 09:00 is not after itself)
      '2026-12-07T00:00:00.000Z', // Mon 09:00
      '2026-12-08T00:00:00.000Z',
      '2026-12-09T00:00:00.000Z',
    ],
  );
});

test('the form: a typed cron wins; the grid rows; the simple repeat; refusals said', () => {
  assert.deepEqual(cronFromForm({ kind: 'queue', cron: ' 0 8 * * * ', slotTime0: '09:00' }), {
    cron: '0 8 * * *',
  });
  assert.deepEqual(
    cronFromForm({
      kind: 'queue',
      cron: '',
      slotTime0: '09:00',
      slotDays0: ['1', '2', '3', '4', '5'],
      slotTime1: '10:00',
      slotDays1: '6',
    }),
    { cron: '0 9 * * 1-5 | 0 10 * * 6' },
  );
  assert.deepEqual(cronFromForm({ kind: 'queue', cron: '', slotTime0: '09:00' }), {
    error: 'tick at least one day for a time in the grid',
  });
  assert.deepEqual(cronFromForm({ kind: 'recurring', repeat: 'week', repeatDay: '1', repeatTime: '08:00' }), {
    cron: '0 8 * * 1',
  });
  assert.deepEqual(cronFromForm({ kind: 'recurring', repeat: 'weekdays', repeatTime: '08:00' }), {
    cron: '0 8 * * 1-5',
  });
});

test('the next free slot comes after those the queued posts take', () => {
  const now = Date.parse('2026-12-02T00:00:00Z'); // Wed 09:00 Tokyo
  const queue = {
    id: 'q',
    accountId: 'a',
    kind: 'queue' as const,
    cron: '0 12 * * *',
    tz: 'Asia/Tokyo',
    template: null,
    counter: 0,
    paused: false,
    nextAt: null,
  };
  assert.equal(nextFreeSlot(queue, 0, now), Date.parse('2026-12-02T03:00:00Z'), 'today 12:00');
  assert.equal(nextFreeSlot(queue, 2, now), Date.parse('2026-12-04T03:00:00Z'), 'two taken: Friday');
  assert.equal(nextFreeSlot({ ...queue, paused: true }, 0, now), undefined);
});
