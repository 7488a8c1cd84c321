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

export interface CreatedPost {
  post: PostRow;
  /** For "now": what publishing did. */
  result?: PublishResult;
}

export async function createPost(deps: WebDeps, actor: Actor, input: CreatePostInput): Promise<CreatedPost> {
  requirePermission(actor, 'posts:write');
  const account = await ownedAccount(deps, actor, input.accountId);
  const media = (input.media ?? []).map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
  switch (input.mode) {
    case 'now':
      return deps.service.postNow(account.id, input.text, undefined, media);
    case 'schedule': {
      const at = scheduledInstant(input);
      const problem = dueTimeProblem(at, deps.clock.now());
      if (problem) throw invalid(DUE_TIME_MESSAGES[problem]);
      const post = await deps.service.schedulePost(account.id, input.text, at, undefined, media);
      // The zone the time was picked in, for its Edit page and the calendar.
      if (input.timeZone !== undefined && isTimeZone(input.timeZone))
        await setPostTimeZone(deps.db, post.id, input.timeZone);
      return { post };
    }
    case 'queue':
      if (media.length > 0) throw invalid(QUEUE_TEXT_ONLY);
      return { post: await deps.service.addToQueue(account.id, input.text) };
    case 'draft':
      return { post: await deps.service.saveDraft(account.id, input.text, media) };
  }
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
): Promise<(PostRow & { username: string })[]> {
  requirePermission(actor, 'posts:read');
  if (filter.accountId) await ownedAccount(deps, actor, filter.accountId);
  return listPosts(deps.db, { ...filter, ownerId: actor.userId });
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
 * A post the actor has just written, as it stands now ("now" has published it by then). Needs no
 * `posts:read`: the writer owns it already. One gone since, or not the actor's, reads as `post`.
 */
export async function currentPostFor(deps: WebDeps, actor: Actor, post: PostRow): Promise<PostRow> {
  try {
    return await ownedPost(deps, actor, post.id);
  } catch (e) {
    if (isRotorError(e, 'not_found')) return post;
    throw e;
  }
}

export async function getPostFor(deps: WebDeps, actor: Actor, postId: string): Promise<PostRow> {
  requirePermission(actor, 'posts:read');
  return ownedPost(deps, actor, postId);
}

/** Cancels a post not yet being published. */
export async function cancelPostFor(deps: WebDeps, actor: Actor, postId: string): Promise<PostRow> {
  requirePermission(actor, 'posts:write');
  const post = await ownedPost(deps, actor, postId);
  const cancelled = await cancelPost(deps.db, post.id);
  if (!cancelled) {
    throw new RotorError('conflict', `this post is ${post.status} and can no longer be cancelled`);
  }
  return cancelled;
}
