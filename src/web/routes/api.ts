/**
 * @module The HTTP API (`/api/v1`, JSON). Authenticated by an API key (`Authorization: Bearer
 * rotor_…`, each key with its permissions) or by the browser session (then every state-changing
 * call needs the `x-csrf-token` header). The handlers are the pages' own.
 */
import { Hono, type Context } from 'hono';
import { RotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import type { Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { errorResponse } from '../errors.ts';
import { issueToken, listAccountHealth } from '../handlers/accounts.ts';
import { actorForApiKey } from '../handlers/api-keys.ts';
import { cancelPostFor, createPost, currentPostFor, getPostFor, listPostsFor } from '../handlers/posts.ts';
import { createSchedule, listSchedulesFor, setScheduleState } from '../handlers/schedules.ts';
import { accountJson, postJson, scheduleJson } from '../present.ts';
import {
  CreatePostInput,
  CreateScheduleInput,
  EditPostInput,
  ListPostsQuery,
  TextCheckInput,
} from '../schemas.ts';
import { editPostFor } from '../handlers/post-edit.ts';
import { csrfValid, readSession, sameOrigin, type CookieNames } from '../session.ts';
import type { RateLimiter } from '../rate-limit.ts';
import { DEFAULT_WEB_SECURITY } from '../security-config.ts';

type ApiEnv = { Variables: { actor: Actor } };

/** Whether a Content-Type is the media type `application/json` (parameters such as charset allowed). */
export const isJsonMediaType = (contentType: string | undefined): boolean =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';

async function jsonBody(c: Context): Promise<unknown> {
  if (!isJsonMediaType(c.req.header('content-type')))
    throw new RotorError('invalid_input', 'send the body as JSON (Content-Type: application/json)');
  try {
    return await c.req.json();
  } catch {
    throw new RotorError('invalid_input', 'the body is not valid JSON');
  }
}

export function apiRoutes(deps: WebDeps, names: CookieNames, limiter: RateLimiter): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  const idleMs = (deps.security ?? DEFAULT_WEB_SECURITY).sessionIdleMs;

  api.onError((e, c) => {
    const { status, body, retryAfter } = errorResponse(e);
    if (retryAfter !== undefined) c.header('retry-after', String(retryAfter));
    c.header('cache-control', 'no-store');
    return c.json(body, status as 400);
  });

  api.use('*', async (c, next) => {
    c.header('cache-control', 'no-store');
    const auth = c.req.header('authorization');
    if (auth !== undefined) {
      // Guessing keys: an address with too many failed keys is refused before its next try.
      const address = limiter.address(c as Context);
      await limiter.check('apiKeyFailure', address);
      const m = /^Bearer\s+(rotor_[A-Za-z0-9_-]{20,100})$/.exec(auth);
      const actor = m?.[1] ? await actorForApiKey(deps, m[1]) : undefined;
      if (!actor) {
        await limiter.hit('apiKeyFailure', address);
        throw new RotorError('unauthenticated', 'unknown or revoked API key');
      }
      c.set('actor', actor);
      return next();
    }
    const request = c as Context; // the middleware's input type is open; only cookies are read
    const session = await readSession(request, deps.db, names, idleMs);
    if (!session)
      throw new RotorError(
        'unauthenticated',
        'sign in, or send an API key as "Authorization: Bearer rotor_…"',
      );
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (!sameOrigin(request) || !csrfValid(session, c.req.header('x-csrf-token')))
        throw new RotorError('forbidden', 'missing or wrong CSRF token (header x-csrf-token)');
    }
    c.set('actor', { userId: session.userId, apiKey: null });
    return next();
  });

  api.get('/accounts', async (c) => {
    const accounts = await listAccountHealth(deps, c.get('actor'));
    return c.json({ accounts: accounts.map(accountJson) });
  });

  api.post('/accounts/:id/token', async (c) => {
    const actor = c.get('actor');
    await limiter.hit('tokenPerAddress', limiter.address(c as Context));
    await limiter.hit('tokenPerKey', actor.apiKey ? `key:${actor.apiKey.id}` : `user:${actor.userId}`);
    const t = await issueToken(deps, c.get('actor'), c.req.param('id'));
    return c.json({
      accountId: t.accountId,
      username: t.username,
      accessToken: t.accessToken,
      tokenType: 'bearer',
      expiresAt: new Date(t.expiresAt).toISOString(),
      scope: t.scope,
    });
  });

  api.get('/posts', async (c) => {
    const q = ListPostsQuery.parse(c.req.query());
    const posts = await listPostsFor(deps, c.get('actor'), {
      ...(q.status ? { status: q.status } : {}),
      ...(q.accountId ? { accountId: q.accountId } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return c.json({ posts: posts.map(postJson) });
  });

  api.post('/posts', async (c) => {
    const input = CreatePostInput.parse(await jsonBody(c));
    const { post, result } = await createPost(deps, c.get('actor'), input);
    // Its state after publishing ("now").
    const fresh = await currentPostFor(deps, c.get('actor'), post);
    return c.json({ post: postJson(fresh), ...(result ? { result } : {}) }, 201);
  });

  api.get('/posts/:id', async (c) =>
    c.json({ post: postJson(await getPostFor(deps, c.get('actor'), c.req.param('id'))) }),
  );

  api.patch('/posts/:id', async (c) => {
    const input = EditPostInput.parse(await jsonBody(c));
    return c.json({ post: postJson(await editPostFor(deps, c.get('actor'), c.req.param('id'), input)) });
  });

  api.delete('/posts/:id', async (c) =>
    c.json({ post: postJson(await cancelPostFor(deps, c.get('actor'), c.req.param('id'))) }),
  );

  api.get('/schedules', async (c) => {
    const schedules = await listSchedulesFor(deps, c.get('actor'));
    return c.json({ schedules: schedules.map(scheduleJson) });
  });

  api.post('/schedules', async (c) => {
    const input = CreateScheduleInput.parse(await jsonBody(c));
    return c.json({ schedule: scheduleJson(await createSchedule(deps, c.get('actor'), input)) }, 201);
  });

  for (const action of ['pause', 'resume'] as const) {
    api.post(`/schedules/:id/${action}`, async (c) => {
      const s = await setScheduleState(deps, c.get('actor'), c.req.param('id'), action);
      return c.json({ schedule: s ? scheduleJson(s) : null });
    });
  }

  api.delete('/schedules/:id', async (c) => {
    await setScheduleState(deps, c.get('actor'), c.req.param('id'), 'delete');
    return c.body(null, 204);
  });

  api.post('/text/check', async (c) => {
    const { text } = TextCheckInput.parse(await jsonBody(c));
    const check = checkText(text);
    return c.json({
      ok: check.ok,
      weightedLength: check.weightedLength,
      ...(check.ok ? {} : { message: check.message }),
    });
  });

  api.all('*', (c) =>
    c.json({ error: { code: 'not_found', message: `no API route ${c.req.method} ${c.req.path}` } }, 404),
  );
  return api;
}
