/**
 * @module Posts for their owner: create (now, at a time, into the queue, as a draft), list, cancel. The API
 * and the pages call these same functions; each checks permission and ownership.
 */
import { isRotorError, RotorError } from '../../core/errors.ts';
import type { PublishResult } from '../../scheduler/publisher.ts';
import { cancelPost, getPost, listPosts, type PostRow, type PostStatus } from '../../store/posts.ts';
import { isUuid, requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { dueTimeProblem, DUE_TIME_MESSAGES } from '../../core/due-time.ts';
import { gapMessage, isTimeZone } from '../format.ts';
import { readWallClock } from '../time-zones.ts';
import type { CreatePostInput } from '../schemas.ts';
import { ownedAccount } from './accounts.ts';
import { QUEUE_TEXT_ONLY } from '../../scheduler/service.ts';
import { setPostTimeZone } from '../../store/post-edits.ts';
import { threadParts } from '../../store/threads.ts';
import { findAccount } from '../../store/accounts.ts';

const invalid = (message: string) => new RotorError('invalid_input', message);

/** The instant a "schedule" input names, from `at` or from `localTime` + `timeZone`. */
export function scheduledInstant(input: Pick<CreatePostInput, 'at' | 'localTime' | 'timeZone'>): number {
  if (input.at !== undefined) return Date.parse(input.at);
  if (input.localTime === undefined) throw invalid('give "at", or "localTime" with "timeZone", to schedule');
  if (input.timeZone === undefined || !isTimeZone(input.timeZone))
    throw invalid('"timeZone" must be an IANA time zone such as "Asia/Tokyo"');
  const [date = '', time = ''] = input.localTime.split('T');
  const wall = readWallClock(date, time, input.timeZone);
  if (wall.kind === 'gap') throw invalid(gapMessage(date, time, input.timeZone, wall.shifted));
  if (wall.kind === 'malformed') throw invalid('"localTime" is not a valid date and time');
  return wall.at;
}

/** A post as the pages and the API show it: for a thread, with its parts in order. */
export type PostView = PostRow & { username?: string; parts?: PostRow[] };

export interface CreatedPost {
  post: PostView;
  /** For "now": what publishing did (for a thread: the last part tried). */
  result?: PublishResult;
}

const decoded = (media: string[] | undefined) =>
  (media ?? []).map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));

/** Creates a post, or (`parts`) a thread, for one of the actor's accounts. */
export async function createPost(deps: WebDeps, actor: Actor, input: CreatePostInput): Promise<CreatedPost> {
  requirePermission(actor, 'posts:write');
  const account = await ownedAccount(deps, actor, input.accountId);
  const at = input.mode === 'schedule' ? checkedInstant(deps, input) : undefined;
  const created = input.parts
    ? await createThread(deps, account.id, input.parts, input.mode, at)
    : await createSingle(deps, account.id, input.text ?? '', decoded(input.media), input.mode, at);
  // The zone the time was picked in, for its Edit page and the calendar.
  if (at !== undefined && input.timeZone !== undefined && isTimeZone(input.timeZone))
    await setPostTimeZone(deps.db, created.post.id, input.timeZone);
  return created;
}

async function createThread(
  deps: WebDeps,
  accountId: string,
  parts: NonNullable<CreatePostInput['parts']>,
  mode: CreatePostInput['mode'],
  at: number | undefined,
): Promise<CreatedPost> {
  const drafts = parts.map((p) => ({ text: p.text, media: decoded(p.media) }));
  const {
    post,
    parts: rows,
    result,
  } = await deps.service.createThread(
    accountId,
    drafts,
    mode === 'schedule' ? { mode, at: at ?? NaN } : { mode },
  );
  return { post: { ...post, parts: rows }, ...(result ? { result } : {}) };
}

/** The instant a "schedule" input names, refused when it is past or too far ahead. */
function checkedInstant(deps: WebDeps, input: CreatePostInput): number {
  const at = scheduledInstant(input);
  const problem = dueTimeProblem(at, deps.clock.now());
  if (problem) throw invalid(DUE_TIME_MESSAGES[problem]);
  return at;
}

async function createSingle(
  deps: WebDeps,
  accountId: string,
  text: string,
  media: Uint8Array[],
  mode: CreatePostInput['mode'],
  at: number | undefined,
): Promise<CreatedPost> {
  switch (mode) {
    case 'now':
      return deps.service.postNow(accountId, text, undefined, media);
    case 'schedule':
      return { post: await deps.service.schedulePost(accountId, text, at ?? NaN, undefined, media) };
    case 'queue':
      if (media.length > 0) throw invalid(QUEUE_TEXT_ONLY);
      return { post: await deps.service.addToQueue(accountId, text) };
    case 'draft':
      return { post: await deps.service.saveDraft(accountId, text, media) };
  }
}

/** The posts with, for each thread among them, its parts (one query for all). */
export async function withParts<T extends PostRow>(deps: WebDeps, posts: T[]): Promise<(T & PostView)[]> {
  const threads = await threadParts(
    deps.db,
    posts.flatMap((p) => (p.threadId === null ? [] : [p.threadId])),
  );
  return posts.map((p) => {
    const parts = p.threadId === null ? undefined : threads.get(p.threadId);
    return parts ? { ...p, parts } : p;
  });
}

/** A post just created or changed by the actor, as it is now (with its account's username and its parts). */
export async function freshView(deps: WebDeps, post: PostRow): Promise<PostView> {
  const now = (await getPost(deps.db, post.id)) ?? post;
  const username = (await findAccount(deps.db, { id: now.accountId }))?.username;
  const [view] = await withParts(deps, [{ ...now, ...(username === undefined ? {} : { username }) }]);
  return view ?? now;
}

export async function listPostsFor(
  deps: WebDeps,
  actor: Actor,
  filter: {
    status?: PostStatus;
    statuses?: PostStatus[];
    accountId?: string;
    limit?: number;
    ascending?: boolean;
  },
): Promise<(PostRow & { username: string } & PostView)[]> {
  requirePermission(actor, 'posts:read');
  if (filter.accountId) await ownedAccount(deps, actor, filter.accountId);
  return withParts(deps, await listPosts(deps.db, { ...filter, ownerId: actor.userId }));
}

/** One of the actor's posts; another user's reads as not found. */
export async function ownedPost(deps: WebDeps, actor: Actor, postId: string): Promise<PostRow> {
  const post = isUuid(postId) ? await getPost(deps.db, postId) : undefined;
  if (!post) throw new RotorError('not_found', 'no such post among yours');
  try {
    await ownedAccount(deps, actor, post.accountId);
  } catch {
    throw new RotorError('not_found', 'no such post among yours');
  }
  return post;
}

/**
 * A post the actor has just written, as it stands now ("now" has published it by then), with its
 * parts. Needs no `posts:read`: the writer owns it already. One gone since, or not the actor's,
 * reads as `post`.
 */
export async function currentPostFor(deps: WebDeps, actor: Actor, post: PostView): Promise<PostView> {
  try {
    return await freshView(deps, await ownedPost(deps, actor, post.id));
  } catch (e) {
    if (isRotorError(e, 'not_found')) return post;
    throw e;
  }
}

export async function getPostFor(deps: WebDeps, actor: Actor, postId: string): Promise<PostView> {
  requirePermission(actor, 'posts:read');
  return freshView(deps, await ownedPost(deps, actor, postId));
}

/** Cancels a post not yet being published (a thread: every part not yet started). */
export async function cancelPostFor(deps: WebDeps, actor: Actor, postId: string): Promise<PostView> {
  requirePermission(actor, 'posts:write');
  const post = await ownedPost(deps, actor, postId);
  const cancelled = await cancelPost(deps.db, post.id);
  if (!cancelled) {
    throw new RotorError('conflict', `this post is ${post.status} and can no longer be cancelled`);
  }
  return freshView(deps, cancelled);
}
