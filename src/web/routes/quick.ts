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

type Message = { text: string; kind: 'ok' | 'error'; link?: string };

const csrfOf = (cookie: string) => createHash('sha256').update(`csrf:${cookie}`).digest('base64url');

export function quickRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  const jar = deps.cookieVault;

  /** The page; `text` refills the form after a refusal (nothing the person wrote is lost). */
  const render = async (
    c: Context<PageEnv>,
    o: { message?: Message; status?: number; rotated?: string | undefined; text?: string } = {},
  ) => {
    const v = c.get('view');
    // After a rotation the page's next form must carry the token of the new cookie.
    const raw = o.rotated ?? getCookie(c, jar.name);
    const session = await jar.open(raw);
    c.header('cache-control', 'no-store');
    const view = quickView(v, session?.username, raw ? csrfOf(raw) : '', o.message, o.text ?? '');
    return c.html(page(v, v.t('quick.title'), view), (o.status ?? 200) as 200);
  };

  app.get('/quick', (c) =>
    render(
      c,
      c.req.query('forgotten') ? { message: { text: c.get('view').t('quick.forgotten'), kind: 'ok' } } : {},
    ),
  );

  const checked = async (c: Context<PageEnv>) => {
    const raw = getCookie(c, jar.name);
    const form = await c.req.parseBody();
    const ok = raw !== undefined && sameOrigin(c) && sameSecret(field(form, '_csrf'), csrfOf(raw));
    return { raw, form, ok };
  };

  app.post('/quick', async (c) => {
    const v = c.get('view');
    const { raw, form, ok } = await checked(c);
    const session = await jar.open(raw);
    if (!ok || !session)
      return render(c, {
        message: { text: v.t('error.csrf'), kind: 'error' },
        status: 403,
        text: field(form, 'text'),
      });
    const text = field(form, 'text');
    const check = checkText(text);
    if (!check.ok)
      return render(c, {
        message: { text: v.t('compose.notPosted', { reason: check.message }), kind: 'error' },
        status: 400,
        text,
      });
    try {
      const { accessToken, cookie } = await jar.getAccessToken(session);
      if (cookie) c.header('set-cookie', cookie, { append: true });
      const rotated = cookie?.slice(cookie.indexOf('=') + 1, cookie.indexOf(';'));
      const outcome = await deps.x.createPost(accessToken, { text });
      if (outcome.kind === 'created') {
        const link = postUrl(session.username, outcome.id);
        return render(c, { message: { text: v.t('compose.posted'), kind: 'ok', link }, rotated });
      }
      // Nothing is stored in cookie mode, so an unknown outcome cannot be looked up later: say so.
      const reason =
        outcome.kind === 'unknown'
          ? v.t('quick.unknown')
          : 'detail' in outcome
            ? outcome.detail
            : outcome.kind;
      const message: Message = { text: v.t('compose.notPosted', { reason }), kind: 'error' };
      return render(c, { message, status: 502, rotated, text });
    } catch (e) {
      const message: Message = {
        text: v.t('compose.notPosted', { reason: e instanceof Error ? e.message : 'error' }),
        kind: 'error',
      };
      if (isRotorError(e, 'reauth_required')) {
        c.header('set-cookie', jar.clearCookie(), { append: true });
        return render(c, { message, status: 409, text });
      }
      if (isRotorError(e) && e.transient) return render(c, { message, status: 503, text });
      throw e;
    }
  });

  // Property 39: forgetting ends the grant at X and refuses any copy of the cookie here.
  app.post('/quick/forget', async (c) => {
    const { raw, ok } = await checked(c);
    if (!ok) return c.redirect('/quick', 303);
    const session = await jar.open(raw);
    if (session) await jar.forget(session);
    c.header('set-cookie', jar.clearCookie(), { append: true });
    return c.redirect('/quick?forgotten=1', 303);
  });

  return app;
}
