/**
 * @module What users ask for, as use cases: post now, post at a time, recurring schedules, the
 * queue and its slots, pause and resume. Input is checked here (text length, time zone, cron,
 * templates that would repeat) with messages a person can act on.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import { RotorError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { insertPost, type PostRow } from '../store/posts.ts';
import { getSchedule, insertSchedule, setPaused, type ScheduleRow } from '../store/schedules.ts';
import type { Engine } from './engine.ts';
import type { Publisher, PublishResult } from './publisher.ts';
import { checkTimeZone, nextOccurrence, RecurrenceError } from './recurrence.ts';
import { checkTemplate } from './template.ts';
import { checkText } from './text.ts';
import { checkPostMedia } from './media.ts';
import { addPostMedia, type PostMedia } from '../store/post-media.ts';
import { applyPostEdit, type PostEdit } from '../store/post-edits.ts';
import { addThreadParts, moveLaterParts, replaceLaterParts, type ThreadPartInput } from '../store/threads.ts';
import { checkThread, type ThreadPartDraft } from './threads.ts';

export class InvalidInputError extends RotorError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

export interface PostingServiceOptions {
  db: Db;
  engine: Engine;
  publisher: Publisher;
  clock?: Clock;
}

function validText(text: string): void {
  const check = checkText(text);
  if (!check.ok) throw new InvalidInputError(check.message);
}

function validRecurrence(cron: string, tz: string, now: number): number {
  try {
    checkTimeZone(tz);
    return nextOccurrence(cron, tz, now);
  } catch (e) {
    if (e instanceof RecurrenceError) throw new InvalidInputError(e.message);
    throw e;
  }
}

/** Why a queued post cannot carry images (its slot takes text). */
export const QUEUE_TEXT_ONLY = 'queued posts take text only; schedule a post to attach images';

/** The post's files as X takes them (`invalid_media` otherwise), with their kinds. */
function checkedMedia(media: Uint8Array[]): PostMedia[] {
  const kinds = checkPostMedia(media);
  return media.map((data, i) => ({ contentType: kinds[i] ?? '', data: Buffer.from(data) }));
}

/** A thread's parts as X takes them (checked: `invalid_input`, `invalid_media`), with their kinds. */
function checkedParts(parts: ThreadPartDraft[]): ThreadPartInput[] {
  const kinds = checkThread(parts);
  return parts.map((p, i) => ({
    text: p.text,
    media: p.media.map((data, j) => ({ contentType: kinds[i]?.[j] ?? '', data: Buffer.from(data) })),
  }));
}

export class PostingService {
  readonly #o: PostingServiceOptions & { clock: Clock };

  constructor(o: PostingServiceOptions) {
    this.#o = { ...o, clock: o.clock ?? systemClock };
  }

  /** "Post this now": creates the post and publishes it in this process. */
  async postNow(
    accountId: string,
    text: string,
    replyTo?: string,
    media: Uint8Array[] = [],
  ): Promise<{ post: PostRow; result: PublishResult }> {
    // Due "now" by the database's clock, the one the claim compares with.
    const post = await this.#create(accountId, text, undefined, replyTo, media);
    return { post, result: await this.#o.publisher.publish(post.id) };
  }

  /** "Post this at …" (a time in the past means now). */
  async schedulePost(
    accountId: string,
    text: string,
    at: number,
    replyTo?: string,
    media: Uint8Array[] = [],
  ): Promise<PostRow> {
    if (!Number.isFinite(at)) throw new InvalidInputError('the time is not a valid date');
    const post = await this.#create(accountId, text, at, replyTo, media);
    await this.#o.engine.enqueuePublish(post.id, at);
    return post;
  }

  /** "Save as draft": kept with its images, not published until it is scheduled or queued. */
  async saveDraft(accountId: string, text: string, media: Uint8Array[] = []): Promise<PostRow> {
    return this.#create(accountId, text, undefined, undefined, media, 'draft');
  }

  /**
   * Edits a post that has not started publishing (see {@link applyPostEdit}): the text and images
   * checked as for a new post, then one compare-and-swap. A new due time gets its publish job (a
   * job at the old time finds the post not due and follows it to the new one). `parts`: the post
   * becomes (or stays) a thread with these parts, the first one's text and images its own; a
   * thread's later parts follow it to its new account.
   * @returns the edited post, or undefined when its publishing had started (nothing changed).
   */
  async editPost(
    postId: string,
    edit: Omit<PostEdit, 'media'> & { media?: Uint8Array[] | undefined },
    mediaCount: number,
    parts?: ThreadPartDraft[],
  ): Promise<PostRow | undefined> {
    if (edit.status === 'scheduled' && (edit.dueAt === null || !Number.isFinite(edit.dueAt)))
      throw new InvalidInputError('the time is not a valid date');
    const thread = parts ? checkedParts(parts) : undefined;
    const images = thread ? thread[0]?.media : edit.media ? checkedMedia(edit.media) : undefined;
    if (!thread && ((images?.length ?? mediaCount) === 0 || edit.text.trim() !== '')) validText(edit.text);
    const withMedia = thread ? thread.some((p) => p.media.length > 0) : (images?.length ?? mediaCount) > 0;
    if (edit.status === 'queued' && withMedia) throw new InvalidInputError(QUEUE_TEXT_ONLY);
    const text = thread?.[0]?.text ?? edit.text;
    const post = await this.#o.db.transaction(async (tx) => {
      const row = await applyPostEdit(tx, postId, { ...edit, text, media: images });
      if (!row) return undefined;
      if (thread) await replaceLaterParts(tx, postId, thread.slice(1));
      else await moveLaterParts(tx, postId, edit.accountId);
      return row;
    });
    if (post?.status === 'scheduled' && post.dueAt !== null)
      await this.#o.engine.enqueuePublish(post.id, post.dueAt);
    return post;
  }

  /**
   * A thread (property 40): 2 to 25 parts, each checked as a post (and no two alike), stored
   * whole in one transaction, then posted now, at `at`, at the account's next queue slot, or kept
   * as a draft. Each part is published at most once, as a reply to the part before it, and only
   * once that part is published. "Now" publishes the parts in this process, one after the other.
   * @returns the thread's first part (it stands for the thread), its parts, and for "now" what
   * publishing the last part tried did.
   */
  async createThread(
    accountId: string,
    parts: ThreadPartDraft[],
    how: { mode: 'now' | 'draft' | 'queue' } | { mode: 'schedule'; at: number },
  ): Promise<{ post: PostRow; parts: PostRow[]; result?: PublishResult }> {
    const stored = checkedParts(parts);
    if (how.mode === 'queue' && parts.some((p) => p.media.length > 0))
      throw new InvalidInputError(QUEUE_TEXT_ONLY);
    if (how.mode === 'schedule' && !Number.isFinite(how.at))
      throw new InvalidInputError('the time is not a valid date');
    const [first, ...later] = stored;
    if (!first) throw new InvalidInputError('a thread needs its parts');
    const status = how.mode === 'draft' ? 'draft' : how.mode === 'queue' ? 'queued' : 'scheduled';
    const rows = await this.#o.db.transaction(async (tx) => {
      const head = await insertPost(tx, {
        accountId,
        text: first.text,
        status,
        dueAt: how.mode === 'schedule' ? how.at : undefined,
        mediaCount: first.media.length,
      });
      if (!head) throw new Error('the thread was not created');
      await addPostMedia(tx, head.id, first.media);
      return addThreadParts(tx, head, later);
    });
    const head = rows[0];
    if (!head) throw new Error('the thread was not created');
    if (how.mode === 'schedule') await this.#o.engine.enqueuePublish(head.id, how.at);
    if (how.mode !== 'now') return { post: head, parts: rows };
    const last = await this.#o.publisher.publishOnward(head.id);
    if (last.result.kind === 'rescheduled' || last.result.kind === 'not_due')
      await this.#o.engine.enqueuePublish(last.postId, last.result.dueAt).catch(() => undefined);
    return { post: head, parts: rows, result: last.result };
  }

  /** Checks text and media (`invalid_media`), then stores the post and its media in one transaction. */
  async #create(
    accountId: string,
    text: string,
    dueAt: number | undefined,
    replyTo: string | undefined,
    media: Uint8Array[],
    status: 'scheduled' | 'draft' = 'scheduled',
  ): Promise<PostRow> {
    if (media.length === 0 || text.trim() !== '') validText(text);
    const images = checkedMedia(media);
    const post = await this.#o.db.transaction(async (tx) => {
      const row = await insertPost(tx, {
        accountId,
        text,
        replyTo,
        status,
        dueAt,
        mediaCount: images.length,
      });
      if (row) await addPostMedia(tx, row.id, images);
      return row;
    });
    if (!post) throw new Error('the post was not created');
    return post;
  }

  /** A recurring schedule: `template` posted at each occurrence of `cron` in `tz`. */
  async createRecurring(accountId: string, cron: string, tz: string, template: string): Promise<ScheduleRow> {
    const now = this.#o.clock.now();
    const first = validRecurrence(cron, tz, now);
    const check = checkTemplate(template, cron, tz, now);
    if (!check.ok) throw new InvalidInputError(check.message);
    const schedule = await insertSchedule(this.#o.db, {
      accountId,
      kind: 'recurring',
      cron,
      tz,
      template,
      nextAt: first,
    });
    await this.#o.engine.enqueueFire(schedule.id, first);
    return schedule;
  }

  /** The account's queue slots ("weekdays 09:00 and 18:00" = `0 9,18 * * 1-5`), one queue per account. */
  async setQueueSlots(accountId: string, cron: string, tz: string): Promise<ScheduleRow> {
    const first = validRecurrence(cron, tz, this.#o.clock.now());
    const schedule = await insertSchedule(this.#o.db, { accountId, kind: 'queue', cron, tz, nextAt: first });
    await this.#o.engine.enqueueFire(schedule.id, first);
    return schedule;
  }

  /** Adds a post to the end of the account's queue. */
  async addToQueue(accountId: string, text: string): Promise<PostRow> {
    validText(text);
    const post = await insertPost(this.#o.db, { accountId, text, status: 'queued' });
    if (!post) throw new Error('the draft was not created');
    return post;
  }

  /**
   * Many posts at once (an import): every text checked, all stored in one transaction (all or
   * none), then sent to the workers. A job that cannot be sent now is sent by the next sweep,
   * which enqueues every due post.
   */
  async importPosts(
    items: { accountId: string; text: string; at?: number | undefined }[],
  ): Promise<PostRow[]> {
    for (const item of items) validText(item.text);
    const rows = await this.#o.db.transaction(async (tx) => {
      const out: PostRow[] = [];
      for (const item of items) {
        const row = await insertPost(tx, {
          accountId: item.accountId,
          text: item.text,
          status: item.at === undefined ? 'queued' : 'scheduled',
          dueAt: item.at,
        });
        if (!row) throw new Error('a post of the import was not created');
        out.push(row);
      }
      return out;
    });
    for (const row of rows) {
      if (row.status === 'scheduled' && row.dueAt !== null)
        await this.#o.engine.enqueuePublish(row.id, row.dueAt).catch(() => undefined);
    }
    return rows;
  }

  async pause(scheduleId: string): Promise<void> {
    if (!(await setPaused(this.#o.db, scheduleId, true))) throw new InvalidInputError('no such schedule');
  }

  /** Resumes from now: occurrences missed while paused are not posted late. */
  async resume(scheduleId: string): Promise<void> {
    const s = await getSchedule(this.#o.db, scheduleId);
    if (!s) throw new InvalidInputError('no such schedule');
    const next = nextOccurrence(s.cron, s.tz, this.#o.clock.now());
    await setPaused(this.#o.db, scheduleId, false, next);
    await this.#o.engine.enqueueFire(scheduleId, next);
  }
}
