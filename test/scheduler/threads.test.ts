/**
 * Threads against the emulator on both backends (property 40): each part published at most once,
 * as a reply to the part before it, never before it; a part whose answer was lost is looked up,
 * not resent, and the thread resumes after it; a part that fails for good ends the rest.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { THREAD_ENDED } from '../../src/store/post-claims.ts';
import { cancelPost, listPosts } from '../../src/store/posts.ts';
import { currentPart } from '../../src/scheduler/threads.ts';
import { threadParts } from '../../src/store/threads.ts';
import { BACKENDS } from '../helpers/db.ts';
import { control, state } from '../helpers/emulator.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

const parts = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ text: `${tag} part ${i + 1}`, media: [] as Uint8Array[] }));

for (const backend of BACKENDS) {
  describe(`threads on ${backend}`, async () => {
    const s = await schedulerSetup(backend, {}, { work: true });
    const onX = async (tag: string) => (await state(s.emu)).posts.filter((p) => p.text.startsWith(`${tag} `));
    const statuses = async (threadId: string) =>
      ((await threadParts(s.t.db, [threadId])).get(threadId) ?? []).map((p) => p.status);

    test('posted now: every part once, in order, each replying to the one before', async () => {
      const id = await s.connectAs('alice');
      const tag = `chain-${backend}`;
      const { post, result } = await s.service.createThread(id, parts(tag, 3), { mode: 'now' });
      assert.equal(result?.kind, 'published');
      const stored = (await threadParts(s.t.db, [post.id])).get(post.id) ?? [];
      assert.deepEqual(
        stored.map((p) => p.status),
        ['published', 'published', 'published'],
      );
      const posted = await onX(tag);
      assert.deepEqual(
        posted.map((p) => p.text),
        [`${tag} part 1`, `${tag} part 2`, `${tag} part 3`],
        'one post on X per part, in order',
      );
      assert.equal(posted[0]?.replyTo, null, 'the first part replies to nothing');
      assert.equal(posted[1]?.replyTo, posted[0]?.id);
      assert.equal(posted[2]?.replyTo, posted[1]?.id);
      assert.deepEqual(
        stored.map((p) => p.xPostId),
        posted.map((p) => p.id),
      );
    });

    test('a later part waits: nothing of it reaches X while the part before is not published', async () => {
      const id = await s.connectAs('bob');
      const tag = `wait-${backend}`;
      const { post } = await s.service.createThread(id, parts(tag, 3), { mode: 'draft' });
      assert.deepEqual(await statuses(post.id), ['draft', 'waiting', 'waiting']);
      const [, second] = (await threadParts(s.t.db, [post.id])).get(post.id) ?? [];
      // Even asked directly, a waiting part is not claimed.
      const r = await s.publisher.publish(second?.id ?? '');
      assert.equal(r.kind, 'settled');
      assert.equal((await onX(tag)).length, 0);
    });

    test('part 2’s answer lost: part 1 stays, part 3 waits, the lookup finds part 2, and the thread resumes without a duplicate', async () => {
      const id = await s.connectAs('hanako');
      const tag = `lost-${backend}`;
      const { post } = await s.service.createThread(id, parts(tag, 3), { mode: 'draft' });
      await s.t.db.query(`UPDATE posts SET status = 'scheduled', due_at = now() WHERE id = $1`, [post.id]);
      const first = await s.publisher.publish(post.id);
      assert.equal(first.kind, 'published');
      assert.ok(first.kind === 'published' && first.next, 'publishing part 1 released part 2');
      await control(s.emu, 'POST', '/faults', { target: 'tweets', kind: 'lost_response' });
      const second = await s.publisher.publishOnward(first.next);
      assert.equal(second.result.kind, 'unknown');
      assert.deepEqual(await statuses(post.id), ['published', 'unknown', 'waiting']);
      assert.equal((await onX(tag)).length, 2, 'X has parts 1 and 2 (its answer was lost)');
      const resumed = await s.publisher.publishOnward(second.postId);
      assert.equal(resumed.result.kind, 'published');
      assert.deepEqual(await statuses(post.id), ['published', 'published', 'published']);
      const posted = await onX(tag);
      assert.deepEqual(
        posted.map((p) => p.text),
        [`${tag} part 1`, `${tag} part 2`, `${tag} part 3`],
        'no part twice',
      );
      assert.equal(posted[2]?.replyTo, posted[1]?.id, 'part 3 replies to the part 2 that was found');
    });

    test('a part refused for good fails, and the parts after it are cancelled, not posted', async () => {
      const id = await s.connectAs('alice');
      const tag = `ends-${backend}`;
      const { post } = await s.service.createThread(id, parts(tag, 4), { mode: 'draft' });
      await s.t.db.query(`UPDATE posts SET status = 'scheduled', due_at = now() WHERE id = $1`, [post.id]);
      const first = await s.publisher.publish(post.id);
      assert.ok(first.kind === 'published' && first.next);
      await control(s.emu, 'POST', '/faults', { target: 'tweets', kind: 'error', status: 402 });
      const end = await s.publisher.publishOnward(first.next);
      assert.equal(end.result.kind, 'failed');
      assert.deepEqual(await statuses(post.id), ['published', 'failed', 'cancelled', 'cancelled']);
      const [, , third] = (await threadParts(s.t.db, [post.id])).get(post.id) ?? [];
      assert.equal(third?.reason, THREAD_ENDED);
      assert.equal((await onX(tag)).length, 1);
      // The store lists a thread by the same status the API shows (currentPart): failed here.
      const stored = (await threadParts(s.t.db, [post.id])).get(post.id) ?? [];
      assert.equal(currentPart(stored)?.status, 'failed');
      const listed = await listPosts(s.t.db, { accountId: id, status: 'failed' });
      assert.ok(
        listed.some((p) => p.id === post.id),
        'listed by ?status=failed, as its current part says',
      );
      assert.ok(
        !(await listPosts(s.t.db, { accountId: id, status: 'published' })).some((p) => p.id === post.id),
      );
    });

    test('scheduled: the workers publish the whole thread, in order', async () => {
      const id = await s.connectAs('bob');
      const tag = `sched-${backend}`;
      const { post } = await s.service.createThread(id, parts(tag, 3), {
        mode: 'schedule',
        at: Date.now() + 500,
      });
      const until = Date.now() + 20_000;
      while ((await statuses(post.id)).some((st) => st !== 'published')) {
        if (Date.now() > until) assert.fail(`not all published: ${(await statuses(post.id)).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const posted = await onX(tag);
      assert.equal(posted.length, 3);
      assert.equal(posted[1]?.replyTo, posted[0]?.id);
      assert.equal(posted[2]?.replyTo, posted[1]?.id);
    });

    test('cancelling a thread cancels every part not yet started', async () => {
      const id = await s.connectAs('hanako');
      const { post } = await s.service.createThread(id, parts(`cancel-${backend}`, 3), { mode: 'queue' });
      const cancelled = await cancelPost(s.t.db, post.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.deepEqual(await statuses(post.id), ['cancelled', 'cancelled', 'cancelled']);
    });

    test('bad threads are refused whole, naming the part, with nothing stored', async () => {
      const id = await s.connectAs('alice');
      const count = async () =>
        Number((await s.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM posts')).rows[0]?.n);
      const before = await count();
      await assert.rejects(s.service.createThread(id, parts('one', 1), { mode: 'draft' }), /2 to 25 parts/);
      await assert.rejects(s.service.createThread(id, parts('many', 26), { mode: 'draft' }), /2 to 25 parts/);
      await assert.rejects(
        s.service.createThread(
          id,
          [
            { text: 'same', media: [] },
            { text: 'same', media: [] },
          ],
          { mode: 'draft' },
        ),
        /^RotorError: part 2: the same text as part 1/,
      );
      await assert.rejects(
        s.service.createThread(
          id,
          [
            { text: 'fine', media: [] },
            { text: '日'.repeat(141), media: [] },
          ],
          {
            mode: 'draft',
          },
        ),
        /part 2: the text is too long: 282 of 280/,
      );
      await assert.rejects(
        s.service.createThread(
          id,
          [
            { text: 'fine', media: [] },
            { text: 'x', media: [new Uint8Array(8)] },
          ],
          {
            mode: 'draft',
          },
        ),
        (e: Error & { code?: string }) => e.code === 'invalid_media' && /^part 2: file 1/.test(e.message),
      );
      assert.equal(await count(), before);
    });
  });
}
