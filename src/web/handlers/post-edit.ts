/**
 * @module Editing a post until it starts publishing: text, images, time, zone, account, and its
 * mode (a draft scheduled, a scheduled post back to the queue…). The API's `PATCH /posts/{id}`,
 * the Edit page and the calendar's "move" all call {@link editPostFor}.
 */
import { RotorError } from '../../core/errors.ts';
import { dueTimeProblem, DUE_TIME_MESSAGES } from '../../core/due-time.ts';
import { EDITABLE_STATUSES, postTimeZone, type EditableStatus } from '../../store/post-edits.ts';
import { getPost, type PostRow } from '../../store/posts.ts';
import { requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { isTimeZone } from '../format.ts';
import type { EditPostInput } from '../schemas.ts';
import { ownedAccount } from './accounts.ts';
import { freshView, getPostFor, ownedPost, scheduledInstant, type PostView } from './posts.ts';
import { QUEUE_TEXT_ONLY } from '../../scheduler/service.ts';
import { getPostMedia } from '../../store/post-media.ts';
import { partsOfThread } from '../../store/threads.ts';

/** A thread's parts, in order. */
const threadPartsFor = (deps: WebDeps, post: PostRow) =>
  post.threadId === null ? Promise.resolve([]) : partsOfThread(deps.db, post.threadId);

const invalid = (message: string) => new RotorError('invalid_input', message);

/** Refused: the post's publishing has started (or it has ended). */
export const notEditable = (status: string) =>
  new RotorError('conflict', `this post is ${status} and can no longer be edited`);

const isEditable = (status: string): status is EditableStatus =>
  (EDITABLE_STATUSES as readonly string[]).includes(status);

const MODE_OF: Record<EditableStatus, NonNullable<EditPostInput['mode']>> = {
  draft: 'draft',
  queued: 'queue',
  scheduled: 'schedule',
};

/**
 * Edits one of the actor's posts. Someone else's post is `not_found`; one whose publishing has
 * started is a `conflict` (decided by the store's compare-and-swap, so an edit racing the
 * publisher's claim never changes a post being sent); bad input is `invalid_input`, as for a
 * new post, with nothing changed.
 */
export async function editPostFor(
  deps: WebDeps,
  actor: Actor,
  postId: string,
  input: EditPostInput,
): Promise<PostView> {
  requirePermission(actor, 'posts:write');
  const post = await ownedPost(deps, actor, postId);
  if (!isEditable(post.status)) throw notEditable(post.status);
  const accountId =
    input.accountId === undefined ? post.accountId : (await ownedAccount(deps, actor, input.accountId)).id;
  const timeGiven = input.at !== undefined || input.localTime !== undefined;
  const mode = input.mode ?? (timeGiven ? 'schedule' : MODE_OF[post.status]);
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    throw invalid('"timeZone" must be an IANA time zone such as "Asia/Tokyo"');
  let timeZone = input.timeZone ?? (await postTimeZone(deps.db, post.id));
  let dueAt: number | null = null;
  if (mode === 'schedule') {
    if (timeGiven) {
      dueAt = scheduledInstant(input);
      const problem = dueTimeProblem(dueAt, deps.clock.now());
      if (problem) throw invalid(DUE_TIME_MESSAGES[problem]);
      if (input.at !== undefined && input.timeZone === undefined) timeZone = null;
    } else if (post.status === 'scheduled' && post.dueAt !== null) dueAt = post.dueAt;
    else throw invalid('give "at", or "localTime" with "timeZone", to schedule');
  } else if (timeGiven) throw invalid('a time ("at", "localTime") goes with mode "schedule"');
  else if (mode === 'now') dueAt = deps.clock.now();
  const decode = (files: string[]) => files.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  const media = input.media ? decode(input.media) : undefined;
  const parts = input.parts?.map((p) => ({ text: p.text, media: decode(p.media ?? []) }));
  if (post.threadId !== null && !parts) {
    if (input.text !== undefined || input.media !== undefined)
      throw invalid('this post is a thread: give its "parts" (all of them) to change its text or media');
    if (mode === 'queue' && (await threadPartsFor(deps, post)).some((p) => p.mediaCount > 0))
      throw invalid(QUEUE_TEXT_ONLY);
  }
  const edited = await deps.service.editPost(
    post.id,
    {
      accountId,
      text: input.text ?? post.text,
      status: mode === 'draft' ? 'draft' : mode === 'queue' ? 'queued' : 'scheduled',
      dueAt,
      timeZone,
      media,
    },
    post.mediaCount,
    parts,
  );
  if (edited) return freshView(deps, edited);
  throw notEditable((await getPost(deps.db, post.id))?.status ?? 'deleted');
}

/** One of the actor's posts for its Edit page, with the zone its time was picked in (null: none kept). */
export async function postForEditing(
  deps: WebDeps,
  actor: Actor,
  postId: string,
): Promise<{ post: PostView; timeZone: string | null }> {
  const post = await getPostFor(deps, actor, postId);
  return { post, timeZone: await postTimeZone(deps.db, post.id) };
}

/**
 * The stored images of each part of one of the actor's posts (a post: one part), as base64 in
 * the handlers' media input: what the Edit page sends again for a part whose images are kept
 * (a thread's parts are replaced whole by an edit).
 */
export async function storedPartMedia(deps: WebDeps, actor: Actor, postId: string): Promise<string[][]> {
  requirePermission(actor, 'posts:read');
  const post = await ownedPost(deps, actor, postId);
  const parts = post.threadId === null ? [post] : await threadPartsFor(deps, post);
  return Promise.all(
    parts.map(async (p) => (await getPostMedia(deps.db, p.id)).map((m) => m.data.toString('base64'))),
  );
}
