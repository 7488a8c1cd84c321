/**
 * @module Cookie mode in the web app: "post now" with the token set in a sealed HttpOnly cookie
 * and nothing stored on the server. The form's CSRF token is a hash of that cookie (only this
 * browser has it); a rotated pair is sent back as the new cookie before the post is made.
 */
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { isRotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import { postUrl } from '../../x/client.ts';
import { sameSecret } from '../../vault/connect.ts';
import type { WebDeps } from '../deps.ts';
import { page } from '../views/layout.ts';
import { quickView } from '../views/misc.ts';
import { field } from './guard.ts';
import type { PageEnv } from './page-env.ts';
import { sameOrigin } from '../session.ts';

const csrfOf = (cookie: string) => createHash('sha256').update(`csrf:${cookie}`).digest('base64url');

export function quickRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  const jar = deps.cookieVault;

  const render = (
    c: Context<PageEnv>,
    message?: { text: string; kind: 'ok' | 'error'; link?: string },
    status = 200,
    rotated?: string,
  ) => {
    const v = c.get('view');
    // After a rotation the page's next form must carry the token of the new cookie.
    const raw = rotated ?? getCookie(c, jar.name);
    const session = jar.read(raw);
    c.header('cache-control', 'no-store');
    return c.html(
      page(v, v.t('quick.title'), quickView(v, session?.username, raw ? csrfOf(raw) : '', message)),
      status as 200,
    );
  };

  app.get('/quick', (c) => render(c));

  const checked = async (c: Context<PageEnv>) => {
    const raw = getCookie(c, jar.name);
    const form = await c.req.parseBody();
    const ok = raw !== undefined && sameOrigin(c) && sameSecret(field(form, '_csrf'), csrfOf(raw));
    return { raw, form, ok };
  };

  app.post('/quick', async (c) => {
    const v = c.get('view');
    const { raw, form, ok } = await checked(c);
    const session = jar.read(raw);
    if (!ok || !session) return render(c, { text: v.t('error.csrf'), kind: 'error' }, 403);
    const text = field(form, 'text');
    const check = checkText(text);
    if (!check.ok)
      return render(c, { text: v.t('compose.notPosted', { reason: check.message }), kind: 'error' }, 400);
    try {
      const { accessToken, cookie } = await jar.getAccessToken(session);
      if (cookie) c.header('set-cookie', cookie, { append: true });
      const rotated = cookie?.slice(cookie.indexOf('=') + 1, cookie.indexOf(';'));
      const outcome = await deps.x.createPost(accessToken, { text });
      if (outcome.kind === 'created')
        return render(
          c,
          { text: v.t('compose.posted'), kind: 'ok', link: postUrl(session.username, outcome.id) },
          200,
          rotated,
        );
      const reason = 'detail' in outcome ? outcome.detail : outcome.kind;
      return render(c, { text: v.t('compose.notPosted', { reason }), kind: 'error' }, 502, rotated);
    } catch (e) {
      if (isRotorError(e, 'reauth_required')) {
        c.header('set-cookie', jar.clearCookie(), { append: true });
        return render(c, { text: v.t('compose.notPosted', { reason: e.message }), kind: 'error' }, 409);
      }
      if (isRotorError(e) && e.transient)
        return render(c, { text: v.t('compose.notPosted', { reason: e.message }), kind: 'error' }, 503);
      throw e;
    }
  });

  app.post('/quick/forget', async (c) => {
    const { ok } = await checked(c);
    if (ok) c.header('set-cookie', jar.clearCookie(), { append: true });
    return c.redirect('/quick', 303);
  });

  return app;
}
