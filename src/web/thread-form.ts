/**
 * @module A post's parts as the compose and Edit forms send them (property 40): part 1 in `text`
 * and `media` (a single post's fields), part N in `partText:N` and `partMedia:N`; and what the
 * "Add part" / "Remove part N" buttons ask. Reading only: the handlers decide.
 */
import { THREAD_PARTS } from '../scheduler/threads.ts';

/** One part as sent: its text, and its files as base64 (the handlers' media input). */
export interface SentPart {
  text: string;
  media: string[];
  /** The Edit page's "remove the images" for this part. */
  removeMedia: boolean;
  /** Files were chosen for it. */
  hasFiles: boolean;
  /** On the Edit page: the stored part it was (1-based), or undefined for a new one. */
  from: number | undefined;
}

const one = (v: unknown) => (Array.isArray(v) ? (v[0] as unknown) : v);
const str = (v: unknown) => {
  const x = one(v);
  return typeof x === 'string' ? x : '';
};

/** Every part the form sent, in order (part 1 always; later parts while they are numbered on). */
export async function sentParts(body: Record<string, unknown>): Promise<SentPart[]> {
  const read = async (text: string, media: string, remove: string, from: string): Promise<SentPart> => {
    const given = body[media];
    const chosen = (Array.isArray(given) ? given : given === undefined ? [] : [given]).filter(
      (f): f is File => f instanceof File && f.size > 0,
    );
    return {
      text: str(body[text]),
      media: await Promise.all(
        chosen.map(async (f) => Buffer.from(await f.arrayBuffer()).toString('base64')),
      ),
      removeMedia: str(body[remove]) === '1',
      hasFiles: chosen.length > 0,
      from: /^\d+$/.test(str(body[from])) ? Number(str(body[from])) : undefined,
    };
  };
  const parts = [await read('text', 'media', 'removeMedia', 'partFrom:1')];
  for (let n = 2; n <= THREAD_PARTS.max + 1 && body[`partText:${n}`] !== undefined; n += 1)
    parts.push(await read(`partText:${n}`, `partMedia:${n}`, `removeMedia:${n}`, `partFrom:${n}`));
  return parts;
}

/** What the parts buttons asked: one more part, part N less, or neither. */
export function partsAction(action: string): { add: true } | { remove: number } | undefined {
  if (action === 'addPart') return { add: true };
  const m = /^remove:(\d+)$/.exec(action);
  return m ? { remove: Number(m[1]) } : undefined;
}

/** The parts after the parts button: one more (`blank`, up to 25), or without part N (not part 1). */
export function partsAfter<T>(parts: T[], asked: { add: true } | { remove: number }, blank: T): T[] {
  if ('add' in asked) return parts.length < THREAD_PARTS.max ? [...parts, blank] : parts;
  return asked.remove > 1 ? parts.filter((_, i) => i !== asked.remove - 1) : parts;
}
