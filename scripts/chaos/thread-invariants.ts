/**
 * @module What must hold for the run's threads (property 40), decided from Rotor's rows (one per
 * part) and X's timeline (no I/O): no part on X twice, no part out of order (each part replies to
 * the X post of the part before it, and is never on X while that part is not), and nothing of a
 * thread on X after a part of it failed for good (the thread ended there).
 */

/** A thread's part as Rotor stores it (`listPosts(…, { allParts: true })`). */
export interface PartRow {
  id: string;
  text: string;
  status: string;
  xPostId: string | null;
  threadId: string | null;
  threadPart: number | null;
}

/** A post on X as the emulator shows it. */
export interface XPost {
  id: string;
  text: string;
  deleted: boolean;
  replyTo?: string | null;
}

export interface ThreadFigures {
  /** Threads scheduled during the run. */
  threads: number;
  /** Their parts. */
  parts: number;
  /** Threads with every part published. */
  whole: number;
  /** Threads that a part failing for good ended (its later parts cancelled). */
  ended: number;
  /** Parts on X more than once. */
  duplicatedParts: number;
  /**
   * Parts on X out of order: replying to something other than the X post of the part before it
   * (the first part: replying to anything), or on X while the part before it is not.
   */
  outOfOrder: number;
  /** Parts on X after a part of their thread that failed for good. */
  afterEnd: number;
}

/** Each thread's parts, in order, by thread id (rows of single posts left out). */
export function threadsOf<T extends Pick<PartRow, 'threadId' | 'threadPart'>>(
  rows: readonly T[],
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    if (row.threadId === null) continue;
    out.set(row.threadId, [...(out.get(row.threadId) ?? []), row]);
  }
  for (const parts of out.values()) parts.sort((a, b) => (a.threadPart ?? 0) - (b.threadPart ?? 0));
  return out;
}

/**
 * Where each thread stands: its first part not published (what the rest of it waits on), by
 * thread id; a thread published whole has none.
 */
export function threadStops<T extends Pick<PartRow, 'threadId' | 'threadPart' | 'status'>>(
  rows: readonly T[],
): Map<string, T> {
  const out = new Map<string, T>();
  for (const [id, parts] of threadsOf(rows)) {
    const stop = parts.find((p) => p.status !== 'published');
    if (stop) out.set(id, stop);
  }
  return out;
}

/** Counts the run's threads and what went wrong with them on X. */
export function threadFigures(rows: readonly PartRow[], onX: readonly XPost[]): ThreadFigures {
  const byText = new Map<string, XPost[]>();
  for (const p of onX) if (!p.deleted) byText.set(p.text, [...(byText.get(p.text) ?? []), p]);
  const f: ThreadFigures = {
    threads: 0,
    parts: 0,
    whole: 0,
    ended: 0,
    duplicatedParts: 0,
    outOfOrder: 0,
    afterEnd: 0,
  };
  for (const parts of threadsOf(rows).values()) {
    f.threads += 1;
    f.parts += parts.length;
    if (parts.every((p) => p.status === 'published')) f.whole += 1;
    let failedBefore = false;
    for (const [k, part] of parts.entries()) {
      const copies = byText.get(part.text) ?? [];
      if (copies.length > 1) f.duplicatedParts += 1;
      if (copies.length > 0) {
        if (failedBefore) f.afterEnd += 1;
        const prev = parts[k - 1];
        if (!prev) {
          if (copies.some((c) => (c.replyTo ?? null) !== null)) f.outOfOrder += 1;
        } else {
          const prevIds = new Set((byText.get(prev.text) ?? []).map((p) => p.id));
          const inOrder = (c: XPost) =>
            c.replyTo != null &&
            prevIds.has(c.replyTo) &&
            (prev.xPostId === null || c.replyTo === prev.xPostId);
          if (prevIds.size === 0 || !copies.every(inOrder)) f.outOfOrder += 1;
        }
      }
      if (part.status === 'failed') failedBefore = true;
    }
    if (parts.some((p) => p.status === 'failed')) f.ended += 1;
  }
  return f;
}

/** The thread invariants the run broke, in words; empty when all held. */
export function brokenThreadInvariants(f: ThreadFigures): string[] {
  const broken: string[] = [];
  if (f.duplicatedParts > 0) broken.push(`${f.duplicatedParts} thread part(s) on X more than once`);
  if (f.outOfOrder > 0)
    broken.push(
      `${f.outOfOrder} thread part(s) on X out of order (not replying to the part before, or before it)`,
    );
  if (f.afterEnd > 0) broken.push(`${f.afterEnd} thread part(s) on X after a part of their thread failed`);
  return broken;
}
