/**
 * @module The server `rotor serve` runs: for now the connect flow (sign in with X and come back),
 * a status page of accounts and posts, and `/healthz`. The full web app (compose, schedules,
 * languages, sessions, API) grows here.
 */
import { Hono } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { secureHeaders } from 'hono/secure-headers';
import { isRotorError, REAUTH_EXPLANATIONS } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import { listAccounts } from '../store/accounts.ts';
import { listPosts } from '../store/posts.ts';
import type { Connector } from '../vault/connect.ts';

export interface WebOptions {
  db: Db;
  connector: Connector;
  /** Demo mode: say so on every page. */
  demo: boolean;
  /** Plain http on loopback: cookies without `Secure` and the `__Host-` prefix. */
  insecureLoopback: boolean;
  version: string;
}

const page = (title: string, demo: boolean, body: ReturnType<typeof html>) =>
  html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Rotor</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 48rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #111;
          }
          .demo {
            background: #fff4d6;
            border: 1px solid #e0c36a;
            padding: 0.5rem 0.75rem;
            border-radius: 6px;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          td,
          th {
            text-align: left;
            padding: 0.35rem 0.5rem;
            border-bottom: 1px solid #ddd;
          }
          .bad {
            color: #a00;
          }
          a.button {
            display: inline-block;
            padding: 0.4rem 1rem;
            border: 1px solid #111;
            border-radius: 999px;
            text-decoration: none;
            color: #111;
          }
        </style>
      </head>
      <body>
        ${demo ? html`<p class="demo">Demo mode: Rotor is talking to its built-in X emulator, not to X.</p>` : ''}
        ${body}
      </body>
    </html>`;

export function createWebApp(o: WebOptions): Hono {
  const app = new Hono();
  const stateCookie = o.insecureLoopback ? 'rotor-oauth-state' : '__Host-rotor-oauth-state';
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        styleSrc: ["'unsafe-inline'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  );

  app.get('/healthz', (c) => {
    c.header('x-rotor', o.version);
    return c.text('ok');
  });

  app.get('/', async (c) => {
    const accounts = await listAccounts(o.db);
    const posts = await listPosts(o.db, { limit: 20 });
    return c.html(
      page(
        'Accounts',
        o.demo,
        html`<h1>Rotor</h1>
          <p><a class="button" href="/accounts/connect">Connect an X account</a></p>
          <h2>Accounts</h2>
          ${
            accounts.length === 0
              ? html`<p>No account connected yet.</p>`
              : html`<table>
                  <tr>
                    <th>Account</th>
                    <th>Health</th>
                  </tr>
                  ${accounts.map(
                    (a) =>
                      html`<tr>
                        <td>@${a.username}</td>
                        <td>
                          ${
                            a.status === 'active'
                              ? 'active'
                              : html`<span class="bad"
                                    >needs reconnecting: ${REAUTH_EXPLANATIONS[a.reason ?? 'unknown']}</span
                                  >
                                  <a href="/accounts/connect">Reconnect</a>`
                          }
                        </td>
                      </tr>`,
                  )}
                </table>`
          }
          <h2>Recent posts</h2>
          ${
            posts.length === 0
              ? html`<p>No posts yet. Post with <code>rotor post USERNAME "text"</code>.</p>`
              : html`<table>
                  <tr>
                    <th>Due</th>
                    <th>Account</th>
                    <th>Status</th>
                    <th>Text</th>
                  </tr>
                  ${posts.map(
                    (p) =>
                      html`<tr>
                        <td>${p.dueAt ? new Date(p.dueAt).toISOString() : ''}</td>
                        <td>@${p.username}</td>
                        <td>
                          ${p.xUrl ? html`<a href="${p.xUrl}">${p.status}</a>` : p.status}${p.reason ? html` — ${p.reason}` : ''}
                        </td>
                        <td>${p.text}</td>
                      </tr>`,
                  )}
                </table>`
          }`,
      ),
    );
  });

  // Sign in with X: the state is bound to this browser by an HttpOnly cookie (property 1).
  app.get('/accounts/connect', async (c) => {
    const { url, state } = await o.connector.begin({ returnTo: '/' });
    setCookie(c, stateCookie, state, {
      httpOnly: true,
      secure: !o.insecureLoopback,
      sameSite: 'Lax',
      path: '/',
      maxAge: 600,
    });
    c.header('cache-control', 'no-store');
    return c.redirect(url, 302);
  });

  // The callback answers no-store, no-referrer, and redirects to a URL without code or state (property 7).
  app.get('/auth/x/callback', async (c) => {
    c.header('cache-control', 'no-store');
    const expected = getCookie(c, stateCookie);
    deleteCookie(c, stateCookie, { path: '/', secure: !o.insecureLoopback });
    try {
      const done = await o.connector.complete(c.req.url, { expectedState: expected ?? '' });
      return c.redirect(done.returnTo, 303);
    } catch (e) {
      const message = isRotorError(e) ? e.message : 'The connection failed.';
      return c.html(
        page(
          'Not connected',
          o.demo,
          html`<h1>Not connected</h1>
            <p class="bad">${message}</p>
            <p><a href="/">Back</a></p>`,
        ),
        400,
      );
    }
  });

  return app;
}
