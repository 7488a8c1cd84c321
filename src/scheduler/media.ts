/**
 * @module Media attached to a post, as X takes it (X's media docs and OpenAPI v2.167): up to 4
 * images, or exactly 1 GIF, or exactly 1 video, never mixed. Images (PNG, JPEG, WebP) up to 5 MB
 * go by simple upload; GIFs (15 MB) and MP4 videos (512 MB) by X's chunked upload, which X then
 * processes. The kind is read from the file's first bytes, not from its name.
 */
import { RotorError } from '../core/errors.ts';

export type MediaKind = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif' | 'video/mp4';

/** Images per post; a GIF or a video comes alone. */
export const MAX_MEDIA_PER_POST = 4;
const MB = 1024 * 1024;
const LIMITS: Record<MediaKind, number> = {
  'image/png': 5 * MB,
  'image/jpeg': 5 * MB,
  'image/webp': 5 * MB,
  'image/gif': 15 * MB,
  'video/mp4': 512 * MB,
};

/** The media kind of these bytes, or undefined if it is not one X takes. */
export function sniffMedia(data: Uint8Array): MediaKind | undefined {
  const b = (i: number) => data[i];
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38) return 'image/gif';
  const text = (from: number, to: number) => Buffer.from(data.subarray(from, to)).toString('latin1');
  if (text(0, 4) === 'RIFF' && text(8, 12) === 'WEBP') return 'image/webp';
  // ISO base media (MP4): a first box of type `ftyp`; QuickTime's own brand is not MP4.
  if (text(4, 8) === 'ftyp' && text(8, 12) !== 'qt  ') return 'video/mp4';
  return undefined;
}

/** The post's media do not fit what X takes; nothing was saved. */
export class InvalidMediaError extends RotorError {
  constructor(message: string) {
    super('invalid_media', message);
  }
}

const what = (kind: MediaKind) => (kind === 'video/mp4' ? 'video' : kind === 'image/gif' ? 'GIF' : 'image');

/**
 * The kinds of a post's files, checked together as X takes them.
 * @throws {InvalidMediaError} naming the file (1-based) and X's limit.
 */
export function checkPostMedia(files: Uint8Array[]): MediaKind[] {
  const kinds = files.map((data, i) => {
    const kind = sniffMedia(data);
    if (!kind)
      throw new InvalidMediaError(`file ${i + 1} is not a PNG, JPEG, WebP or GIF image or an MP4 video`);
    const limit = LIMITS[kind];
    if (data.byteLength > limit) {
      throw new InvalidMediaError(
        `file ${i + 1} is ${(data.byteLength / MB).toFixed(1)} MB; X takes at most ${limit / MB} MB for a ${what(kind)}`,
      );
    }
    return kind;
  });
  const alone = kinds.find((k) => !isImage(k));
  if (alone && kinds.length > 1) {
    throw new InvalidMediaError(`a ${what(alone)} must be the only file of its post (X does not mix media)`);
  }
  if (kinds.length > MAX_MEDIA_PER_POST) {
    throw new InvalidMediaError(`at most ${MAX_MEDIA_PER_POST} images per post`);
  }
  return kinds;
}

const isImage = (kind: MediaKind) => kind === 'image/png' || kind === 'image/jpeg' || kind === 'image/webp';

/** X's `media_category` for a kind. */
export const mediaCategory = (kind: MediaKind) =>
  kind === 'video/mp4' ? 'tweet_video' : kind === 'image/gif' ? 'tweet_gif' : 'tweet_image';

/** GIFs and videos go by chunked upload (and X processes them); images by simple upload. */
export const uploadsChunked = (kind: MediaKind) => !isImage(kind);

/** What a person is told the file is (`video`, `GIF`, `image`). */
export const mediaWord = what;
