/**
 * @module Signing in and connecting (properties 1–8, 38): start an authorization (PKCE, and a
 * nonce in an HttpOnly cookie whose hash, with the mode and the user, is stored with the state),
 * the callback (only the browser that started it completes it, in the mode it was started in),
 * sign-out, and the language switch. Three modes: `signin` (no session yet: the X identity
 * becomes the Rotor user), `connect` (add or reconnect an account of the signed-in user), and
 * `cookie` (cookie mode: the tokens go to a sealed cookie, nothing is stored).
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { clientRefusedText } from '../../core/client-refused.ts';
import { isRotorError } from '../../core/errors.ts';
import type { AuthorizationMode } from '../../store/oauth-transactions.ts';
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
import type { RateLimiter } from '../rate-limit.ts';
import { DEFAULT_WEB_SECURITY } from '../security-config.ts';
import { errorView } from '../views/misc.ts';
import { page } from '../views/layout.ts';

export function authRoutes(deps: WebDeps, names: CookieNames, limiter: RateLimiter): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  const insecure = deps.insecureLoopback;
  const security = deps.security ?? DEFAULT_WEB_SECURITY;

  const start = async (c: Context<PageEnv>, asked: string | undefined) => {
    await limiter.hit('signinStart', limiter.address(c));
    const session = c.get('session');
    const mode: AuthorizationMode = asked === 'cookie' ? 'cookie' : session ? 'connect' : 'signin';
    // Property 38: the transaction keeps the mode, the user and the hash of a nonce that only
    // this browser's cookie holds; the callback trusts none of them from the cookie alone.
    const { url, browserNonce } = await deps.connector.begin({
      ...(mode === 'connect' && session ? { ownerId: session.userId } : {}),
      returnTo: mode === 'cookie' ? '/quick' : safeReturnTo(c.req.query('returnTo')),
      browser: mode,
    });
    putCookie(c, names.oauth, browserNonce ?? '', insecure, 600);
    c.header('cache-control', 'no-store');
    return c.redirect(url, 302);
  };
  app.get('/auth/x/start', (c) => start(c, c.req.query('mode')));
  app.get('/accounts/connect', (c) => start(c, undefined));

  app.get('/auth/x/callback', async (c) => {
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    await limiter.hit('callback', limiter.address(c));
    const nonce = getCookie(c, names.oauth) ?? '';
    const v = c.get('view');
    const again = (message: string) => c.html(page(v, v.t('error.title'), errorView(v, message)), 400);
    if (!/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
      return again('This sign-in was started in another browser or tab, or has expired; start again here.');
    }
    dropCookie(c, names.oauth, insecure);
    const session = c.get('session');
    try {
      const done = await deps.connector.completeInBrowser(c.req.url, {
        browserNonce: nonce,
        userId: session?.userId,
      });
      if (done.mode === 'cookie') {
        c.header('set-cookie', deps.cookieVault.setCookie(done.session), { append: true });
        return c.redirect('/quick', 303);
      }
      const connected = done.connected;
      // Every sign-in (and connect) gets a new session id; the one this browser had before dies.
      await startSession(c, deps.db, names, insecure, connected.ownerId, security);
      return c.redirect(connected.returnTo, 303);
    } catch (e) {
      // Property 37: X refusing the app's client id or secret is said as such, in the page's language.
      if (isRotorError(e, 'invalid_client'))
        return again(clientRefusedText(v.locale, deps.provider.clientId));
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
