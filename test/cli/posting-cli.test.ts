/**
 * `rotor post`, `rotor schedule`, `rotor queue …`, `rotor schedules …`, `rotor posts list` and
 * `rotor worker` as OS processes (issue 4, "CLI"): `bin/rotor.js` spawned with the running Node,
 * each test with its own PGlite folder (ROTOR_DATA_DIR), an in-process emulator reached at
 * X_EMULATOR_URL with a confidential client `cli-app`, and @alice connected through
 * `rotor accounts connect --no-browser`. PGlite admits one process per folder, so commands run one
 * after another; the worker runs alone and is stopped with SIGTERM before the next command.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import {
  assertCleanError,
  cliSetup,
  cliTempDir,
  connectAlice,
  kill,
  runRotor as rotor,
  show,
  spawnRotor,
  waitForExit,
  waitForLine,
  type CliSetup,
} from '../helpers/cli.ts';
import { control } from '../helpers/emulator.ts';

const tmp = cliTempDir('rotor-posting-cli-');

type Ctx = CliSetup;

/** A fresh emulator (client `cli-app`), data folder and key, with @alice connected by the CLI. */
async function setup(): Promise<Ctx> {
  const ctx = await cliSetup(tmp);
  const { result: r } = await connectAlice(ctx);
  assert.equal(r.code, 0, `connect: ${show(r)}`);
  assert.match(r.stdout, /^Connected @alice$/m);
  return ctx;
}

interface EmuPost {
  id: string;
  username: string;
  text: string;
  createdAt: string;
  deleted: boolean;
}

async function emuPosts(emu: RunningEmulator): Promise<EmuPost[]> {
  const res = await control(emu, 'GET', '/state');
  assert.equal(res.status, 200);
  return (res.body as { posts: EmuPost[] }).posts;
}

interface ListedPost {
  id: string;
  username: string;
  status: string;
  text: string;
  dueAt: string | null;
  postId: string | null;
  url: string | null;
  reason: string | null;
}

/** `rotor <command…> --json`, which must exit 0 and print a JSON array. */
async function listJson<T>(ctx: Ctx, command: string[]): Promise<T[]> {
  const r = await rotor([...command, '--json'], ctx.env);
  assert.equal(r.code, 0, `${command.join(' ')}: ${show(r)}`);
  const parsed = JSON.parse(r.stdout) as unknown;
  assert.ok(Array.isArray(parsed), `an array expected: ${r.stdout}`);
  return parsed as T[];
}

const postsJson = (ctx: Ctx) => listJson<ListedPost>(ctx, ['posts', 'list']);

interface ListedSchedule {
  id: string;
  kind: string;
  cron: string;
  tz: string;
  paused: boolean;
  nextAt: string | null;
}

const schedulesJson = (ctx: Ctx) => listJson<ListedSchedule>(ctx, ['schedules', 'list']);

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

/** The first of `hoursUtc` on a UTC weekday (Mon–Fri) strictly after `from`. */
function nextWeekdayAt(from: number, hoursUtc: number[]): number {
  const day0 = Date.UTC(
    new Date(from).getUTCFullYear(),
    new Date(from).getUTCMonth(),
    new Date(from).getUTCDate(),
  );
  for (let d = 0; d < 8; d += 1) {
    for (const h of [...hoursUtc].sort((a, b) => a - b)) {
      const t = day0 + d * 86_400_000 + h * 3_600_000;
      const wd = new Date(t).getUTCDay();
      if (t > from && wd >= 1 && wd <= 5) return t;
    }
  }
  throw new Error('no weekday found');
}

describe('rotor posting commands (CLI processes)', () => {
  test('post alice "text" exits 0 printing the post URL, X has the text once; the same text again exits 1 naming the duplicate', async () => {
    const ctx = await setup();
    const text = `Hello from the CLI ${Date.now()}`;
    const r = await rotor(['post', 'alice', text], ctx.env);
    assert.equal(r.code, 0, show(r));
    const m = /^Published: https:\/\/x\.com\/alice\/status\/(\d+)$/m.exec(r.stdout);
    assert.ok(m, `Published line expected:\n${r.stdout}`);
    const posts = (await emuPosts(ctx.emu)).filter((p) => p.text === text);
    assert.equal(posts.length, 1, 'the text is on X exactly once');
    assert.equal(posts[0]?.id, m[1], 'the printed id is the one X gave');
    assert.equal(posts[0]?.username, 'alice');

    const again = await rotor(['post', 'alice', text], ctx.env);
    assert.equal(again.code, 1, show(again));
    assert.match(again.stderr, /duplicate/i);
    assert.doesNotMatch(again.stdout, /Published/);
    assertCleanError(again);
    assert.equal((await emuPosts(ctx.emu)).filter((p) => p.text === text).length, 1, 'still once on X');
  });

  test('post alice with 141 CJK characters exits non-zero showing the weighted count (282 of 280) and posts nothing', async () => {
    const ctx = await setup();
    const text = '日'.repeat(141);
    const r = await rotor(['post', 'alice', text], ctx.env);
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /282 of 280/);
    assert.doesNotMatch(r.stdout, /Published/);
    assertCleanError(r);
    assert.deepEqual(await emuPosts(ctx.emu), [], 'nothing reached X');
    assert.deepEqual(await postsJson(ctx), [], 'no post was recorded');
  });

  test('schedule --at 3 s ahead prints "Scheduled <id> for <iso>"; a spawned worker publishes it on time, exits 0 on SIGTERM, and posts list shows it published with postId and url', async () => {
    const ctx = await setup();
    const text = `Scheduled from the CLI ${Date.now()}`;
    const due = new Date(Date.now() + 3000).toISOString();
    const r = await rotor(['schedule', 'alice', '--at', due, text], ctx.env);
    assert.equal(r.code, 0, show(r));
    const m = new RegExp(`^Scheduled (\\S+) for (${ISO})$`, 'm').exec(r.stdout);
    assert.ok(m, `Scheduled line expected:\n${r.stdout}`);
    const id = m[1];
    assert.equal(m[2], due);

    const worker = spawnRotor(['worker'], ctx.env);
    let found: EmuPost | undefined;
    try {
      await waitForLine(worker, /^rotor worker \d+ running$/);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        found = (await emuPosts(ctx.emu)).find((p) => p.text === text);
        if (found) break;
        assert.equal(worker.child.exitCode, null, `the worker died:\n${worker.stderr()}`);
        await sleep(250);
      }
      assert.ok(
        found,
        `not published within 20 s\nworker stdout: ${worker.stdout()}\nstderr: ${worker.stderr()}`,
      );
      assert.ok(
        Date.parse(found.createdAt) >= Date.parse(due),
        `not before its time: posted ${found.createdAt}, due ${due}`,
      );
      worker.child.kill('SIGTERM');
      const w = await waitForExit(worker);
      assert.equal(w.code, 0, `worker: ${show(w)}`);
      assert.equal(w.signal, null);
    } finally {
      kill(worker);
    }
    assert.equal((await emuPosts(ctx.emu)).filter((p) => p.text === text).length, 1, 'published once');

    const listed = (await postsJson(ctx)).find((p) => p.id === id);
    assert.ok(listed, `post ${id} listed`);
    assert.equal(listed.status, 'published');
    assert.equal(listed.postId, found.id);
    assert.equal(listed.url, `https://x.com/alice/status/${found.id}`);
    assert.equal(listed.text, text);
    assert.equal(listed.username, 'alice');
  });

  test('schedule --cron with --tz prints the recurring schedule and its next weekday 00:00Z; a repeating template, a bad zone and --at with --cron are refused', async () => {
    const ctx = await setup();
    const before = Date.now();
    const r = await rotor(
      ['schedule', 'alice', '--cron', '0 9 * * 1-5', '--tz', 'Asia/Tokyo', 'Good morning {date}'],
      ctx.env,
    );
    assert.equal(r.code, 0, show(r));
    const m = new RegExp(
      `^Recurring schedule (\\S+): "0 9 \\* \\* 1-5" in Asia/Tokyo, next at (${ISO})$`,
      'm',
    ).exec(r.stdout);
    assert.ok(m, `Recurring schedule line expected:\n${r.stdout}`);
    const next = Date.parse(m[2] ?? '');
    assert.match(m[2] ?? '', /T00:00:00\.000Z$/, '09:00 in Tokyo is 00:00 UTC');
    assert.ok([1, 2, 3, 4, 5].includes(new Date(next).getUTCDay()), `a weekday: ${m[2]}`);
    assert.equal(m[2], new Date(nextWeekdayAt(before, [0])).toISOString(), 'the next occurrence');

    const repeating = await rotor(
      ['schedule', 'alice', '--cron', '0 9 * * 1-5', '--tz', 'Asia/Tokyo', 'Good morning'],
      ctx.env,
    );
    assert.notEqual(repeating.code, 0, show(repeating));
    assert.match(repeating.stderr, /same text twice/);
    assertCleanError(repeating);

    const badZone = await rotor(
      ['schedule', 'alice', '--cron', '0 9 * * 1-5', '--tz', 'Mars/Olympus_Mons', 'Good morning {date}'],
      ctx.env,
    );
    assert.notEqual(badZone.code, 0, show(badZone));
    assert.match(badZone.stderr, /time zone/);
    assert.match(badZone.stderr, /Mars\/Olympus_Mons/);
    assertCleanError(badZone);

    const both = await rotor(
      [
        'schedule',
        'alice',
        '--at',
        new Date(Date.now() + 60_000).toISOString(),
        '--cron',
        '0 9 * * *',
        'x {date}',
      ],
      ctx.env,
    );
    assert.equal(both.code, 2, show(both));
    assert.match(both.stderr, /--at/);
    assert.match(both.stderr, /--cron/);
    assertCleanError(both);

    const schedules = await schedulesJson(ctx);
    assert.deepEqual(
      schedules.map((s) => s.id),
      [m[1]],
      'only the valid schedule was saved',
    );
  });

  test('schedule --at a past time is refused like the web app and the API (same rule, same words) and nothing is saved', async () => {
    const ctx = await setup();
    const past = await rotor(['schedule', 'alice', '--at', '2020-01-01T09:00:00+09:00', 'Too late'], ctx.env);
    assert.equal(past.code, 2, show(past));
    assert.match(past.stderr, /that time has already passed; choose a later one, or post now/);
    assert.doesNotMatch(past.stdout, /Scheduled/);
    assertCleanError(past);
    const list = await rotor(['posts', 'list', '--json'], ctx.env);
    assert.equal(list.code, 0, show(list));
    assert.ok(!list.stdout.includes('Too late'), 'nothing was saved');
  });

  test('queue add/list keep order, queue slots prints the next slot, schedules list shows the queue and the recurring schedule, pause and resume flip paused', async () => {
    const ctx = await setup();
    for (const text of ['one', 'two']) {
      const r = await rotor(['queue', 'add', 'alice', text], ctx.env);
      assert.equal(r.code, 0, show(r));
    }
    const list = await rotor(['queue', 'list', 'alice', '--json'], ctx.env);
    assert.equal(list.code, 0, show(list));
    assert.deepEqual(
      (JSON.parse(list.stdout) as { text: string }[]).map((d) => d.text),
      ['one', 'two'],
    );

    const before = Date.now();
    const slots = await rotor(
      ['queue', 'slots', 'alice', '--cron', '0 9,18 * * 1-5', '--tz', 'Asia/Tokyo'],
      ctx.env,
    );
    assert.equal(slots.code, 0, show(slots));
    const s = new RegExp(`next slot (${ISO})`).exec(slots.stdout);
    assert.ok(s, `the next slot is printed:\n${slots.stdout}`);
    // 09:00 and 18:00 in Tokyo are 00:00 and 09:00 UTC, the same weekday.
    assert.equal(s[1], new Date(nextWeekdayAt(before, [0, 9])).toISOString());

    const rec = await rotor(
      ['schedule', 'alice', '--cron', '0 9 * * 1-5', '--tz', 'Asia/Tokyo', 'Good morning {date}'],
      ctx.env,
    );
    assert.equal(rec.code, 0, show(rec));
    const recId = /^Recurring schedule (\S+):/m.exec(rec.stdout)?.[1];
    assert.ok(recId, rec.stdout);

    const listed = await schedulesJson(ctx);
    const queue = listed.find((x) => x.kind === 'queue');
    const recurring = listed.find((x) => x.kind === 'recurring');
    assert.ok(queue, `a queue: ${JSON.stringify(listed)}`);
    assert.equal(queue.cron, '0 9,18 * * 1-5');
    assert.equal(queue.tz, 'Asia/Tokyo');
    assert.ok(recurring, `a recurring schedule: ${JSON.stringify(listed)}`);
    assert.equal(recurring.id, recId);
    assert.equal(recurring.paused, false);

    const pause = await rotor(['schedules', 'pause', recId], ctx.env);
    assert.equal(pause.code, 0, show(pause));
    assert.equal((await schedulesJson(ctx)).find((x) => x.id === recId)?.paused, true);

    const resume = await rotor(['schedules', 'resume', recId], ctx.env);
    assert.equal(resume.code, 0, show(resume));
    const resumed = (await schedulesJson(ctx)).find((x) => x.id === recId);
    assert.equal(resumed?.paused, false);
    assert.equal(resumed?.nextAt, new Date(nextWeekdayAt(Date.now(), [0])).toISOString());

    // The queue is untouched by all this: still two drafts, in order.
    const again = await rotor(['queue', 'list', 'alice', '--json'], ctx.env);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { text: string }[]).map((d) => d.text),
      ['one', 'two'],
    );
  });

  test('posts list --json gives id, username, status, text, dueAt, postId, url and reason for published, scheduled and queued posts', async () => {
    const ctx = await setup();
    const nowText = `Now ${Date.now()}`;
    const posted = await rotor(['post', 'alice', nowText], ctx.env);
    assert.equal(posted.code, 0, show(posted));
    const xId = /status\/(\d+)$/m.exec(posted.stdout)?.[1];
    assert.ok(xId);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await rotor(['schedule', 'alice', '--at', later, 'Later'], ctx.env);
    assert.equal(scheduled.code, 0, show(scheduled));
    const queued = await rotor(['queue', 'add', 'alice', 'Queued'], ctx.env);
    assert.equal(queued.code, 0, show(queued));

    const items = await postsJson(ctx);
    assert.equal(items.length, 3, JSON.stringify(items));
    for (const item of items) {
      for (const key of ['id', 'username', 'status', 'text', 'dueAt', 'postId', 'url', 'reason']) {
        assert.ok(key in item, `${key} in ${JSON.stringify(item)}`);
      }
      assert.equal(item.username, 'alice');
    }
    const byText = (t: string) => items.find((i) => i.text === t);
    assert.deepEqual(
      {
        status: byText(nowText)?.status,
        postId: byText(nowText)?.postId,
        url: byText(nowText)?.url,
        reason: byText(nowText)?.reason,
      },
      { status: 'published', postId: xId, url: `https://x.com/alice/status/${xId}`, reason: null },
    );
    assert.match(byText(nowText)?.dueAt ?? '', new RegExp(`^${ISO}$`));
    assert.deepEqual(
      { status: byText('Later')?.status, dueAt: byText('Later')?.dueAt, postId: byText('Later')?.postId },
      { status: 'scheduled', dueAt: later, postId: null },
    );
    assert.deepEqual(
      { status: byText('Queued')?.status, dueAt: byText('Queued')?.dueAt, url: byText('Queued')?.url },
      { status: 'queued', dueAt: null, url: null },
    );
  });

  test('post for an account whose grant X revoked (refresh forced by ROTOR_REFRESH_MARGIN) exits 3 saying alice needs to be reconnected, and posts nothing', async () => {
    const ctx = await setup();
    const revoked = await control(ctx.emu, 'POST', '/grants/revoke', { username: 'alice' });
    assert.equal(revoked.status, 200);
    const env = { ...ctx.env, ROTOR_REFRESH_MARGIN: '86400' };
    const r = await rotor(['post', 'alice', 'x'], env);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stderr, /@?alice needs to be reconnected/);
    assert.doesNotMatch(r.stdout, /Published/);
    assertCleanError(r);
    assert.deepEqual(await emuPosts(ctx.emu), [], 'nothing reached X');
    const listed = await postsJson(ctx);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.status, 'blocked');
    assert.match(listed[0]?.reason ?? '', /reconnected/);
  });
});
