/**
 * @module "Sign out everywhere": ends every session of the signed-in user, this browser's too.
 * (The list itself is part of the Settings page.)
 */
import { Hono } from 'hono';
import type { WebDeps } from '../deps.ts';
import { endAllSessions } from '../handlers/sessions.ts';
import { dropCookie, type CookieNames } from '../session.ts';
import { actorOf, signedIn } from './guard.ts';
import type { PageEnv } from './page-env.ts';

export function sessionRoutes(deps: WebDeps, names: CookieNames): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  app.use('/settings/sessions/*', signedIn);
  app.post('/settings/sessions/end-all', async (c) => {
    await endAllSessions(deps, actorOf(c));
    dropCookie(c, names.session, deps.insecureLoopback);
    return c.redirect('/signin', 303);
  });
  return app;
}
