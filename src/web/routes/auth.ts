/**
 * @module Signing in and connecting (properties 1–8): start an authorization (PKCE, state bound
 * to this browser by an HttpOnly cookie), the callback (only a state from this browser completes
 * it), sign-out, and the language switch. Three modes: `signin` (no session yet: the X identity
 * becomes the Rotor user), `connect` (add or reconnect an account of the signed-in user), and
 * `cookie` (cookie mode: the tokens go to a sealed cookie, nothing is stored).
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { isRotorError } from '../../core/errors.ts';
import { safeReturnTo } from '../../vault/connect.ts';
import type { WebDeps } from '../deps.ts';
import { isLocale } from '../i18n.ts';
import {
  csrfValid,
  dropCookie,
  endSession,
  putCookie,
  sameOrigin,
  startSession,
  type CookieNames,
} from '../session.ts';
import type { PageEnv } from './page-env.ts';
import { completeWithFeedback } from '../handlers/connect-feedback.ts';
import { connectRefusedTitle, connectRefusedView } from '../views/connect-result.ts';
import { page } from '../views/layout.ts';

type Mode = 'signin' | 'connect' | 'cookie';

export function authRoutes(deps: WebDeps, names: CookieNames): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  const insecure = deps.insecureLoopback;

  const start = async (c: Context<PageEnv>, asked: string | undefined) => {
    const session = c.get('session');
    const mode: Mode = asked === 'cookie' ? 'cookie' : session ? 'connect' : 'signin';
    const { url, state } = await deps.connector.begin({
      ...(mode === 'connect' && session ? { ownerId: session.userId } : {}),
      returnTo: mode === 'cookie' ? '/quick' : safeReturnTo(c.req.query('returnTo')),
    });
    // The state, bound to this browser; a "connect" is also bound to the user who started it.
    const bound = mode === 'connect' && session ? `${mode}.${session.userId}.${state}` : `${mode}.${state}`;
    putCookie(c, names.oauth, bound, insecure, 600);
    c.header('cache-control', 'no-store');
    return c.redirect(url, 302);
  };
  app.get('/auth/x/start', (c) => start(c, c.req.query('mode')));
  app.get('/accounts/connect', (c) => start(c, undefined));

  app.get('/auth/x/callback', async (c) => {
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    const parts = (getCookie(c, names.oauth) ?? '').split('.');
    const mode = parts[0] ?? '';
    const state = parts[parts.length - 1] ?? '';
    const startedBy = mode === 'connect' ? parts[1] : undefined;
    const v = c.get('view');
    const again = (message: string) =>
      c.html(page(v, connectRefusedTitle(v, message), connectRefusedView(v, message)), 400);
    if (
      !['signin', 'connect', 'cookie'].includes(mode) ||
      state === '' ||
      parts.length !== (mode === 'connect' ? 3 : 2)
    ) {
      return again('This sign-in was started in another browser or tab, or has expired; start again here.');
    }
    // A connection started by someone who has signed out since (or by another user) is not finished.
    if (mode === 'connect' && c.get('session')?.userId !== startedBy) {
      dropCookie(c, names.oauth, insecure);
      return again('You signed out after starting to connect an account; sign in and start again.');
    }
    dropCookie(c, names.oauth, insecure);
    try {
      if (mode === 'cookie') {
        const session = await deps.connector.completeSession(c.req.url, { expectedState: state });
        c.header('set-cookie', deps.cookieVault.setCookie(session), { append: true });
        return c.redirect('/quick', 303);
      }
      const { connected, redirect } = await completeWithFeedback(deps, c.get('session')?.userId, () =>
        deps.connector.complete(c.req.url, { expectedState: state }),
      );
      const session = c.get('session');
      if (!session || session.userId !== connected.ownerId) {
        await startSession(c, deps.db, names, insecure, connected.ownerId);
      }
      return c.redirect(redirect, 303);
    } catch (e) {
      if (!isRotorError(e, 'authorization_failed')) throw e;
      return again(e.message);
    }
  });

  app.post('/auth/signout', async (c) => {
    const session = c.get('session');
    const form = await c.req.parseBody();
    if (
      session &&
      sameOrigin(c) &&
      csrfValid(session, typeof form._csrf === 'string' ? form._csrf : undefined)
    ) {
      await endSession(c, deps.db, names, insecure);
    }
    dropCookie(c, names.oauth, insecure); // a connection started before signing out cannot finish
    return c.redirect('/signin', 303);
  });

  app.get('/lang/:locale', (c) => {
    const locale = c.req.param('locale');
    if (isLocale(locale)) {
      // Only the cookie: a GET changes nothing stored (Settings saves the language with the profile).
      putCookie(c, names.lang, locale, insecure, 365 * 86_400);
    }
    return c.redirect(safeReturnTo(c.req.query('back')), 303);
  });

  return app;
}
