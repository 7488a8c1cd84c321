/**
 * X's v2 chunked media upload and the simple upload's body forms, on the emulator's default
 * settings, driven over real HTTP and by twitter-api-v2's own `uploadMedia` (chunked). Every
 * success body is validated against X's OpenAPI document.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TwitterApi } from 'twitter-api-v2';
import { EmulatorAgent } from '../../scripts/chaos/x-agent.ts';
import { connect, control, emulator } from '../helpers/emulator.ts';
import { assertMatchesOpenApi } from '../helpers/x-openapi.ts';

const SCOPES = 'tweet.read tweet.write users.read media.write offline.access';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

/** Bytes an MP4 container starts with (`ftyp` box, then a `moov` box header), padded to `size`. */
function mp4(size: number): Buffer {
  const b = Buffer.alloc(size, 7);
  b.writeUInt32BE(24, 0);
  b.write('ftypisom', 4, 'latin1');
  b.writeUInt32BE(8, 24);
  b.write('moov', 28, 'latin1');
  return b;
}

async function call(
  emu: { url: string },
  token: string,
  method: string,
  path: string,
  body?: string | Buffer,
  type?: string,
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (type) headers['content-type'] = type;
  const res = await fetch(new URL(path, emu.url), {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Answer };
}

interface Answer {
  data: { id: string; size?: number; processing_info?: { state: string; check_after_secs?: number } };
  type?: string;
}

/** A multipart body whose file part has no filename (as some clients send it). */
function partWithoutFilename(
  fields: Record<string, string>,
  name: string,
  bytes: Buffer,
): { body: Buffer; type: string } {
  const boundary = 'rotor-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
  );
  parts.push(bytes, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

describe('chunked upload (v2) and simple-upload bodies', async () => {
  const emu = await emulator();
  const alice = await connect(emu, 'alice', SCOPES);

  test('initialize → append (part without filename) → finalize with an empty body → STATUS until succeeded; attachable only then', async () => {
    const video = mp4(300_000);
    const init = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({ media_type: 'video/mp4', total_bytes: video.length, media_category: 'tweet_video' }),
      'application/json',
    );
    assert.equal(init.status, 200, JSON.stringify(init.body));
    assertMatchesOpenApi('POST', '/2/media/upload/initialize', 200, init.body);
    const id = String(init.body.data.id);
    for (const [i, chunk] of [video.subarray(0, 200_000), video.subarray(200_000)].entries()) {
      const part = partWithoutFilename({ segment_index: String(i) }, 'media', chunk);
      const appended = await call(
        emu,
        alice.access_token,
        'POST',
        `/2/media/upload/${id}/append`,
        part.body,
        part.type,
      );
      assert.equal(appended.status, 200, JSON.stringify(appended.body));
      assertMatchesOpenApi('POST', '/2/media/upload/{id}/append', 200, appended.body);
    }
    const fin = await call(emu, alice.access_token, 'POST', `/2/media/upload/${id}/finalize`);
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
    assertMatchesOpenApi('POST', '/2/media/upload/{id}/finalize', 200, fin.body);
    assert.equal(fin.body.data.size, video.length);
    assert.equal(fin.body.data.processing_info?.state, 'pending');
    assert.equal(fin.body.data.processing_info?.check_after_secs, 1);

    const early = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/tweets',
      JSON.stringify({ text: 'too early', media: { media_ids: [id] } }),
      'application/json',
    );
    assert.equal(early.status, 400, 'media still processing cannot be attached');

    assert.equal((await control(emu, 'POST', '/clock', { advanceSeconds: 5 })).status, 200);
    const status = await call(
      emu,
      alice.access_token,
      'GET',
      `/2/media/upload?command=STATUS&media_id=${id}`,
    );
    assert.equal(status.status, 200);
    assertMatchesOpenApi('GET', '/2/media/upload', 200, status.body);
    assert.equal(status.body.data.processing_info?.state, 'succeeded');
    const posted = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/tweets',
      JSON.stringify({ text: 'with video', media: { media_ids: [id] } }),
      'application/json',
    );
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
  });

  test('an MP4 without a moov box: processing ends in failed (as the OpenAPI shapes it), and it cannot be attached', async () => {
    const video = mp4(100_000);
    video.write('xxxx', 28, 'latin1'); // no `moov` box: nothing playable
    const init = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({ media_type: 'video/mp4', total_bytes: video.length, media_category: 'tweet_video' }),
      'application/json',
    );
    const id = String(init.body.data.id);
    const part = partWithoutFilename({ segment_index: '0' }, 'media', video);
    await call(emu, alice.access_token, 'POST', `/2/media/upload/${id}/append`, part.body, part.type);
    const fin = await call(
      emu,
      alice.access_token,
      'POST',
      `/2/media/upload/${id}/finalize`,
      '{}',
      'application/json',
    );
    assert.equal(fin.body.data.processing_info?.state, 'pending', 'X says so only later');
    await control(emu, 'POST', '/clock', { advanceSeconds: 5 });
    const status = await call(
      emu,
      alice.access_token,
      'GET',
      `/2/media/upload?command=STATUS&media_id=${id}`,
    );
    assert.equal(status.status, 200);
    assertMatchesOpenApi('GET', '/2/media/upload', 200, status.body);
    assert.equal(status.body.data.processing_info?.state, 'failed');
    const posted = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/tweets',
      JSON.stringify({ text: 'with a broken video', media: { media_ids: [id] } }),
      'application/json',
    );
    assert.equal(posted.status, 400, 'a failed media cannot be attached');
  });

  test('finalize with {} works; a missing segment or a wrong total is refused', async () => {
    const init = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({ media_type: 'image/png', total_bytes: PNG.length * 2, media_category: 'tweet_image' }),
      'application/json',
    );
    const id = String(init.body.data.id);
    const part = partWithoutFilename({ segment_index: '0' }, 'media', PNG);
    await call(emu, alice.access_token, 'POST', `/2/media/upload/${id}/append`, part.body, part.type);
    const short = await call(
      emu,
      alice.access_token,
      'POST',
      `/2/media/upload/${id}/finalize`,
      '{}',
      'application/json',
    );
    assert.equal(short.status, 400);
    assert.equal(short.body.type, 'https://api.twitter.com/2/problems/invalid-request');
    const second = partWithoutFilename({ segment_index: '1' }, 'media', PNG);
    await call(emu, alice.access_token, 'POST', `/2/media/upload/${id}/append`, second.body, second.type);
    const fin = await call(
      emu,
      alice.access_token,
      'POST',
      `/2/media/upload/${id}/finalize`,
      '{}',
      'application/json',
    );
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
    assert.equal(fin.body.data.processing_info, undefined, 'an image needs no processing');
  });

  test('X’s limits: a chunk over 5 MB is 413; a video over 512 MB and a category that does not fit are refused at initialize', async () => {
    const big = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({
        media_type: 'video/mp4',
        total_bytes: (512 << 20) + 1,
        media_category: 'tweet_video',
      }),
      'application/json',
    );
    assert.equal(big.status, 400);
    const wrong = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({ media_type: 'image/gif', total_bytes: 100, media_category: 'tweet_image' }),
      'application/json',
    );
    assert.equal(wrong.status, 400);
    const init = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload/initialize',
      JSON.stringify({ media_type: 'video/mp4', total_bytes: 6 << 20, media_category: 'tweet_video' }),
      'application/json',
    );
    const part = partWithoutFilename({ segment_index: '0' }, 'media', mp4((5 << 20) + 1));
    const res = await call(
      emu,
      alice.access_token,
      'POST',
      `/2/media/upload/${String(init.body.data.id)}/append`,
      part.body,
      part.type,
    );
    assert.equal(res.status, 413);
  });

  test('simple upload: JSON with base64 media and a multipart part without filename are taken; media_category is required', async () => {
    const json = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload',
      JSON.stringify({ media: PNG.toString('base64'), media_category: 'tweet_image' }),
      'application/json',
    );
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assertMatchesOpenApi('POST', '/2/media/upload', 200, json.body);
    assert.equal(json.body.data.size, PNG.length);
    const part = partWithoutFilename({ media_category: 'tweet_image' }, 'media', PNG);
    const multi = await call(emu, alice.access_token, 'POST', '/2/media/upload', part.body, part.type);
    assert.equal(multi.status, 200, JSON.stringify(multi.body));
    assert.equal(multi.body.data.size, PNG.length, 'the bytes arrive unchanged');
    const noCategory = await call(
      emu,
      alice.access_token,
      'POST',
      '/2/media/upload',
      JSON.stringify({ media: PNG.toString('base64') }),
      'application/json',
    );
    assert.equal(noCategory.status, 400);
  });

  test('twitter-api-v2’s uploadMedia (chunked, 1 MB chunks, waits on processing_info) and a post with it', async () => {
    const app = new TwitterApi(alice.access_token, {
      httpAgent: new EmulatorAgent(Number(new URL(emu.url).port)),
    });
    const video = mp4((2 << 20) + 12_345);
    const id = await app.v2.uploadMedia(video, { media_type: 'video/mp4' });
    assert.match(id, /^\d+$/);
    const posted = await app.v2.tweet({
      text: `a video via twitter-api-v2 ${Date.now()}`,
      media: { media_ids: [id] },
    });
    assertMatchesOpenApi('POST', '/2/tweets', 201, posted);
  });
});
