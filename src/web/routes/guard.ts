/**
 * @module Page guards: signed-in only (else to the sign-in page), and on every POST the session's
 * CSRF token and a same-origin `Origin` (property 25). The session's actor for the handlers.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Actor } from '../actor.ts';
import { csrfValid, sameOrigin } from '../session.ts';
import { errorView } from '../views/misc.ts';
import { page } from '../views/layout.ts';
import type { PageEnv } from './page-env.ts';
import type { SessionUser } from '../../store/web-sessions.ts';

export const signedIn: MiddlewareHandler<PageEnv> = async (c, next) => {
  const session = c.get('session');
  if (!session) {
    if (c.req.method === 'GET') return c.redirect('/signin', 303);
    const v = c.get('view');
    return c.html(page(v, v.t('error.title'), errorView(v, v.t('error.csrf'))), 403);
  }
  if (c.req.method === 'POST') {
    const form = await c.req.parseBody({ all: true });
    const token = typeof form._csrf === 'string' ? form._csrf : undefined;
    if (!sameOrigin(c) || !csrfValid(session, token)) {
      const v = c.get('view');
      return c.html(page(v, v.t('error.title'), errorView(v, v.t('error.csrf'))), 403);
    }
  }
  return next();
};

export const sessionOf = (c: Context<PageEnv>): SessionUser => {
  const s = c.get('session');
  if (!s) throw new Error('signedIn must run first');
  return s;
};

export const actorOf = (c: Context<PageEnv>): Actor => ({ userId: sessionOf(c).userId, apiKey: null });

/** A form field as one string ('' when absent or a file). */
export function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  const one: unknown = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof one === 'string' ? one : '';
}

/** The files of a multipart field (empty file inputs dropped). */
export function files(form: Record<string, unknown>, name: string): File[] {
  const v = form[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((f): f is File => f instanceof File && f.size > 0);
}
