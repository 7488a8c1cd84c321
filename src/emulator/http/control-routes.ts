/**
 * @module `/_emulator/*`: what tests and the chaos harness use to drive the emulator — the
 * clock, its state, faults, and acting as a user on X (revoking an app, a grant's life ending
 * early). Refused unless the emulator listens on a loopback address.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { isLoopbackHost } from '../../core/loopback.ts';
import { faultSpecSchema } from '../faults.ts';
import { endUserGrants, grantStatus } from '../grants.ts';
import { readJson, type EmulatorContext, type EmulatorDeps, type EmulatorEnv } from './env.ts';

const clockSchema = z.object({ advanceSeconds: z.number().finite().min(0) }).strict();
const grantActionSchema = z
  .object({ username: z.string().min(1), clientId: z.string().min(1).optional() })
  .strict();
const metricsSchema = z
  .object({
    followers: z.number().int().nonnegative().optional(),
    following: z.number().int().nonnegative().optional(),
    listed: z.number().int().nonnegative().optional(),
  })
  .strict();

async function parseBody<T>(
  c: EmulatorContext,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const raw = await readJson(c);
  const parsed = raw.ok ? schema.safeParse(raw.value) : undefined;
  if (!parsed?.success) {
    const detail = parsed
      ? parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      : ['body is not JSON'];
    return { ok: false, response: c.json({ error: 'invalid_body', details: detail }, 400) };
  }
  return { ok: true, value: parsed.data };
}

export function controlRoutes(deps: EmulatorDeps): Hono<EmulatorEnv> {
  const { world, faults } = deps;
  const app = new Hono<EmulatorEnv>();

  app.use('*', async (c, next) => {
    if (!isLoopbackHost(world.settings.host)) {
      return c.json(
        { error: 'control endpoints are served only when the emulator listens on a loopback address' },
        403,
      );
    }
    await next();
    return undefined;
  });

  app.get('/state', (c) => {
    const users = [...world.users.values()];
    const nameOf = (id: string) => world.users.get(id)?.username;
    return c.json({
      now: new Date(world.now()).toISOString(),
      tokenRequests: world.counters.tokenRequests,
      reuseDetected: world.counters.reuseDetected,
      familiesRevoked: world.counters.familiesRevoked,
      codeReuseDetected: world.counters.codeReuseDetected,
      mostSendsOfOneRefreshToken: world.counters.mostSendsOfOneRefreshToken,
      posts: world.posts.map((p) => ({
        id: p.id,
        userId: p.userId,
        username: nameOf(p.userId),
        clientId: p.clientId,
        text: p.text,
        mediaIds: p.mediaIds,
        replyTo: p.replyTo ?? null,
        createdAt: new Date(p.createdAt).toISOString(),
        deleted: p.deleted,
      })),
      grants: [...world.grants.values()].map((g) => ({
        id: g.id,
        clientId: g.clientId,
        userId: g.userId,
        username: nameOf(g.userId),
        scopes: g.scopes,
        consentedAt: new Date(g.consentedAt).toISOString(),
        status: grantStatus(world, g),
        endReason: g.ended?.reason ?? null,
        refreshCount: g.refreshCount,
      })),
      users: users.map((u) => ({ id: u.id, username: u.username, name: u.name, public_metrics: u.metrics })),
      faults: faults.list(),
    });
  });

  app.post('/clock', async (c) => {
    const body = await parseBody(c, clockSchema);
    if (!body.ok) return body.response;
    world.clock.advance(body.value.advanceSeconds);
    return c.json({ now: new Date(world.now()).toISOString() });
  });

  app.post('/reset', (c) => {
    world.reset();
    faults.clear();
    return c.json({ reset: true });
  });

  app.get('/faults', (c) => c.json({ faults: faults.list() }));
  app.post('/faults', async (c) => {
    const body = await parseBody(c, faultSpecSchema);
    if (!body.ok) return body.response;
    return c.json(faults.add(body.value), 201);
  });
  app.delete('/faults', (c) => {
    faults.clear();
    return c.json({ cleared: true });
  });
  app.delete('/faults/:id', (c) =>
    faults.remove(c.req.param('id')) ? c.json({ removed: true }) : c.json({ error: 'no such fault' }, 404),
  );

  for (const how of ['revoke', 'expire'] as const) {
    app.post(`/grants/${how}`, async (c) => {
      const body = await parseBody(c, grantActionSchema);
      if (!body.ok) return body.response;
      const user = world.userByName(body.value.username);
      if (!user) return c.json({ error: `no user named "${body.value.username}"` }, 404);
      return c.json({
        [how === 'revoke' ? 'revoked' : 'expired']: endUserGrants(world, user.id, body.value.clientId, how),
      });
    });
  }

  app.patch('/users/:username', async (c) => {
    const body = await parseBody(c, metricsSchema);
    if (!body.ok) return body.response;
    const user = world.userByName(c.req.param('username'));
    if (!user) return c.json({ error: 'no such user' }, 404);
    const { followers, following, listed } = body.value;
    if (followers !== undefined) user.metrics.followers_count = followers;
    if (following !== undefined) user.metrics.following_count = following;
    if (listed !== undefined) user.metrics.listed_count = listed;
    return c.json({ public_metrics: user.metrics });
  });

  return app;
}
