/**
 * @module X's v2 chunked media upload, per its OpenAPI (v2.167): `POST /2/media/upload/initialize`
 * (`media_type`, `total_bytes`, `media_category`), `POST /2/media/upload/{id}/append` (`media`,
 * `segment_index` 0–999, a chunk of at most 5 MB: larger got 413 from X), `POST
 * /2/media/upload/{id}/finalize` (empty body or `{}`), and `GET /2/media/upload?command=STATUS`.
 * GIFs and videos are processed asynchronously: `processing_info` goes `pending` →
 * `in_progress` → `succeeded`, on the emulator's clock, and the media cannot be attached before.
 * An MP4 without a `moov` box (no playable video) ends in `failed`, as X's processing does.
 */
import type { GrantRecord } from './model.ts';
import { CATEGORY_OF, DAY_SECONDS, MEDIA_TYPES, mediaJson, type MediaRecord } from './media.ts';
import { problems, type Problem } from './problems.ts';
import type { EmulatorWorld } from './world.ts';

/** Seconds X's processing takes in the emulator, and the `check_after_secs` it answers. */
export const PROCESSING_SECONDS = 2;
export const CHECK_AFTER_SECS = 1;
/** X refused chunks over 5 MB with 413. */
export const MAX_CHUNK_BYTES = 5 << 20;

export interface UploadSession {
  id: string;
  userId: string;
  type: string;
  category: string;
  totalBytes: number;
  segments: Map<number, Uint8Array>;
  expiresAt: number;
  finalized: boolean;
}

type Result<T> = { ok: true; value: T; status?: number } | { ok: false; problem: Problem };
const bad = <T>(message: string): Result<T> => ({ ok: false, problem: problems.invalidRequest([message]) });

const sessions = new WeakMap<EmulatorWorld, Map<string, UploadSession>>();
function sessionsOf(world: EmulatorWorld): Map<string, UploadSession> {
  let m = sessions.get(world);
  if (!m) {
    m = new Map<string, UploadSession>();
    sessions.set(world, m);
  }
  return m;
}

function sessionFor(world: EmulatorWorld, grant: GrantRecord, id: string): Result<UploadSession> {
  const s = sessionsOf(world).get(id);
  if (!s || s.userId !== grant.userId || s.expiresAt <= world.now()) {
    return { ok: false, problem: problems.notFound({ type: 'media', id, parameter: 'id' }) };
  }
  return { ok: true, value: s };
}

export function initializeUpload(
  world: EmulatorWorld,
  grant: GrantRecord,
  fields: Record<string, string>,
): Result<Record<string, unknown>> {
  const type = fields.media_type;
  const total = Number(fields.total_bytes);
  const category = fields.media_category;
  if (!type || !(type in MEDIA_TYPES))
    return bad('media_type: must be image/png, image/jpeg, image/webp, image/gif or video/mp4');
  if (!Number.isInteger(total) || total <= 0) return bad('total_bytes: must be a positive whole number');
  if (!category) return bad('media_category: is required');
  if (CATEGORY_OF[type] !== category) return bad(`media_category: ${category} does not fit ${type}`);
  if (total > (MEDIA_TYPES[type]?.max ?? 0)) return bad(`total_bytes: too large for ${type}`);
  const now = world.now();
  const session: UploadSession = {
    id: world.postIds.next(now),
    userId: grant.userId,
    type,
    category,
    totalBytes: total,
    segments: new Map(),
    expiresAt: now + DAY_SECONDS * 1000,
    finalized: false,
  };
  sessionsOf(world).set(session.id, session);
  return {
    ok: true,
    value: {
      id: session.id,
      media_key: mediaJson({ ...session, size: total }).media_key,
      expires_after_secs: DAY_SECONDS,
    },
  };
}

export function appendUpload(
  world: EmulatorWorld,
  grant: GrantRecord,
  id: string,
  media: Uint8Array | undefined,
  segmentIndex: string | undefined,
): Result<Record<string, unknown>> {
  const s = sessionFor(world, grant, id);
  if (!s.ok) return s;
  if (s.value.finalized) return bad('id: this upload was already finalized');
  const index = Number(segmentIndex);
  if (segmentIndex === undefined || !Number.isInteger(index) || index < 0 || index > 999)
    return bad('segment_index: must be a whole number from 0 to 999');
  if (!media || media.byteLength === 0) return bad('media: a chunk is required');
  if (media.byteLength > MAX_CHUNK_BYTES) {
    return {
      ok: false,
      problem: {
        status: 413,
        body: { title: 'Payload Too Large', type: 'about:blank', status: 413, detail: 'Payload Too Large' },
      },
    };
  }
  s.value.segments.set(index, media);
  return { ok: true, value: { expires_at: Math.floor(s.value.expiresAt / 1000) } };
}

function processingInfo(m: MediaRecord, now: number) {
  if (!m.processing) return undefined;
  const { startedAt, readyAt } = m.processing;
  if (now >= readyAt) {
    return m.processing.fails
      ? { state: 'failed', progress_percent: 100 }
      : { state: 'succeeded', progress_percent: 100 };
  }
  const percent = Math.floor(((now - startedAt) / (readyAt - startedAt)) * 100);
  return percent <= 0
    ? { state: 'pending', check_after_secs: CHECK_AFTER_SECS }
    : { state: 'in_progress', check_after_secs: CHECK_AFTER_SECS, progress_percent: percent };
}

export function finalizeUpload(
  world: EmulatorWorld,
  grant: GrantRecord,
  id: string,
): Result<Record<string, unknown>> {
  const s = sessionFor(world, grant, id);
  if (!s.ok) return s;
  const session = s.value;
  if (session.finalized) return bad('id: this upload was already finalized');
  const indexes = [...session.segments.keys()].sort((a, b) => a - b);
  if (indexes.some((v, i) => v !== i))
    return bad('segment_index: the segments are not 0, 1, 2, … without gaps');
  const data = Buffer.concat(indexes.map((i) => session.segments.get(i) ?? new Uint8Array()));
  if (data.byteLength !== session.totalBytes)
    return bad(`total_bytes: ${session.totalBytes} announced, ${data.byteLength} received`);
  if (!MEDIA_TYPES[session.type]?.magic(data)) return bad(`media: the bytes are not ${session.type}`);
  const now = world.now();
  session.finalized = true;
  const processed = session.category === 'tweet_gif' || session.category === 'tweet_video';
  const media: MediaRecord = {
    id: session.id,
    userId: session.userId,
    type: session.type,
    size: data.byteLength,
    expiresAt: now + DAY_SECONDS * 1000,
    ...(processed
      ? {
          processing: {
            startedAt: now,
            readyAt: now + PROCESSING_SECONDS * 1000,
            fails: session.type === 'video/mp4' && !data.includes('moov', 0, 'latin1'),
          },
        }
      : {}),
  };
  world.media.set(media.id, media);
  return { ok: true, value: statusJson(media, now) };
}

function statusJson(m: MediaRecord, now: number): Record<string, unknown> {
  const info = processingInfo(m, now);
  return { ...mediaJson(m), ...(info ? { processing_info: info } : {}) };
}

export function uploadStatus(
  world: EmulatorWorld,
  grant: GrantRecord,
  command: string | undefined,
  id: string | undefined,
): Result<Record<string, unknown>> {
  if (command !== undefined && command !== 'STATUS') return bad('command: must be STATUS');
  if (!id) return bad('media_id: is required');
  const m = world.media.get(id);
  if (!m || m.userId !== grant.userId)
    return { ok: false, problem: problems.notFound({ type: 'media', id, parameter: 'media_id' }) };
  return { ok: true, value: statusJson(m, world.now()) };
}
