/**
 * A worker process `kill -9`ed in the middle of a scheduled thread (property 40), and a fresh
 * worker process finishing it: every part on X exactly once, in order, each replying to the part
 * before. The kill point is ordered by the publisher's `onStep` hook in the worker
 * (test/fixtures/thread-worker.ts prints `held …` there and stops), not by sleeps:
 * - between parts: part 1 recorded published (part 2 released, not sent);
 * - in flight: X answered part 2, nothing recorded (part 2 `publishing`): the second worker takes
 *   it as unknown after the stale time and looks it up on X; it is found, not sent again.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { xApiBase } from '../../src/oauth/x.ts';
import { Engine } from '../../src/scheduler/engine.ts';
import { Publisher, type PublishStep } from '../../src/scheduler/publisher.ts';
import { PostingService } from '../../src/scheduler/service.ts';
import type { PostRow } from '../../src/store/posts.ts';
import { threadParts } from '../../src/store/threads.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { XClient } from '../../src/x/client.ts';
import { kill, killLeftovers, track, waitForExit, waitForLine, type Proc } from '../helpers/cli.ts';
import { openTestDb } from '../helpers/db.ts';
import { emulator, state } from '../helpers/emulator.ts';
import { connectorFor } from '../helpers/vault.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'thread-worker.ts');
// Shortened so that the killed worker's leftovers are taken over within the test. Production:
// ROTOR_PUBLISH_STALE_SECONDS 90, ROTOR_SWEEP_SECONDS 60, ROTOR_JOB_EXPIRE_SECONDS 120.
const TIMINGS = { staleMs: 3_000, jobExpireSeconds: 4 };
/** The second worker sweeps every second (it is what re-enqueues the released or stuck part). */
const SWEEP_SECONDS = 1;
/**
 * The first worker never sweeps within the test: the only way it could go on to part 2 is its
 * own publishOnward, which the hold stops. So nothing but the kill ends its part of the work.
 */
const NO_SWEEP_SECONDS = 600;

describe('a thread survives a worker killed with SIGKILL (real processes, PostgreSQL)', async () => {
  after(killLeftovers);
  const emu = await emulator();
  const t = await openTestDb('postgres');
  after(() => t.close());
  const { key, keyRing, provider, connectAs } = connectorFor(emu, t.db);
  const accountId = await connectAs('alice');
  // This process creates the threads, as `rotor schedule` would; the workers are other processes.
  const vault = new TokenVault({ db: t.db, provider, keyRing });
  const x = new XClient({ apiBase: xApiBase(emu.url) });
  const publisher = new Publisher({ db: t.db, vault, x });
  const engine = new Engine({
    db: t.db,
    vault,
    x,
    publisher,
    client: true,
    jobExpireSeconds: TIMINGS.jobExpireSeconds,
  });
  await engine.start({ work: false });
  after(() => engine.stop());
  const service = new PostingService({ db: t.db, engine, publisher });

  const worker = (sweepSeconds: number, holdAt?: { step: PublishStep; postId: string }): Proc => {
    const args = { databaseUrl: t.url, emulatorUrl: emu.url, key, sweepSeconds, ...TIMINGS, holdAt };
    const child = spawn(process.execPath, [FIXTURE, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return track(child, `thread worker${holdAt ? ` holding at ${holdAt.step}` : ''}`);
  };
  const parts = async (threadId: string): Promise<PostRow[]> =>
    (await threadParts(t.db, [threadId])).get(threadId) ?? [];
  const onX = async (tag: string) =>
    (await state(emu)).posts.filter((p) => p.text.startsWith(`${tag} `) && !p.deleted);
  const schedule = async (tag: string) => {
    const texts = [1, 2, 3].map((n) => `${tag} part ${n}`);
    const { post } = await service.createThread(
      accountId,
      texts.map((text) => ({ text, media: [] })),
      { mode: 'schedule', at: Date.now() + 1_000 },
    );
    return { threadId: post.id, texts, ids: (await parts(post.id)).map((p) => p.id) };
  };
  /** Kills `proc` with SIGKILL and waits until it is gone. */
  const kill9 = async (proc: Proc) => {
    kill(proc);
    const r = await waitForExit(proc);
    assert.equal(r.signal, 'SIGKILL');
  };
  /** Waits (polling the other process's outcome, not ordering anything) until every part is published. */
  const allPublished = async (threadId: string, proc: Proc) => {
    const deadline = Date.now() + 45_000;
    while (!(await parts(threadId)).every((p) => p.status === 'published')) {
      assert.equal(proc.child.exitCode, null, `the second worker died:\n${proc.stderr()}`);
      if (Date.now() > deadline)
        assert.fail(
          `not all published: ${(await parts(threadId)).map((p) => `${p.status} ${p.reason ?? ''}`).join(', ')}`,
        );
      await sleep(200);
    }
  };
  /** X has each part once, in order, each replying to the one before, and the rows hold X's ids. */
  const assertWhole = async (tag: string, threadId: string, texts: string[]) => {
    const posted = await onX(tag);
    assert.deepEqual(
      posted.map((p) => p.text),
      texts,
      'exactly 3 posts on X for the thread, one per part, in order',
    );
    assert.equal(posted[0]?.replyTo, null);
    assert.equal(posted[1]?.replyTo, posted[0]?.id, 'part 2 replies to part 1');
    assert.equal(posted[2]?.replyTo, posted[1]?.id, 'part 3 replies to part 2');
    const rows = await parts(threadId);
    assert.deepEqual(
      rows.map((p) => p.status),
      ['published', 'published', 'published'],
    );
    assert.deepEqual(
      rows.map((p) => p.xPostId),
      posted.map((p) => p.id),
      'each row holds the id X gave its part',
    );
    return rows;
  };

  test('killed between parts (part 1 recorded, part 2 not sent): a fresh worker publishes parts 2 and 3, each once, in order', async () => {
    const tag = `between-${Date.now()}`;
    const { threadId, texts, ids } = await schedule(tag);
    const first = worker(NO_SWEEP_SECONDS, { step: 'recorded', postId: threadId });
    await waitForLine(first, `held recorded ${threadId}`);
    await kill9(first);
    // The moment of the kill: part 1 on X and recorded, part 2 released but never sent.
    assert.deepEqual(
      (await parts(threadId)).map((p) => p.status),
      ['published', 'scheduled', 'waiting'],
    );
    assert.deepEqual(
      (await onX(tag)).map((p) => p.text),
      [texts[0]],
    );

    const second = worker(SWEEP_SECONDS);
    await waitForLine(second, 'running');
    await allPublished(threadId, second);
    const rows = await assertWhole(tag, threadId, texts);
    assert.equal(rows[1]?.id, ids[1]);
    assert.equal(rows[1]?.attempts, 1, 'part 2 was sent once');
    await kill9(second);
  });

  test('killed while part 2 is in flight (X answered, nothing recorded): the fresh worker looks part 2 up instead of resending it, then posts part 3', async () => {
    const tag = `inflight-${Date.now()}`;
    const { threadId, texts, ids } = await schedule(tag);
    const part2 = ids[1] ?? '';
    const first = worker(NO_SWEEP_SECONDS, { step: 'answered', postId: part2 });
    await waitForLine(first, `held answered ${part2}`);
    await kill9(first);
    // The moment of the kill: part 2 is on X, but its row only knows it was being published.
    assert.deepEqual(
      (await parts(threadId)).map((p) => p.status),
      ['published', 'publishing', 'waiting'],
    );
    assert.deepEqual(
      (await onX(tag)).map((p) => p.text),
      [texts[0], texts[1]],
    );

    const second = worker(SWEEP_SECONDS);
    await waitForLine(second, 'running');
    await allPublished(threadId, second);
    const rows = await assertWhole(tag, threadId, texts);
    assert.equal((await onX(tag)).filter((p) => p.text === texts[1]).length, 1, 'exactly one part 2 on X');
    // X would refuse a resent part 2 as a duplicate (and Rotor would then find it), so X's count
    // alone cannot tell a lookup from a resend: the claim count can. Every send is made under a
    // claim, and a claim bumps `attempts`; the lookup records X's id without claiming.
    assert.equal(rows[1]?.attempts, 1, 'part 2 was claimed (sent) once: found by the lookup, not resent');
    await kill9(second);
  });
});
