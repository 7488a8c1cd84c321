/** @module Settings: language and time zone, API keys (create once-shown, revoke), token hand-outs. */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { isRotorError } from '../../core/errors.ts';
import { isPermission } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { isTimeZone } from '../format.ts';
import { currentZoneName } from '../time-zones.ts';
import { flashText, withFlash } from '../feedback.ts';
import { giveNewKey, takeNewKey } from '../handlers/new-key-flash.ts';
import { userMessage } from '../user-messages.ts';
import { createApiKey, listApiKeysFor, listHandoutsFor, revokeApiKeyFor } from '../handlers/api-keys.ts';
import { listSessionsFor, savePreferences } from '../handlers/sessions.ts';
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
      listHandoutsFor(deps, actor),
      listSessionsFor(deps, actor, idleMs),
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

  app.get('/settings', (c) => {
    const v = c.get('view');
    const newKey = takeNewKey(c, deps, names, sessionOf(c).userId);
    const flash = flashText(v.t, (n) => c.req.query(n));
    const text = flash ?? (c.req.query('done') ? v.t('flash.settings') : undefined);
    return render(c, {
      ...(newKey ? { newKey } : {}),
      ...(text ? { message: { text, kind: 'ok' as const } } : {}),
    });
  });

  app.post('/settings', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const locale = field(form, 'locale');
    const zone = field(form, 'timeZone');
    if (!isLocale(locale) || !isTimeZone(zone))
      return render(c, { message: { text: c.get('view').t('form.langZone'), kind: 'error' } }, 400);
    await savePreferences(deps, actorOf(c), { locale, timeZone: currentZoneName(zone) });
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
      return render(c, { message: { text: c.get('view').t('form.keyName'), kind: 'error' } }, 400);
    const { key } = await createApiKey(deps, actorOf(c), { name, permissions: valid });
    // Post/Redirect/Get: a reload shows the page again, it does not create a second key.
    giveNewKey(c, deps, names, sessionOf(c).userId, key);
    return c.redirect(withFlash('/settings', 'keyCreated', { name }), 303);
  });

  app.post('/settings/keys/:id/revoke', async (c) => {
    try {
      await revokeApiKeyFor(deps, actorOf(c), c.req.param('id'));
    } catch (e) {
      if (isRotorError(e, 'not_found'))
        return render(
          c,
          { message: { text: userMessage(c.get('view').t, c.get('view').locale, e.message), kind: 'error' } },
          404,
        );
      throw e;
    }
    return c.redirect(withFlash('/settings', 'keyRevoked'), 303);
  });

  return app;
}
