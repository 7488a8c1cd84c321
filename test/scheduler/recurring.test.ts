/**
 * Recurring schedules and queues (property 32): cron in an IANA zone, stored in UTC with the zone
 * beside it; daylight-saving changes neither skip nor double a post; a firing is idempotent; a
 * template that would repeat itself is refused when it is saved.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextOccurrences } from '../../src/scheduler/recurrence.ts';
import { checkTemplate, renderTemplate } from '../../src/scheduler/template.ts';
import { listPosts } from '../../src/store/posts.ts';
import { getSchedule, insertSchedule } from '../../src/store/schedules.ts';
import { BACKENDS } from '../helpers/db.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

const localDay = (at: number, tz: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: tz, dateStyle: 'short' }).format(at);
const localTime = (at: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);

describe('occurrences across daylight-saving changes', () => {
  for (const [name, cron, from] of [
    ['spring forward (02:30 does not exist on 2026-03-08)', '30 2 * * *', '2026-03-04T12:00:00Z'],
    ['fall back (01:30 happens twice on 2026-11-01)', '30 1 * * *', '2026-10-28T12:00:00Z'],
  ] as const) {
    test(`New York daily, ${name}: exactly one post per local day`, () => {
      const tz = 'America/New_York';
      const times = nextOccurrences(cron, tz, Date.parse(from), 10);
      const days = times.map((t) => localDay(t, tz));
      assert.equal(new Set(days).size, 10, `one per day: ${days.join(', ')}`);
      for (let i = 1; i < days.length; i += 1) {
        const gap =
          (Date.parse(`${days[i]}T00:00:00Z`) - Date.parse(`${days[i - 1]}T00:00:00Z`)) / 86_400_000;
        assert.equal(gap, 1, 'no day skipped');
      }
    });
  }

  test('the missing local time fires once, shifted by the gap (03:30 EDT)', () => {
    const times = nextOccurrences('30 2 * * *', 'America/New_York', Date.parse('2026-03-07T12:00:00Z'), 1);
    assert.equal(new Date(times[0] ?? 0).toISOString(), '2026-03-08T07:30:00.000Z');
    assert.equal(localTime(times[0] ?? 0, 'America/New_York'), '03:30');
  });

  test('weekdays 09:00 Tokyo time is 00:00 UTC, Monday to Friday', () => {
    const times = nextOccurrences('0 9 * * 1-5', 'Asia/Tokyo', Date.parse('2026-11-20T01:00:00Z'), 5);
    assert.deepEqual(
      times.map((t) => new Date(t).toISOString()),
      ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((d) => `${d}T00:00:00.000Z`),
    );
  });

  test('bad cron or zone: clear errors', () => {
    assert.throws(() => nextOccurrences('0 9 * *', 'UTC', 0, 1), /5-field/);
    assert.throws(() => nextOccurrences('0 25 * * *', 'UTC', 0, 1), /not a valid cron/);
    assert.throws(() => nextOccurrences('0 9 * * *', 'Mars/Olympus', 0, 1), /unknown time zone/);
  });
});

describe('templates', () => {
  const from = Date.parse('2026-11-21T00:00:00Z');
  test('variables render in the schedule’s zone', () => {
    const at = Date.parse('2026-11-22T00:00:00Z'); // Sunday 09:00 in Tokyo
    assert.equal(
      renderTemplate('{date} {time} {weekday} {weekday_ja} #{counter}', at, 'Asia/Tokyo', 7),
      '2026-11-22 09:00 Sunday 日曜日 #7',
    );
  });

  for (const [template, cron, ok] of [
    ['Good morning!', '0 9 * * *', false],
    ['Good morning! {date}', '0 9 * * *', true],
    ['Hourly {date}', '0 * * * *', false],
    ['Hourly {date} {time}', '0 * * * *', true],
    ['Happy {weekday}', '0 9 * * *', false],
    ['Post #{counter}', '*/5 * * * *', true],
  ] as const) {
    test(`"${template}" at "${cron}" is ${ok ? 'accepted' : 'refused: it would repeat'}`, () => {
      const check = checkTemplate(template, cron, 'Asia/Tokyo', from);
      assert.equal(check.ok, ok);
      if (!check.ok) assert.match(check.message, /same text twice/);
    });
  }

  test('unknown variables and over-long renderings are refused', () => {
    assert.match(
      (checkTemplate('{nope} {counter}', '0 9 * * *', 'UTC', from) as { message: string }).message,
      /\{nope\}/,
    );
    assert.match(
      (checkTemplate(`${'あ'.repeat(140)}{counter}`, '0 9 * * *', 'UTC', from) as { message: string })
        .message,
      /too long/,
    );
  });
});

for (const backend of BACKENDS) {
  describe(`firing schedules on ${backend}`, async () => {
    const s = await schedulerSetup(backend);

    test('firing one occurrence twice (two workers) creates one post and advances once', async () => {
      const id = await s.connectAs('alice');
      const schedule = await s.service.createRecurring(id, '*/5 * * * *', 'Asia/Tokyo', 'tick #{counter}');
      const at = schedule.nextAt ?? 0;
      await Promise.all([s.engine.fire(schedule.id, at), s.engine.fire(schedule.id, at)]);
      const posts = (await listPosts(s.t.db, { accountId: id })).filter((p) => p.scheduleId === schedule.id);
      assert.equal(posts.length, 1);
      assert.equal(posts[0]?.text, 'tick #1');
      assert.equal(posts[0]?.dueAt, at);
      const after = await getSchedule(s.t.db, schedule.id);
      assert.equal(after?.nextAt, at + 5 * 60_000);
    });

    test('a chain of firings across the New York spring-forward: one post per local day', async () => {
      const id = await s.connectAs('bob');
      const tz = 'America/New_York';
      // Spring forward in New York on 2027-03-14 (occurrences in the future: past ones are skipped).
      const first = nextOccurrences('30 2 * * *', tz, Date.parse('2027-03-11T12:00:00Z'), 1)[0] ?? 0;
      const schedule = await insertSchedule(s.t.db, {
        accountId: id,
        kind: 'recurring',
        cron: '30 2 * * *',
        tz,
        template: 'daily {date}',
        nextAt: first,
      });
      let at = first;
      for (let i = 0; i < 6; i += 1) {
        await s.engine.fire(schedule.id, at);
        at = (await getSchedule(s.t.db, schedule.id))?.nextAt ?? 0;
      }
      const posts = (await listPosts(s.t.db, { accountId: id })).filter((p) => p.scheduleId === schedule.id);
      const days = posts.map((p) => localDay(p.dueAt ?? 0, tz)).sort();
      assert.deepEqual(days, [
        '2027-03-12',
        '2027-03-13',
        '2027-03-14',
        '2027-03-15',
        '2027-03-16',
        '2027-03-17',
      ]);
      assert.deepEqual(
        posts.map((p) => p.text).sort(),
        days.map((d) => `daily ${d}`),
      );
    });

    test('queue slots take queued drafts in order; an empty slot posts nothing', async () => {
      const id = await s.connectAs('hanako');
      const queue = await s.service.setQueueSlots(id, '0 9,18 * * 1-5', 'Asia/Tokyo');
      await s.service.addToQueue(id, 'first in line');
      await s.service.addToQueue(id, 'second in line');
      let at = queue.nextAt ?? 0;
      const slots: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        slots.push(at);
        await s.engine.fire(queue.id, at);
        at = (await getSchedule(s.t.db, queue.id))?.nextAt ?? 0;
      }
      const posts = (await listPosts(s.t.db, { accountId: id })).filter((p) => p.scheduleId === queue.id);
      const byDue = posts.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
      assert.deepEqual(
        byDue.map((p) => [p.text, p.dueAt]),
        [
          ['first in line', slots[0]],
          ['second in line', slots[1]],
        ],
      );
      for (const slot of slots) assert.match(localTimeTokyo(slot), /^(09|18):00$/);
    });

    test('a paused schedule does not fire; resuming starts from now', async () => {
      const id = await s.connectAs('alice');
      const schedule = await s.service.createRecurring(id, '*/10 * * * *', 'UTC', 'paused? #{counter}');
      await s.service.pause(schedule.id);
      await s.engine.fire(schedule.id, schedule.nextAt ?? 0);
      assert.equal(
        (await listPosts(s.t.db, { accountId: id })).filter((p) => p.scheduleId === schedule.id).length,
        0,
      );
      await s.service.resume(schedule.id);
      const resumed = await getSchedule(s.t.db, schedule.id);
      assert.equal(resumed?.paused, false);
      assert.ok((resumed?.nextAt ?? 0) > Date.now());
    });

    test('a template that would repeat is refused when saved', async () => {
      const id = await s.connectAs('bob');
      await assert.rejects(
        s.service.createRecurring(id, '0 9 * * *', 'Asia/Tokyo', 'おはよう'),
        /same text twice/,
      );
    });
  });
}

function localTimeTokyo(at: number): string {
  return localTime(at, 'Asia/Tokyo');
}
