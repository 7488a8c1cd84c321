/**
 * @module A thread's parts, checked before anything is stored (property 40): 2 to 25 parts, each
 * a post X would take (its weighted text, its media), and no two parts with the same text (X
 * refuses a duplicate, which would stop the thread half-way). Each refusal names its part
 * (`part 3: the text is empty`), so a person knows which one to fix. Pure: no I/O.
 */
import { RotorError } from '../core/errors.ts';
import { checkPostMedia, InvalidMediaError, type MediaKind } from './media.ts';
import { checkText } from './text.ts';

/** Parts a thread has at least and at most (one part is a post, not a thread). */
export const THREAD_PARTS = { min: 2, max: 25 } as const;

/** One part as a person wrote it. */
export interface ThreadPartDraft {
  text: string;
  /** Its files (images, or one GIF or video), as for a post. */
  media: Uint8Array[];
}

/**
 * The part that says where a thread stands: its first part not yet published, or its last part
 * once all are. A thread's status is that part's (the store lists threads by the same rule).
 */
export function currentPart<T extends { status: string }>(parts: readonly T[]): T | undefined {
  return parts.find((p) => p.status !== 'published') ?? parts.at(-1);
}

/** How a refusal names the part it is about (1-based). */
export const partRefusal = (n: number, message: string) => `part ${n}: ${message}`;

const invalid = (message: string) => new RotorError('invalid_input', message);

/**
 * Checks a thread's parts as X would take each of them.
 * @returns each part's media kinds, in order.
 * @throws {RotorError} `invalid_input` (count, text, a repeated text) or `invalid_media`, naming the part.
 */
export function checkThread(parts: readonly ThreadPartDraft[]): MediaKind[][] {
  if (parts.length < THREAD_PARTS.min || parts.length > THREAD_PARTS.max)
    throw invalid(
      `a thread has ${THREAD_PARTS.min} to ${THREAD_PARTS.max} parts (this one has ${parts.length})`,
    );
  const seen = new Map<string, number>();
  return parts.map((part, i) => {
    const n = i + 1;
    if (part.media.length === 0 || part.text.trim() !== '') {
      const check = checkText(part.text);
      if (!check.ok) throw invalid(partRefusal(n, check.message));
    }
    const key = part.text.trim();
    const first = seen.get(key);
    if (key !== '' && first !== undefined)
      throw invalid(partRefusal(n, `the same text as part ${first}; X refuses a duplicate`));
    seen.set(key, n);
    try {
      return checkPostMedia(part.media);
    } catch (e) {
      if (e instanceof InvalidMediaError) throw new InvalidMediaError(partRefusal(n, e.message));
      throw e;
    }
  });
}

/**
 * A thread's parts from one text, as the CLI's `--thread FILE` takes them: parts separated by a
 * line that holds only `---` (spaces around it allowed), each part trimmed of the blank lines
 * around it.
 */
export function splitThreadText(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/^[ \t]*---[ \t]*$/m)
    .map((part) => part.replace(/^\n+|\n+$/g, ''));
}
