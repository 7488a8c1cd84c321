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
import { setPreferences } from '../../store/web-sessions.ts';
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
import { errorView } from '../views/misc.ts';
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
    putCookie(c, names.oauth, `${mode}.${state}`, insecure, 600);
    c.header('cache-control', 'no-store');
    return c.redirect(url, 302);
  };
  app.get('/auth/x/start', (c) => start(c, c.req.query('mode')));
  app.get('/accounts/connect', (c) => start(c, undefined));

  app.get('/auth/x/callback', async (c) => {
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    const bound = getCookie(c, names.oauth) ?? '';
    const dot = bound.indexOf('.');
    const mode = bound.slice(0, dot);
    const state = bound.slice(dot + 1);
    const v = c.get('view');
    if (dot < 0 || !['signin', 'connect', 'cookie'].includes(mode) || state === '') {
      return c.html(
        page(
          v,
          v.t('error.title'),
          errorView(
            v,
            'This sign-in was started in another browser or tab, or has expired; start again here.',
          ),
        ),
        400,
      );
    }
    dropCookie(c, names.oauth, insecure);
    try {
      if (mode === 'cookie') {
        const session = await deps.connector.completeSession(c.req.url, { expectedState: state });
        c.header('set-cookie', deps.cookieVault.setCookie(session), { append: true });
        return c.redirect('/quick', 303);
      }
      const connected = await deps.connector.complete(c.req.url, { expectedState: state });
      const session = c.get('session');
      if (!session || session.userId !== connected.ownerId) {
        await startSession(c, deps.db, names, insecure, connected.ownerId);
      }
      return c.redirect(connected.returnTo, 303);
    } catch (e) {
      if (!isRotorError(e, 'authorization_failed')) throw e;
      return c.html(page(v, v.t('error.title'), errorView(v, e.message)), 400);
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
    return c.redirect('/signin', 303);
  });

  app.get('/lang/:locale', async (c) => {
    const locale = c.req.param('locale');
    if (isLocale(locale)) {
      putCookie(c, names.lang, locale, insecure, 365 * 86_400);
      const session = c.get('session');
      if (session) await setPreferences(deps.db, session.userId, { locale });
    }
    return c.redirect(safeReturnTo(c.req.query('back')), 303);
  });

  return app;
}
