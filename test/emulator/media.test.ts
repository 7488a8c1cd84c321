/** The emulator's media upload (`POST /2/media/upload`) and media ids on posts (docs/x-fidelity.md). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, connect, control, emulator, refresh, state } from '../helpers/emulator.ts';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function upload(url: string, token: string | undefined, data: Uint8Array, category = 'tweet_image') {
  const form = new FormData();
  form.set('media', new Blob([new Uint8Array(data)], { type: 'application/octet-stream' }), 'f');
  form.set('media_category', category);
  const res = await fetch(`${url}/2/media/upload`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: { id: string; media_key: string; expires_after_secs: number } },
  };
}

describe('media upload', async () => {
  const emu = await emulator();
  const scopes = 'tweet.read tweet.write users.read media.write offline.access';

  test('an image uploads; its id goes on a post', async () => {
    const t = await connect(emu, 'alice', scopes);
    const up = await upload(emu.url, t.access_token, PNG_1X1);
    assert.equal(up.status, 200);
    assert.match(up.body.data?.id ?? '', /^\d+$/);
    assert.equal(up.body.data?.media_key, `3_${up.body.data?.id}`);
    assert.equal(up.body.data?.expires_after_secs, 86400);
    const post = await api(emu, 'POST', '/2/tweets', t.access_token, {
      text: 'with a picture',
      media: { media_ids: [up.body.data?.id] },
    });
    assert.equal(post.status, 201);
    const onX = (await state(emu)).posts.find((p) => p.text === 'with a picture') as unknown as {
      mediaIds: string[];
    };
    assert.deepEqual(onX.mediaIds, [up.body.data?.id]);
  });

  test('media.write is required; no token is 401', async () => {
    const t = await connect(emu, 'bob', 'tweet.read tweet.write users.read offline.access');
    assert.equal((await upload(emu.url, t.access_token, PNG_1X1)).status, 403);
    assert.equal((await upload(emu.url, undefined, PNG_1X1)).status, 401);
  });

  test('not an image, video by simple upload, or too large: 400 with a reason', async () => {
    const t = await connect(emu, 'alice', scopes);
    assert.equal((await upload(emu.url, t.access_token, Buffer.from('hello'))).status, 400);
    assert.equal((await upload(emu.url, t.access_token, PNG_1X1, 'tweet_video')).status, 400);
    const big = Buffer.concat([PNG_1X1, Buffer.alloc(5 * 1024 * 1024)]);
    assert.equal((await upload(emu.url, t.access_token, big)).status, 400);
  });

  test('another user’s, an unknown or an expired media id is refused on a post', async () => {
    const alice = await connect(emu, 'alice', scopes);
    const bob = await connect(emu, 'bob', scopes);
    const id = (await upload(emu.url, alice.access_token, PNG_1X1)).body.data?.id;
    const foreign = await api(emu, 'POST', '/2/tweets', bob.access_token, {
      text: 'not mine',
      media: { media_ids: [id] },
    });
    assert.equal(foreign.status, 400);
    const unknown = await api(emu, 'POST', '/2/tweets', alice.access_token, {
      text: 'nope',
      media: { media_ids: ['123'] },
    });
    assert.equal(unknown.status, 400);
    const own = await emulator();
    const t = await connect(own, 'alice', scopes);
    const old = (await upload(own.url, t.access_token, PNG_1X1)).body.data?.id;
    await control(own, 'POST', '/clock', { advanceSeconds: 86_401 });
    const r = await refresh(own, t.refresh_token);
    const expired = await api(own, 'POST', '/2/tweets', String(r.body.access_token), {
      text: 'too late',
      media: { media_ids: [old] },
    });
    assert.equal(expired.status, 400);
  });
});
