/**
 * @module Posts: creating (with X's validation, weighted length by `twitter-text` and the
 * duplicate-content rule), deleting and listing a user's timeline.
 */
import { randomBytes } from 'node:crypto';
import { twitterText } from '../core/twitter-text.ts';
import type { GrantRecord, PostRecord } from './model.ts';
import { unusableMedia } from './media.ts';
import { problems, type Problem } from './problems.ts';
import type { EmulatorWorld } from './world.ts';

/** Every field `POST /2/tweets` knows (X's `CreatePostsRequest`, `additionalProperties: false`). */
const KNOWN_FIELDS = new Set([
  'card_uri',
  'community_id',
  'direct_message_deep_link',
  'edit_options',
  'for_super_followers_only',
  'geo',
  'made_with_ai',
  'media',
  'nullcast',
  'paid_partnership',
  'poll',
  'quote_tweet_id',
  'reply',
  'reply_settings',
  'share_with_followers',
  'text',
]);

const REPLY_SETTINGS = new Set(['following', 'mentionedUsers', 'subscribers', 'verified']);

export type PostResult = { ok: true; post: PostRecord } | { ok: false; problem: Problem };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && /^\d{1,19}$/.test(v);

const tco = () => `https://t.co/${randomBytes(8).toString('base64url').slice(0, 10)}`;

/** The text as X keeps and answers it: t.co links, HTML entities, a link for attached media. */
function asXStoresIt(text: string, hasMedia: boolean): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const linked = escaped.replace(/https?:\/\/\S+/g, () => tco());
  return hasMedia ? `${linked}${linked === '' ? '' : ' '}${tco()}` : linked;
}

/** Normalised text as X compares it for duplicates. */
const duplicateKey = (text: string) => text.normalize('NFC').trim();

function validateShape(
  body: unknown,
): string[] | { text: string; mediaIds: string[]; replyTo: string | undefined } {
  if (!isObject(body)) return ['The request body must be a JSON object.'];
  const errors: string[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key))
      errors.push(
        `$.${key}: is not defined in the schema and the schema does not allow additional properties`,
      );
  }
  const { text, media, reply, poll, reply_settings: replySettings } = body;
  if (text !== undefined && typeof text !== 'string') errors.push('$.text: must be a string');
  let mediaIds: string[] = [];
  if (media !== undefined) {
    const ids = isObject(media) ? media.media_ids : undefined;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 4 || !ids.every(isId)) {
      errors.push('$.media.media_ids: must be 1 to 4 numeric media ids');
    } else mediaIds = ids;
  }
  let replyTo: string | undefined;
  if (reply !== undefined) {
    const id = isObject(reply) ? reply.in_reply_to_tweet_id : undefined;
    if (!isId(id)) errors.push('$.reply.in_reply_to_tweet_id: must be a numeric post id');
    else replyTo = id;
  }
  if (poll !== undefined) {
    const options = isObject(poll) ? poll.options : undefined;
    const minutes = isObject(poll) ? poll.duration_minutes : undefined;
    const okOptions =
      Array.isArray(options) &&
      options.length >= 2 &&
      options.length <= 4 &&
      options.every((o) => typeof o === 'string' && o.length >= 1 && o.length <= 25);
    if (!okOptions) errors.push('$.poll.options: must be 2 to 4 options of 1 to 25 characters');
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 5 || minutes > 10080) {
      errors.push('$.poll.duration_minutes: must be an integer from 5 to 10080');
    }
    if (media !== undefined) errors.push('$.poll: cannot be combined with media');
  }
  if (
    replySettings !== undefined &&
    (typeof replySettings !== 'string' || !REPLY_SETTINGS.has(replySettings))
  ) {
    errors.push('$.reply_settings: must be one of following, mentionedUsers, subscribers, verified');
  }
  const textValue = typeof text === 'string' ? text : '';
  if (textValue.trim() === '' && mediaIds.length === 0) errors.push('$.text: text or media is required');
  return errors.length > 0 ? errors : { text: textValue, mediaIds, replyTo };
}

/** `POST /2/tweets`, after authentication and rate limits. */
export function createPost(world: EmulatorWorld, grant: GrantRecord, body: unknown): PostResult {
  const shape = validateShape(body);
  if (Array.isArray(shape)) return { ok: false, problem: problems.invalidRequest(shape) };
  if (shape.text !== '') {
    const parsed = twitterText().parseTweet(shape.text);
    if (parsed.weightedLength > 280) {
      return {
        ok: false,
        problem: problems.invalidRequest([
          `$.text: the text is too long (weighted length ${parsed.weightedLength}, at most 280)`,
        ]),
      };
    }
  }
  const unusable = unusableMedia(world, grant.userId, shape.mediaIds);
  if (unusable.length > 0) {
    return {
      ok: false,
      problem: problems.invalidRequest([
        `$.media.media_ids: ${unusable.join(', ')} is not a media id this user can use`,
      ]),
    };
  }
  if (shape.replyTo !== undefined) {
    const target = world.posts.find((p) => p.id === shape.replyTo && !p.deleted);
    if (!target) {
      return {
        ok: false,
        problem: problems.forbidden(
          'You attempted to reply to a Tweet that is deleted or not visible to you.',
        ),
      };
    }
  }
  let texts = world.liveTexts.get(grant.userId);
  if (!texts) world.liveTexts.set(grant.userId, (texts = new Set()));
  const key = duplicateKey(shape.text);
  if (shape.text !== '' && texts.has(key)) return { ok: false, problem: problems.duplicate() };
  const now = world.now();
  const post: PostRecord = {
    id: world.postIds.next(now),
    userId: grant.userId,
    clientId: grant.clientId,
    text: world.settings.rewriteText ? asXStoresIt(shape.text, shape.mediaIds.length > 0) : shape.text,
    createdAt: now,
    replyTo: shape.replyTo,
    mediaIds: shape.mediaIds,
    deleted: false,
    dupKey: key,
  };
  world.posts.push(post);
  if (shape.text !== '') texts.add(key);
  const user = world.users.get(grant.userId);
  if (user) user.metrics.tweet_count += 1;
  return { ok: true, post };
}

/** `DELETE /2/tweets/:id`: only the author may delete. */
export function deletePost(world: EmulatorWorld, grant: GrantRecord, id: string): Problem | undefined {
  const post = world.posts.find((p) => p.id === id && !p.deleted);
  if (!post) return problems.notFound({ type: 'tweet', id, parameter: 'id' });
  if (post.userId !== grant.userId) return problems.forbidden('You are not allowed to delete this Tweet.');
  post.deleted = true;
  world.liveTexts.get(post.userId)?.delete(post.dupKey);
  const user = world.users.get(post.userId);
  if (user) user.metrics.tweet_count = Math.max(0, user.metrics.tweet_count - 1);
  return undefined;
}

export interface TimelinePage {
  posts: PostRecord[];
  nextToken: string | undefined;
}

/** `GET /2/users/:id/tweets`: newest first, paginated by an opaque token. */
export function listUserPosts(
  world: EmulatorWorld,
  userId: string,
  query: URLSearchParams,
): { ok: true; page: TimelinePage } | { ok: false; problem: Problem } {
  const errors: string[] = [];
  const maxRaw = query.get('max_results');
  const max = maxRaw === null ? 10 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 5 || max > 100)
    errors.push('max_results: must be an integer from 5 to 100');
  const time = (name: string): number | undefined => {
    const raw = query.get(name);
    if (raw === null) return undefined;
    const t = Date.parse(raw);
    if (Number.isNaN(t)) errors.push(`${name}: must be an ISO 8601 time`);
    return t;
  };
  const start = time('start_time');
  const end = time('end_time');
  const token = query.get('pagination_token');
  let before: bigint | undefined;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!/^\d{1,19}$/.test(decoded)) errors.push('pagination_token: is not valid');
    else before = BigInt(decoded);
  }
  if (errors.length > 0) return { ok: false, problem: problems.invalidRequest(errors) };
  const matching = world.posts
    .filter((p) => p.userId === userId && !p.deleted)
    .filter((p) => (start === undefined || p.createdAt >= start) && (end === undefined || p.createdAt <= end))
    .filter((p) => before === undefined || BigInt(p.id) < before)
    .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  const posts = matching.slice(0, max);
  const last = posts.at(-1);
  const nextToken = matching.length > max && last ? Buffer.from(last.id).toString('base64url') : undefined;
  return { ok: true, page: { posts, nextToken } };
}
