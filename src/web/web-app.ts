/**
 * @module The web app as a library user holds it: one fetch handler. The app itself (`app.ts`)
 * is a Hono app whose route types are Rotor's own business; this is the face `src/index.ts`
 * exports.
 */
import { createWebApp as createHonoApp } from './app.ts';
import type { WebDeps } from './deps.ts';

/** A fetch handler: Node (`@hono/node-server`'s `serve({ fetch: app.fetch })`), Bun, Deno. */
export interface WebApp {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Rotor's web app (sign in with X, dashboard, compose, schedules, the HTTP API at `/api/v1`)
 * from its parts; nothing global. Posting needs workers running somewhere
 * (`new Engine(...).start({ work: true })`, or `rotor worker`).
 *
 * @example
 * const app = createWebApp({ db, vault, connector, service, provider, keyRing, x, cookieVault,
 *   clock: systemClock, demo: false, insecureLoopback: false, version: '1.0.0' });
 * serve({ fetch: app.fetch, port: 3000 });
 */
export function createWebApp(deps: WebDeps): WebApp {
  return createHonoApp(deps);
}
