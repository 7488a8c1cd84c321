/**
 * Rotor's media uploads against the emulator over real HTTP, as X takes them: images by simple
 * upload, a GIF and a video by X's chunked upload (initialize, append in 1 MB segments,
 * finalize), X's processing waited for after its `check_after_secs` on the X client's one timer
 * (here: a timer that moves the emulator's clock, so no real sleep orders anything), a processing
 * that fails fails the post without its text going out alone, mixes refused when saved, and a
 * retry after an upload attaching the same media id instead of uploading again.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRotorError } from '../../src/core/errors.ts';
import { getPost } from '../../src/store/posts.ts';
import { translator } from '../../src/web/i18n.ts';
import { userMessage } from '../../src/web/user-messages.ts';
import { control, state } from '../helpers/emulator.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** An MP4 container: an `ftyp` box, a `moov` box header (unless `playable` is false), padding. */
function mp4(size: number, playable = true): Buffer {
  const b = Buffer.alloc(size, 7);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  if (playable) {
    b.writeUInt32BE(8, 24);
    b.write('moov', 28, 'latin1');
  }
  return b;
}

function gif(size: number): Buffer {
  const b = Buffer.alloc(size, 0);
  b.write('GIF89a', 0, 'latin1');
  return b;
}

/** Every wait of the X client, recorded; each moves the emulator's clock instead of sleeping. */
const waits: number[] = [];
let onWait: (() => Promise<void>) | undefined;

describe('media uploads as X takes them', async () => {
  let emuUrl = '';
  const s = await schedulerSetup(
    'pglite',
    {},
    {
      xTimeoutMs: 20_000,
      // Each call to X gets a third of it: a 1 MB segment has time even on a loaded machine.
      staleMs: 60_000,
      xTimer: {
        monotonic: () => performance.now(),
        sleep: async (ms) => {
          waits.push(ms);
          await control({ url: emuUrl }, 'POST', '/clock', { advanceSeconds: ms / 1000 });
          await onWait?.();
        },
      },
    },
  );
  emuUrl = s.emu.url;
  const uploads = () => s.emu.world.media.size;
  let accountId: string | undefined;
  const account = async () => (accountId ??= await s.connectAs('hanako'));
  const onX = async (text: string) =>
    (await state(s.emu)).posts.filter((p) => p.text === text) as unknown as {
      id: string;
      mediaIds: string[];
    }[];

  test('a video goes by chunked upload, its processing waited for after check_after_secs, then the post has it', async () => {
    const id = await account();
    const video = mp4((2 << 20) + 4321); // 3 segments of 1 MB
    waits.length = 0;
    const before = uploads();
    const { post, result } = await s.service.postNow(id, 'a video', undefined, [video]);
    assert.equal(result.kind, 'published', JSON.stringify(result));
    const [onXPost, ...more] = await onX('a video');
    assert.equal(more.length, 0);
    assert.equal(onXPost?.mediaIds.length, 1);
    const media = s.emu.world.media.get(onXPost?.mediaIds[0] ?? '');
    assert.equal(media?.type, 'video/mp4');
    assert.equal(media?.size, video.length, 'every segment arrived');
    assert.equal(uploads(), before + 1);
    // pending → in_progress → succeeded: each wait is the check_after_secs X answered (1 s), and
    // the post could not have been accepted before processing had succeeded. (The emulator's clock
    // also runs with real time, so on a slow machine one wait may be enough.)
    assert.ok(waits.length >= 1 && waits.length <= 2, `waits ${JSON.stringify(waits)}`);
    assert.ok(
      waits.every((w) => w === 1000),
      `waits ${JSON.stringify(waits)}`,
    );
    assert.equal((await getPost(s.t.db, post.id))?.status, 'published');
  });

  test('a GIF goes by chunked upload as tweet_gif and is attached once processed', async () => {
    const id = await account();
    waits.length = 0;
    const { result } = await s.service.postNow(id, 'a gif', undefined, [gif(1_500_000)]);
    assert.equal(result.kind, 'published', JSON.stringify(result));
    const [p] = await onX('a gif');
    const media = s.emu.world.media.get(p?.mediaIds[0] ?? '');
    assert.equal(media?.type, 'image/gif');
    assert.ok(media?.processing, 'processed as X processes tweet_gif');
    assert.ok(waits.length >= 1);
  });

  test('images still go by simple upload, without waits', async () => {
    const id = await account();
    waits.length = 0;
    const { result } = await s.service.postNow(id, 'two images', undefined, [PNG, PNG]);
    assert.equal(result.kind, 'published');
    const [p] = await onX('two images');
    assert.equal(p?.mediaIds.length, 2);
    assert.ok(p?.mediaIds.every((m) => s.emu.world.media.get(m)?.processing === undefined));
    assert.deepEqual(waits, []);
  });

  test('X failing to process the video fails the post clearly, and its text is not posted alone', async () => {
    const id = await account();
    const { post, result } = await s.service.postNow(id, 'broken video', undefined, [mp4(300_000, false)]);
    assert.equal(result.kind, 'failed');
    assert.match(result.kind === 'failed' ? result.reason : '', /^X could not process the video: /);
    assert.equal((await onX('broken video')).length, 0, 'no post without its video');
    const row = await getPost(s.t.db, post.id);
    assert.equal(row?.status, 'failed');
    assert.equal(
      userMessage(translator('ja'), 'ja', row?.reason ?? ''),
      'X は動画を処理できませんでした：processing failed。投稿は送られていません。',
    );
  });

  test('mixing kinds, two videos, a fifth image or an oversized GIF is refused when saved (invalid_media)', async () => {
    const id = await account();
    const before = (await state(s.emu)).posts.length;
    const cases: [Buffer[], RegExp][] = [
      [[PNG, gif(100)], /^a GIF must be the only file of its post/],
      [[mp4(1000), PNG], /^a video must be the only file of its post/],
      [[mp4(1000), mp4(1000)], /^a video must be the only file of its post/],
      [[PNG, PNG, PNG, PNG, PNG], /^at most 4 images per post$/],
      [[gif((15 << 20) + 1)], /^file 1 is 15\.0 MB; X takes at most 15 MB for a GIF$/],
      [[Buffer.from('%PDF-1.4')], /^file 1 is not a PNG, JPEG, WebP or GIF image or an MP4 video$/],
    ];
    for (const [files, message] of cases) {
      await assert.rejects(s.service.postNow(id, 'mixed', undefined, files), (e: unknown) => {
        assert.ok(isRotorError(e, 'invalid_media'), String(e));
        assert.match(e.message, message);
        assert.notEqual(userMessage(translator('ja'), 'ja', e.message), e.message, 'said in Japanese');
        return true;
      });
    }
    assert.equal((await state(s.emu)).posts.length, before, 'nothing posted');
    const rows = await s.t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM posts WHERE text = 'mixed'`,
    );
    assert.equal(rows.rows[0]?.n, 0, 'nothing saved');
  });

  test('a retry after the upload attaches the recorded media id: the video is not uploaded twice', async () => {
    const id = await account();
    // X says 429 to the post itself: the video is uploaded and processed, the post rescheduled.
    await control(s.emu, 'POST', '/faults', { target: 'tweets', kind: 'error', status: 429 });
    const before = uploads();
    const { post, result } = await s.service.postNow(id, 'video once', undefined, [mp4(1_200_000)]);
    assert.equal(result.kind, 'rescheduled', JSON.stringify(result));
    assert.equal(uploads(), before + 1);
    // X's window has reset: the post is due again.
    await s.t.db.query(`DELETE FROM x_limits`);
    await s.t.db.query(`UPDATE posts SET due_at = now() WHERE id = $1`, [post.id]);
    const again = await s.publisher.publish(post.id);
    assert.equal(again.kind, 'published', JSON.stringify(again));
    assert.equal(uploads(), before + 1, 'uploaded once');
    const [p] = await onX('video once');
    assert.equal(p?.mediaIds.length, 1);
  });

  test('cut short while X processes (STATUS answered 503): the retry asks STATUS again, no second upload', async () => {
    const id = await account();
    onWait = async () => {
      onWait = undefined;
      await control(s.emu, 'POST', '/faults', { target: 'media', kind: 'error', status: 503 });
    };
    waits.length = 0;
    const before = uploads();
    const { post, result } = await s.service.postNow(id, 'processing cut short', undefined, [mp4(400_000)]);
    assert.equal(result.kind, 'rescheduled', JSON.stringify(result));
    assert.equal(waits.length, 1);
    assert.equal((await onX('processing cut short')).length, 0);
    await s.t.db.query(`UPDATE posts SET due_at = now() WHERE id = $1`, [post.id]);
    const again = await s.publisher.publish(post.id);
    assert.equal(again.kind, 'published', JSON.stringify(again));
    assert.equal(uploads(), before + 1, 'uploaded once');
    const [p] = await onX('processing cut short');
    assert.equal(p?.mediaIds.length, 1);
  });
});
