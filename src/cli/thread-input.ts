/**
 * @module `--thread FILE` of `rotor post` and `rotor schedule` (property 40): the file read and
 * split into parts (a line holding only `---` between them), the parts checked before anything is
 * opened or stored (each refusal names its part), and the parts' fates printed, one line each.
 * The CLI takes text only: a part's images are for the web app and the API.
 */
import { readFileSync } from 'node:fs';
import { isRotorError } from '../core/errors.ts';
import { checkThread, splitThreadText, type ThreadPartDraft } from '../scheduler/threads.ts';
import type { PostRow } from '../store/posts.ts';
import { fail } from './runtime.ts';

/** What `--thread` may not be given with, and why, in the words the error uses. */
export function threadConflicts(
  command: string,
  given: { text?: string; media?: string[]; replyTo?: string; cron?: string },
): void {
  if (given.text !== undefined) fail(command, 'give either the text or --thread FILE, not both');
  if ((given.media ?? []).length > 0)
    fail(command, '--media cannot be used with --thread: a thread from the CLI is text only');
  if (given.replyTo !== undefined) fail(command, '--reply-to cannot be used with --thread');
  if (given.cron !== undefined) fail(command, '--cron cannot be used with --thread: a thread is posted once');
}

/**
 * The parts of `file`, checked as X would take them. An unreadable file ends the command with
 * exit 2 (like an unreadable `--media` file); a thread X would not take (a part too long or
 * empty, one part only, two parts alike) with exit 1, naming the part, as a post's text does.
 */
export function readThread(command: string, file: string): ThreadPartDraft[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    fail(command, `cannot read --thread ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const parts = splitThreadText(content).map((text) => ({ text, media: [] as Uint8Array[] }));
  try {
    checkThread(parts);
  } catch (e) {
    if (isRotorError(e)) fail(command, `--thread ${file}: ${e.message}`, 1);
    throw e;
  }
  return parts;
}

/** One line per part: `part 2: published https://x.com/…` (or its status and reason). */
export function partLines(parts: readonly PostRow[]): string[] {
  return parts.map((p, i) => {
    const detail = p.xUrl ?? p.xPostId ?? p.reason;
    return `  part ${i + 1}: ${p.status}${detail ? ` ${detail}` : ''}`;
  });
}
