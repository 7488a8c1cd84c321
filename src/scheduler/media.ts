/**
 * @module Media attached to a post: what kinds X takes by simple upload and how large
 * (`shared/docs/x-api.md` §6: image 5 MB, GIF 15 MB; at most 4 per post). The kind is read from
 * the file's first bytes, not from its name.
 */

export type MediaKind = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

export const MAX_MEDIA_PER_POST = 4;
const LIMITS: Record<MediaKind, number> = {
  'image/png': 5 * 1024 * 1024,
  'image/jpeg': 5 * 1024 * 1024,
  'image/webp': 5 * 1024 * 1024,
  'image/gif': 15 * 1024 * 1024,
};

/** The media kind of these bytes, or undefined if it is not one X takes by simple upload. */
export function sniffMedia(data: Uint8Array): MediaKind | undefined {
  const b = (i: number) => data[i];
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'image/gif';
  const text = (from: number, to: number) => Buffer.from(data.subarray(from, to)).toString('latin1');
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export type MediaCheck = { ok: true; kind: MediaKind } | { ok: false; message: string };

export function checkMedia(data: Uint8Array, name = 'the file'): MediaCheck {
  const kind = sniffMedia(data);
  if (!kind)
    return {
      ok: false,
      message: `${name} is not a PNG, JPEG, WebP or GIF image (video is not supported yet)`,
    };
  const limit = LIMITS[kind];
  if (data.byteLength > limit) {
    return {
      ok: false,
      message: `${name} is ${(data.byteLength / 1048576).toFixed(1)} MB; X takes at most ${limit / 1048576} MB for ${kind}`,
    };
  }
  return { ok: true, kind };
}

/** X's `media_category` for a kind. */
export const mediaCategory = (kind: MediaKind) => (kind === 'image/gif' ? 'tweet_gif' : 'tweet_image');
