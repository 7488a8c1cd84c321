/**
 * @module The web app `rotor serve` runs: sign in with X, the dashboard, compose, posts,
 * schedules, CSV import, settings with API keys, cookie-mode posting, the HTTP API (`/api/v1`,
 * described at `/openapi.json`) and `/healthz`. Pages are rendered on the server in English or
 * Japanese; one small script adds the live counter. Security headers and CSP on every answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import type { WebDeps } from './deps.ts';
import { errorResponse } from './errors.ts';
import { isRotorError } from '../core/errors.ts';
import { isTimeZone } from './format.ts';
import { currentZoneName } from './time-zones.ts';
import { userMessage } from './user-messages.ts';
import { pickLocale, translator } from './i18n.ts';
import { openApiDocument } from './openapi.ts';
import { assertStorableForm } from './schemas.ts';
import { mountOpsRoutes, requestLog, requestLogging } from './ops-routes.ts';
import { apiRoutes } from './routes/api.ts';
import { authRoutes } from './routes/auth.ts';
import { composeRoutes } from './routes/compose.ts';
import type { PageEnv } from './routes/page-env.ts';
import { pageRoutes } from './routes/pages.ts';
import { planningRoutes } from './routes/planning.ts';
import { quickRoutes } from './routes/quick.ts';
import { settingsRoutes } from './routes/settings.ts';
import { cookieNames, readSession } from './session.ts';
import { RateLimiter, rateStoreFor } from './rate-limit.ts';
import { DEFAULT_WEB_SECURITY } from './security-config.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { page } from './views/layout.ts';
import { errorView, signinView } from './views/misc.ts';

export type { WebDeps } from './deps.ts';

const STATIC: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['app.css', 'text/css; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['planning.css', 'text/css; charset=utf-8'],
    ['planning.js', 'text/javascript; charset=utf-8'],
  ].map(([name, type]) => [
    name,
    { type, body: readFileSync(join(import.meta.dirname, 'static', name!), 'utf8') },
  ]),
) as Record<string, { type: string; body: string }>;

const tooLarge = (c: Context) =>
  c.json(
    { error: { code: 'invalid_input', message: 'the request body is too large (at most 4 images of 5 MB)' } },
    413,
  );

export function createWebApp(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  const names = cookieNames(deps.insecureLoopback);
  const security = deps.security ?? DEFAULT_WEB_SECURITY;
  const limiter = new RateLimiter(rateStoreFor(deps.db, deps.clock), security.rateLimits, {
    trustProxy: security.trustProxy,
  });
  app.use('*', async (c, next) => {
    c.set('publicOrigin', security.publicOrigin);
    await next();
  });

  // Bodies are limited before anything reads them (the guards parse forms): small everywhere,
  // room for 4 images of 5 MB on the two upload forms and (base64) in the API.
  const limits = {
    small: bodyLimit({ maxSize: 64 * 1024, onError: tooLarge }),
    upload: bodyLimit({ maxSize: 22 * 1024 * 1024, onError: tooLarge }),
    api: bodyLimit({ maxSize: 30 * 1024 * 1024, onError: tooLarge }),
  };
  app.use('*', (c, next) => {
    const path = c.req.path;
    const limit =
      path === '/compose' || path === '/import'
        ? limits.upload
        : path.startsWith('/api/')
          ? limits.api
          : limits.small;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- hono's middleware types differ only in the route's path type
    return limit(c, next);
  });
  // The OAuth callback's URL carries the code and state: no Referer at all from it. Registered
  // before the security headers so that it has the last word on this one.
  app.use('/auth/x/callback', async (c, next) => {
    await next();
    c.header('referrer-policy', 'no-referrer');
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      // Not `no-referrer`: with it Chromium sends `Origin: null` on same-origin form posts, which
      // the CSRF check must refuse. The OAuth callback (code and state in its URL) sets no-referrer.
      referrerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );

  if (deps.ops) {
    app.use('*', requestLogging(deps.ops.logger));
    mountOpsRoutes(app, {
      db: deps.db,
      keyRing: deps.keyRing,
      metrics: deps.ops.metrics,
      metricsToken: security.metricsToken,
      metricsOpen: security.metricsOpenWithoutToken,
    });
  }
  app.get('/healthz', (c) => {
    c.header('x-rotor', deps.version);
    return c.text('ok');
  });
  app.get('/static/:name', (c) => {
    const file = STATIC[c.req.param('name')];
    if (!file) return c.notFound();
    c.header('cache-control', 'public, max-age=300');
    return c.body(file.body, 200, { 'content-type': file.type });
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.version)));
  app.route('/api/v1', apiRoutes(deps, names, limiter));

  // Pages: the session, the language (choice, profile, Accept-Language) and the zone.
  app.use('*', async (c, next) => {
    const request = c as Context; // the middleware's input type is open; only cookies are read
    const session = await readSession(request, deps.db, names, security.sessionIdleMs);
    const locale = pickLocale(
      getCookie(request, names.lang) ?? session?.locale,
      c.req.header('accept-language'),
    );
    // The zone saved in Settings, else the browser's (from the page script), else UTC.
    const browserZone = getCookie(request, names.zone);
    const zoneSaved = Boolean(session?.timeZone && isTimeZone(session.timeZone));
    const zone = currentZoneName(
      session?.timeZone && zoneSaved
        ? session.timeZone
        : browserZone && isTimeZone(browserZone)
          ? browserZone
          : 'UTC',
    );
    c.set('session', session);
    c.set('view', {
      t: translator(locale),
      locale,
      timeZone: zone,
      zoneSaved,
      demo: deps.demo,
      path: c.req.path,
      ...(session ? { user: { username: session.username, csrf: session.csrf } } : {}),
      // The sign-in account needs reconnecting: the session lives on, and every page says so.
      ...(session?.signinNeedsReconnect ? { signinNeedsReconnect: true } : {}),
    });
    c.header('vary', 'Accept-Language, Cookie');
    await next();
    // A page behind sign-in is never kept by a browser or proxy cache (shared computers, back button).
    if (session) c.header('cache-control', 'no-store');
  });

  // A form field (or CSV file) PostgreSQL's text cannot hold is refused here, naming the field.
  app.use('*', async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (c.req.method === 'POST' && /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type))
      await assertStorableForm(await c.req.parseBody({ all: true }));
    await next();
  });

  app.get('/signin', (c) => {
    if (c.get('session')) return c.redirect('/', 303);
    const v = c.get('view');
    return c.html(page(v, v.t('signin.title'), signinView(v)));
  });
  app.route('/', authRoutes(deps, names, limiter));
  app.route('/', sessionRoutes(deps, names));
  app.route('/', quickRoutes(deps));
  app.route('/', composeRoutes(deps));
  app.route('/', settingsRoutes(deps, names));
  app.route('/', planningRoutes(deps));
  app.route('/', pageRoutes(deps));

  app.notFound((c) => {
    const v = c.get('view');
    if (!v) return c.text('Not found', 404);
    return c.html(page(v, v.t('error.title'), errorView(v, v.t('error.notFound'))), 404);
  });
  app.onError((e, c) => {
    const v = c.get('view');
    // A refusal a person can act on (not found, not allowed, conflict…): its status and message.
    const known = errorResponse(e);
    if (known.retryAfter !== undefined) c.header('retry-after', String(known.retryAfter));
    if (isRotorError(e, 'rate_limited') && v) {
      const text = v.t('error.rateLimited', { seconds: known.retryAfter ?? 60 });
      return c.html(page(v, v.t('error.title'), errorView(v, text)), 429);
    }
    if (known.status < 500 && v) {
      const said = userMessage(v.t, v.locale, known.body.error.message);
      return c.html(page(v, v.t('error.title'), errorView(v, said)), known.status as 400);
    }
    if (deps.ops) requestLog(c as unknown as Context, deps.ops.logger).error({ err: e }, 'request failed');
    else
      console.error(
        `rotor serve: ${c.req.method} ${c.req.path} failed: ${e instanceof Error ? e.name : 'error'}`,
      );
    if (!v) return c.text('Rotor could not complete the request', 500);
    const message = v.t('error.internal');
    return c.html(page(v, v.t('error.title'), errorView(v, message)), 500);
  });
  return app;
}
