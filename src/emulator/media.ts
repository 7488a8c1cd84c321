/**
 * @module Media uploads (`POST /2/media/upload`, simple upload): images up to 5 MB, GIFs up to
 * 15 MB, kept for 24 hours and usable only by the user who uploaded them. `media_category` is
 * required (X's OpenAPI `MediaUploadRequest`). Video (MP4, up to 512 MB) only through the chunked
 * upload (`media-chunked.ts`).
 */
import type { GrantRecord } from './model.ts';
import { problems, type Problem } from './problems.ts';
import type { EmulatorWorld } from './world.ts';

export interface MediaRecord {
  id: string;
  userId: string;
  type: string;
  size: number;
  expiresAt: number;
  /** GIF and video: when X's asynchronous processing is over (undefined: no processing). */
  processing?: {
    startedAt: number;
    readyAt: number;
    /** Processing ends in `failed` (an MP4 without a `moov` box: no playable video in it). */
    fails?: boolean;
  };
}

export const MEDIA_TYPES: Record<string, { magic: (b: Uint8Array) => boolean; max: number }> = {
  'image/png': {
    magic: (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
    max: 5 << 20,
  },
  'image/jpeg': { magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, max: 5 << 20 },
  'image/gif': { magic: (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46, max: 15 << 20 },
  'image/webp': {
    magic: (b) =>
      Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' &&
      Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP',
    max: 5 << 20,
  },
  'video/mp4': {
    magic: (b) => Buffer.from(b.subarray(4, 8)).toString('latin1') === 'ftyp',
    max: 512 << 20,
  },
};

/** The category each media type is posted as. */
export const CATEGORY_OF: Record<string, string> = {
  'image/png': 'tweet_image',
  'image/jpeg': 'tweet_image',
  'image/webp': 'tweet_image',
  'image/gif': 'tweet_gif',
  'video/mp4': 'tweet_video',
};

export const DAY_SECONDS = 86_400;

export type UploadResult = { ok: true; media: MediaRecord } | { ok: false; problem: Problem };

export function uploadMedia(
  world: EmulatorWorld,
  grant: GrantRecord,
  data: Uint8Array | undefined,
  category: string | undefined,
): UploadResult {
  if (!data || data.byteLength === 0)
    return { ok: false, problem: problems.invalidRequest(['media: a file is required']) };
  if (category === undefined || category === '')
    return { ok: false, problem: problems.invalidRequest(['media_category: is required']) };
  if (!['tweet_image', 'tweet_gif', 'tweet_video'].includes(category)) {
    return {
      ok: false,
      problem: problems.invalidRequest(['media_category: must be tweet_image, tweet_gif or tweet_video']),
    };
  }
  if (category === 'tweet_video') {
    return {
      ok: false,
      problem: problems.invalidRequest([
        'media_category: video needs the chunked upload (initialize/append/finalize)',
      ]),
    };
  }
  const type = Object.entries(MEDIA_TYPES).find(([, t]) => t.magic(data))?.[0];
  if (!type || type === 'video/mp4')
    return { ok: false, problem: problems.invalidRequest(['media: unsupported media type']) };
  if (data.byteLength > (MEDIA_TYPES[type]?.max ?? 0)) {
    return { ok: false, problem: problems.invalidRequest([`media: too large for ${type}`]) };
  }
  const now = world.now();
  const media: MediaRecord = {
    id: world.postIds.next(now),
    userId: grant.userId,
    type,
    size: data.byteLength,
    expiresAt: now + DAY_SECONDS * 1000,
  };
  world.media.set(media.id, media);
  return { ok: true, media };
}

/** The ids that are not usable by this user now (unknown, another user's, or expired). */
export function unusableMedia(world: EmulatorWorld, userId: string, ids: string[]): string[] {
  const now = world.now();
  return ids.filter((id) => {
    const m = world.media.get(id);
    // Media still being processed, or whose processing failed, cannot be attached (X: "Your media IDs are invalid.").
    return (
      !m ||
      m.userId !== userId ||
      m.expiresAt <= now ||
      (m.processing?.readyAt ?? 0) > now ||
      m.processing?.fails === true
    );
  });
}

export const mediaJson = (m: MediaRecord) => ({
  id: m.id,
  media_key: `${m.type === 'video/mp4' ? 7 : m.type === 'image/gif' ? 16 : 3}_${m.id}`,
  size: m.size,
  expires_after_secs: DAY_SECONDS,
  ...(m.type.startsWith('image/') ? { image: { image_type: m.type } } : { video: { video_type: m.type } }),
});
