/** @module Settings: language and time zone, API keys (create once-shown, revoke), token hand-outs. */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isRotorError } from '../../core/errors.ts';
import { listHandouts } from '../../store/api-keys.ts';
import { listSessions, setPreferences } from '../../store/web-sessions.ts';
import { isPermission } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { isTimeZone } from '../format.ts';
import { createApiKey, listApiKeysFor, revokeApiKeyFor } from '../handlers/api-keys.ts';
import { isLocale } from '../i18n.ts';
import { currentSessionHash, putCookie, type CookieNames } from '../session.ts';
import { DEFAULT_WEB_SECURITY } from '../security-config.ts';
import { sessionsView } from '../views/sessions.ts';
import { page } from '../views/layout.ts';
import { settingsView } from '../views/misc.ts';
import { actorOf, field, sessionOf, signedIn } from './guard.ts';
import type { PageEnv } from './page-env.ts';

export function settingsRoutes(deps: WebDeps, names: CookieNames): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  app.use('/settings', signedIn);
  app.use('/settings/*', signedIn);

  const render = async (
    c: Context<PageEnv>,
    extra: { newKey?: string; message?: { text: string; kind: 'ok' | 'error' } } = {},
    status = 200,
  ) => {
    const v = c.get('view');
    const actor = actorOf(c);
    const idleMs = (deps.security ?? DEFAULT_WEB_SECURITY).sessionIdleMs;
    const [keys, handouts, sessions] = await Promise.all([
      listApiKeysFor(deps, actor),
      listHandouts(deps.db, actor.userId),
      listSessions(deps.db, actor.userId, idleMs),
    ]);
    const current = currentSessionHash(c, names);
    const idleDays = Math.round((idleMs / 86_400_000) * 10) / 10;
    c.header('cache-control', 'no-store');
    return c.html(
      page(
        v,
        v.t('settings.title'),
        html`${settingsView(v, { keys, handouts, ...extra, savedZone: sessionOf(c).timeZone !== null })}
        ${sessionsView(v, { sessions, current, idleDays })}`,
      ),
      status as 200,
    );
  };

  app.get('/settings', (c) =>
    render(c, c.req.query('done') ? { message: { text: c.get('view').t('sched.saved'), kind: 'ok' } } : {}),
  );

  app.post('/settings', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const locale = field(form, 'locale');
    const zone = field(form, 'timeZone');
    if (!isLocale(locale) || !isTimeZone(zone))
      return render(
        c,
        { message: { text: 'Choose a language and a time zone from the lists.', kind: 'error' } },
        400,
      );
    await setPreferences(deps.db, sessionOf(c).userId, { locale, timeZone: zone });
    putCookie(c, names.lang, locale, deps.insecureLoopback, 365 * 86_400);
    return c.redirect('/settings?done=1', 303);
  });

  app.post('/settings/keys', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const raw = form.permissions;
    const permissions = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (p): p is string => typeof p === 'string',
    );
    const name = field(form, 'name').trim();
    const valid = permissions.filter(isPermission);
    if (name === '' || name.length > 80 || valid.length === 0 || valid.length !== permissions.length)
      return render(
        c,
        { message: { text: 'Give the key a name and at least one permission.', kind: 'error' } },
        400,
      );
    const { key } = await createApiKey(deps, actorOf(c), { name, permissions: valid });
    return render(c, { newKey: key });
  });

  app.post('/settings/keys/:id/revoke', async (c) => {
    try {
      await revokeApiKeyFor(deps, actorOf(c), c.req.param('id'));
    } catch (e) {
      if (isRotorError(e, 'not_found'))
        return render(c, { message: { text: e.message, kind: 'error' } }, 404);
      throw e;
    }
    return c.redirect('/settings?done=1', 303);
  });

  return app;
}
