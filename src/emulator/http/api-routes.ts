/**
 * @module The v2 API endpoints Rotor uses for posting: `GET /2/users/me`, `POST /2/tweets`,
 * `DELETE /2/tweets/:id` and `GET /2/users/:id/tweets`, each behind bearer authentication,
 * scope checks and rate limits, in that order.
 */
import { Hono } from 'hono';
import { checkBearer } from '../grants.ts';
import type { GrantRecord, PostRecord, UserRecord } from '../model.ts';
import { mediaJson, uploadMedia } from '../media.ts';
import { createPost, deletePost, listUserPosts } from '../posting.ts';
import { problemResponse, problems, type Problem } from '../problems.ts';
import { appendUpload, finalizeUpload, initializeUpload, uploadStatus } from '../media-chunked.ts';
import { readUploadBody } from './upload-body.ts';
import { takeRateLimit, type EndpointBucket } from '../rate-limits.ts';
import { REQUIRED_SCOPES } from '../scopes.ts';
import { readJson, withFault, type EmulatorContext, type EmulatorDeps, type EmulatorEnv } from './env.ts';

type Gate =
  { ok: true; grant: GrantRecord; headers: Record<string, string> } | { ok: false; response: Response };

function fieldList(c: EmulatorContext, name: string): Set<string> {
  return new Set((c.req.query(name) ?? '').split(',').filter((f) => f !== ''));
}

function userJson(user: UserRecord, fields: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id, name: user.name, username: user.username };
  if (fields.has('created_at')) out.created_at = user.createdAt;
  if (fields.has('description')) out.description = user.description;
  if (fields.has('protected')) out.protected = false;
  if (fields.has('verified')) out.verified = false;
  if (fields.has('profile_image_url')) {
    out.profile_image_url = `https://pbs.twimg.com/profile_images/emulator/${user.username}_normal.png`;
  }
  if (fields.has('public_metrics')) out.public_metrics = { ...user.metrics, like_count: 0 };
  return out;
}

function postJson(post: PostRecord, fields: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] };
  if (fields.has('created_at')) out.created_at = new Date(post.createdAt).toISOString();
  if (fields.has('author_id')) out.author_id = post.userId;
  return out;
}

export function apiRoutes(deps: EmulatorDeps): Hono<EmulatorEnv> {
  const { world } = deps;
  const app = new Hono<EmulatorEnv>();

  const problem = (_c: EmulatorContext, p: Problem, headers: Record<string, string> = {}) =>
    problemResponse(p, headers);

  /** Bearer token, then scopes, then rate limit: the order X checks them in. */
  const gate = (c: EmulatorContext, scopes: readonly string[], bucket: EndpointBucket): Gate => {
    const auth = checkBearer(world, c.req.header('authorization'), scopes);
    if (!auth.ok) {
      const p =
        auth.status === 401
          ? problems.unauthorized()
          : problems.forbidden(`Missing required OAuth 2.0 scopes: ${(auth.missing ?? []).join(' ')}`);
      return { ok: false, response: problem(c, p) };
    }
    const rate = takeRateLimit(world, bucket, auth.grant.userId, auth.grant.clientId);
    if (!rate.allowed) return { ok: false, response: problem(c, problems.tooManyRequests(), rate.headers) };
    return { ok: true, grant: auth.grant, headers: rate.headers };
  };

  app.get('/2/users/me', (c) =>
    withFault(c, deps, 'users_me', () => {
      const g = gate(c, REQUIRED_SCOPES.usersMe, 'users_me');
      if (!g.ok) return g.response;
      const user = world.users.get(g.grant.userId);
      if (!user) return problem(c, problems.unauthorized());
      return c.json({ data: userJson(user, fieldList(c, 'user.fields')) }, 200, g.headers);
    }),
  );

  app.post('/2/tweets', async (c) => {
    const body = await readJson(c);
    const text = body.ok ? textOf(body.value) : undefined;
    return withFault(
      c,
      deps,
      'tweets',
      () => {
        const g = gate(c, REQUIRED_SCOPES.createPost, 'post_tweets');
        if (!g.ok) return g.response;
        if (!body.ok)
          return problem(c, problems.invalidRequest(['The request body is not valid JSON.']), g.headers);
        const result = createPost(world, g.grant, body.value);
        if (!result.ok) return problem(c, result.problem, g.headers);
        return c.json({ data: postJson(result.post, new Set()) }, 201, g.headers);
      },
      { text },
    );
  });

  app.post('/2/media/upload', async (c) => {
    const body = await readUploadBody(c.req.raw);
    return withFault(c, deps, 'media', () => {
      const g = gate(c, REQUIRED_SCOPES.uploadMedia, 'media_upload');
      if (!g.ok) return g.response;
      const result = uploadMedia(world, g.grant, body?.bytes.media, body?.text.media_category);
      if (!result.ok) return problem(c, result.problem, g.headers);
      return c.json({ data: mediaJson(result.media) }, 200, g.headers);
    });
  });

  /** The chunked upload's steps share the simple upload's scope and rate-limit bucket. */
  const chunked = (
    c: EmulatorContext,
    step: (
      grant: GrantRecord,
    ) => { ok: true; value: Record<string, unknown> } | { ok: false; problem: Problem },
  ) =>
    withFault(c, deps, 'media', () => {
      const g = gate(c, REQUIRED_SCOPES.uploadMedia, 'media_upload');
      if (!g.ok) return g.response;
      const result = step(g.grant);
      if (!result.ok) return problem(c, result.problem, g.headers);
      return c.json({ data: result.value }, 200, g.headers);
    });

  app.post('/2/media/upload/initialize', async (c) => {
    const body = await readUploadBody(c.req.raw);
    return chunked(c, (grant) =>
      body
        ? initializeUpload(world, grant, body.text)
        : { ok: false, problem: problems.invalidRequest(['The request body is not valid JSON.']) },
    );
  });
  app.post('/2/media/upload/:id/append', async (c) => {
    const body = await readUploadBody(c.req.raw);
    return chunked(c, (grant) =>
      appendUpload(world, grant, c.req.param('id'), body?.bytes.media, body?.text.segment_index),
    );
  });
  app.post('/2/media/upload/:id/finalize', async (c) => {
    // X takes an empty body or `{}`; whatever else comes is not read.
    await c.req.raw.arrayBuffer().catch(() => undefined);
    return chunked(c, (grant) => finalizeUpload(world, grant, c.req.param('id')));
  });
  app.get('/2/media/upload', (c) =>
    chunked(c, (grant) => uploadStatus(world, grant, c.req.query('command'), c.req.query('media_id'))),
  );

  app.delete('/2/tweets/:id', (c) =>
    withFault(c, deps, 'delete_tweet', () => {
      const g = gate(c, REQUIRED_SCOPES.deletePost, 'delete_tweets');
      if (!g.ok) return g.response;
      const failure = deletePost(world, g.grant, c.req.param('id'));
      if (failure) return problem(c, failure, g.headers);
      return c.json({ data: { deleted: true } }, 200, g.headers);
    }),
  );

  app.get('/2/users/:id/tweets', (c) =>
    withFault(c, deps, 'user_tweets', () => {
      const g = gate(c, REQUIRED_SCOPES.userPosts, 'user_tweets');
      if (!g.ok) return g.response;
      const userId = c.req.param('id');
      if (!world.users.has(userId)) {
        return problem(c, problems.notFound({ type: 'user', id: userId, parameter: 'id' }), g.headers);
      }
      const listed = listUserPosts(world, userId, new URL(c.req.url).searchParams);
      if (!listed.ok) return problem(c, listed.problem, g.headers);
      const { posts, nextToken } = listed.page;
      const fields = fieldList(c, 'tweet.fields');
      const meta: Record<string, unknown> = { result_count: posts.length };
      if (posts.length > 0) {
        meta.newest_id = posts[0]?.id;
        meta.oldest_id = posts.at(-1)?.id;
      }
      if (nextToken) meta.next_token = nextToken;
      const body = posts.length > 0 ? { data: posts.map((p) => postJson(p, fields)), meta } : { meta };
      return c.json(body, 200, g.headers);
    }),
  );

  return app;
}

/** A create-post request's text, when it has one (for faults that match on it). */
function textOf(body: unknown): string | undefined {
  const text = typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : undefined;
}
