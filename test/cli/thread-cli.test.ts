/**
 * `rotor post ACCOUNT --thread FILE` and `rotor schedule ACCOUNT --at T --thread FILE` as OS
 * processes (property 40): the parts of FILE (separated by a line with `---`) published in order,
 * each replying to the one before, each part's fate printed; a thread X would not take refused
 * naming the part, before anything is stored. Same setup as posting-cli.test.ts: its own emulator,
 * PGlite folder and key per test, @alice connected by the CLI, commands one after another.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { state } from '../helpers/emulator.ts';

const tmp = cliTempDir('rotor-thread-cli-');

async function setup(): Promise<CliSetup> {
  const ctx = await cliSetup(tmp);
  const { result: r } = await connectAlice(ctx);
  assert.equal(r.code, 0, `connect: ${show(r)}`);
  return ctx;
}

let files = 0;
/** A thread file under the test's folder. */
function threadFile(content: string): string {
  files += 1;
  const file = join(tmp, `thread-${files}.txt`);
  writeFileSync(file, content);
  return file;
}

/** The emulator's posts whose text starts with `tag`, in the order X took them. */
async function onX(ctx: CliSetup, tag: string) {
  return (await state(ctx.emu)).posts.filter((p) => p.text.startsWith(tag));
}

/** What `posts list --json` holds (a thread is listed once, as its first part). */
type Listed = {
  id: string;
  text: string;
  status: string;
  parts?: { status: string; postId: string | null }[];
};
async function listed(ctx: CliSetup): Promise<Listed[]> {
  const r = await rotor(['posts', 'list', '--json'], ctx.env);
  assert.equal(r.code, 0, show(r));
  return JSON.parse(r.stdout) as Listed[];
}

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

describe('rotor post|schedule --thread FILE (CLI processes)', () => {
  test('post --thread with a 3-part file: X has the 3 parts once each, in order, each replying to the one before; every part printed published with its URL', async () => {
    const ctx = await setup();
    const tag = `cli thread ${Date.now()}`;
    // Blank lines around the separators and CRLF line ends are part of the format.
    const file = threadFile(`${tag} one\nstill part one\n\n---\n\n${tag} two\r\n---\r\n${tag} three\n`);
    const r = await rotor(['post', 'alice', '--thread', file], ctx.env);
    assert.equal(r.code, 0, show(r));
    const posted = await onX(ctx, tag);
    assert.deepEqual(
      posted.map((p) => p.text),
      [`${tag} one\nstill part one`, `${tag} two`, `${tag} three`],
      'one post on X per part, in order',
    );
    assert.equal(posted[0]?.replyTo, null);
    assert.equal(posted[1]?.replyTo, posted[0]?.id, 'part 2 replies to part 1');
    assert.equal(posted[2]?.replyTo, posted[1]?.id, 'part 3 replies to part 2');
    const url = (id: string | undefined) => `https://x.com/alice/status/${id ?? '?'}`;
    assert.match(r.stdout, new RegExp(`^Published thread: ${url(posted[0]?.id)} \\(3 parts\\)$`, 'm'));
    for (const [i, p] of posted.entries())
      assert.match(r.stdout, new RegExp(`^  part ${i + 1}: published ${url(p.id)}$`, 'm'));
    // The thread is one post in the list, as in the web app.
    const list = await listed(ctx);
    assert.deepEqual(
      list.map((p) => [p.text, p.status]),
      [[`${tag} one\nstill part one`, 'published']],
    );
    assert.deepEqual(
      list[0]?.parts?.map((p) => [p.status, p.postId]),
      posted.map((p) => ['published', p.id]),
      'with its parts in order',
    );
  });

  test('schedule --at --thread prints the thread and its parts (first scheduled, the rest waiting); a worker publishes all 3 in order, each replying to the one before', async () => {
    const ctx = await setup();
    const tag = `cli scheduled thread ${Date.now()}`;
    const file = threadFile(`${tag} 1\n---\n${tag} 2\n---\n${tag} 3\n`);
    const due = new Date(Date.now() + 3000).toISOString();
    const r = await rotor(['schedule', 'alice', '--at', due, '--thread', file], ctx.env);
    assert.equal(r.code, 0, show(r));
    const m = new RegExp(`^Scheduled thread (\\S+) for (${ISO}) \\(3 parts\\)$`, 'm').exec(r.stdout);
    assert.ok(m, `Scheduled thread line expected:\n${r.stdout}`);
    assert.equal(m[2], due);
    assert.match(r.stdout, /^ {2}part 1: scheduled\n {2}part 2: waiting\n {2}part 3: waiting$/m);
    assert.deepEqual(await onX(ctx, tag), [], 'nothing on X before its time');

    const worker = spawnRotor(['worker'], ctx.env);
    try {
      await waitForLine(worker, /^rotor worker \d+ running$/);
      const deadline = Date.now() + 30_000;
      // Polling another process's outcome, not ordering anything.
      while ((await onX(ctx, tag)).length < 3 && Date.now() < deadline) {
        assert.equal(worker.child.exitCode, null, `the worker died:\n${worker.stderr()}`);
        await sleep(250);
      }
      worker.child.kill('SIGTERM');
      const w = await waitForExit(worker);
      assert.equal(w.code, 0, `worker: ${show(w)}`);
    } finally {
      kill(worker);
    }
    const posted = await onX(ctx, tag);
    assert.deepEqual(
      posted.map((p) => p.text),
      [`${tag} 1`, `${tag} 2`, `${tag} 3`],
    );
    assert.equal(posted[1]?.replyTo, posted[0]?.id);
    assert.equal(posted[2]?.replyTo, posted[1]?.id);
    assert.ok(
      posted.every((p) => Date.parse((p as unknown as { createdAt: string }).createdAt) >= Date.parse(due)),
      'not before its time',
    );
    assert.deepEqual(
      (await listed(ctx)).map((p) => [p.id, p.status]),
      [[m[1], 'published']],
    );
  });

  test('a thread X would not take is refused naming the part (exit 1), a bad combination of options is a usage error (exit 2), and nothing is stored or posted', async () => {
    const ctx = await setup();
    const tag = `cli refused ${Date.now()}`;
    const later = new Date(Date.now() + 3_600_000).toISOString();

    const one = threadFile(`${tag} alone\n`);
    for (const args of [
      ['post', 'alice', '--thread', one],
      ['schedule', 'alice', '--at', later, '--thread', one],
    ]) {
      const r = await rotor(args, ctx.env);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /a thread has 2 to 25 parts \(this one has 1\)/);
      assert.ok(r.stderr.includes(one), 'the file is named');
      assertCleanError(r);
    }

    const long = threadFile(`${tag} fine\n---\n${'日'.repeat(141)}\n---\n${tag} also fine\n`);
    for (const args of [
      ['post', 'alice', '--thread', long],
      ['schedule', 'alice', '--at', later, '--thread', long],
    ]) {
      const r = await rotor(args, ctx.env);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /part 2: the text is too long: 282 of 280/);
      assert.doesNotMatch(r.stdout, /Published|Scheduled/);
      assertCleanError(r);
    }

    const same = threadFile(`${tag} again\n---\n${tag} again\n`);
    const dup = await rotor(['post', 'alice', '--thread', same], ctx.env);
    assert.equal(dup.code, 1, show(dup));
    assert.match(dup.stderr, /part 2: the same text as part 1/);

    const good = threadFile(`${tag} a\n---\n${tag} b\n`);
    const usage: [string[], RegExp][] = [
      [['post', 'alice', '--thread', good, '--media', good], /--media cannot be used with --thread/],
      [
        ['schedule', 'alice', '--at', later, '--thread', good, '--media', good],
        /--media cannot be used with --thread/,
      ],
      [['post', 'alice', 'some text', '--thread', good], /either the text or --thread FILE, not both/],
      [['post', 'alice', '--thread', join(tmp, 'no-such-file.txt')], /cannot read --thread .*ENOENT/],
      [['schedule', 'alice', '--cron', '0 9 * * *', '--thread', good], /--cron cannot be used with --thread/],
    ];
    for (const [args, message] of usage) {
      const r = await rotor(args, ctx.env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${show(r)}`);
      assert.match(r.stderr, message);
      assertCleanError(r);
    }

    // Neither text nor --thread: exit 1, as when the text argument was required.
    const none = await rotor(['post', 'alice'], ctx.env);
    assert.equal(none.code, 1, show(none));
    assert.match(none.stderr, /give the text \(or --thread FILE\)/);

    assert.deepEqual(await onX(ctx, tag), [], 'nothing reached X');
    assert.deepEqual(await listed(ctx), [], 'nothing was stored');
  });
});
