/**
 * @module `rotor serve` (what `npm start` runs): the web server (for now: connect an account,
 * see accounts and posts, `/healthz`), the posting workers, and — with no X credentials — the
 * built-in X emulator ("demo mode"). Port from `PORT` (3000), bound to `ROTOR_HOST` (127.0.0.1).
 */
import { createAdaptorServer } from '@hono/node-server';
import { Command } from 'commander';
import type { Server } from 'node:http';
import { isLoopbackHost } from '../core/loopback.ts';
import { startEmulator, type RunningEmulator } from '../emulator/server.ts';
import { DEMO_CLIENT } from '../emulator/settings.ts';
import { createWebApp } from '../web/app.ts';
import { loadWebSecurity } from '../web/security-config.ts';
import { CookieVault } from '../vault/cookie.ts';
import { systemClock } from '../core/clock.ts';
import { closeOnSignal } from './emulator-command.ts';
import { openPostingRuntime } from './posting.ts';
import { fail } from './runtime.ts';

const VERSION = '0.1.0';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('serve', `${name} must be a port number, got "${raw}"`);
  return port;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run Rotor: web server, posting workers (and the X emulator in demo mode)')
    .option('--no-worker', 'serve the web app and API only; run `rotor worker` processes separately')
    .action(async (opts: { worker: boolean }) => {
      const port = portFrom('PORT', 3000);
      const host = process.env.ROTOR_HOST ?? '127.0.0.1';
      const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      const env: Record<string, string | undefined> = { ...process.env };
      env.X_REDIRECT_URI ??= `${origin}/auth/x/callback`;
      const demo = env.X_CLIENT_ID === undefined || env.X_CLIENT_ID === '';
      let emulator: RunningEmulator | undefined;
      if (demo && !env.X_EMULATOR_URL) {
        // Demo mode: X is the built-in emulator, with a client registered for this server's callback.
        const extra = env.X_REDIRECT_URI === DEMO_CLIENT.redirectUris[0] ? [] : [env.X_REDIRECT_URI];
        emulator = await startEmulator({
          port: portFrom('ROTOR_EMULATOR_PORT', 4100),
          ...(extra.length > 0
            ? {
                clients: [
                  { clientId: 'rotor-local', clientSecret: 'rotor-local-secret', redirectUris: extra },
                ],
              }
            : {}),
        }).catch((e: NodeJS.ErrnoException) =>
          fail(
            'serve',
            e.code === 'EADDRINUSE' ? 'ROTOR_EMULATOR_PORT is already in use; choose another' : e.message,
          ),
        );
        env.X_EMULATOR_URL = emulator.url;
        if (extra.length > 0) {
          env.X_CLIENT_ID = 'rotor-local';
          env.X_CLIENT_SECRET = 'rotor-local-secret';
        }
      }
      const rt = await openPostingRuntime('serve', {
        work: opts.worker,
        env,
        serveUrl: origin,
        createDevKey: demo,
      });
      // From the public scheme (the callback X sends people to), not from the address bound.
      const insecureLoopback = (() => {
        const callback = new URL(env.X_REDIRECT_URI ?? origin);
        return callback.protocol === 'http:' && isLoopbackHost(callback.hostname);
      })();
      let security;
      try {
        // `/metrics` may stay open without a token only in demo mode on loopback.
        security = loadWebSecurity(env, { openMetrics: demo && insecureLoopback && isLoopbackHost(host) });
      } catch (e) {
        await rt.close();
        await emulator?.close();
        return fail('serve', (e as Error).message);
      }
      const app = createWebApp({
        db: rt.db,
        vault: rt.vault,
        connector: rt.connector,
        service: rt.service,
        provider: rt.provider,
        keyRing: rt.keyRing,
        x: rt.x,
        cookieVault: new CookieVault({
          provider: rt.provider,
          keyRing: rt.keyRing,
          db: rt.db,
          insecureLoopbackCookie: insecureLoopback,
        }),
        clock: systemClock,
        demo,
        insecureLoopback,
        version: VERSION,
        ops: rt.ops,
        security,
      });
      const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
      await new Promise<void>((resolve) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          fail('serve', e.code === 'EADDRINUSE' ? `port ${port} is already in use; set PORT` : e.message),
        );
        server.listen(port, host, () => resolve());
      });
      console.log(
        [
          demo
            ? 'Rotor — demo mode: no X credentials are configured, so Rotor runs its built-in X emulator.'
            : 'Rotor',
          '',
          `  web:      ${origin}/  (connect an account: ${origin}/accounts/connect)`,
          `  workers:  ${opts.worker ? 'running' : 'not in this process (--no-worker)'} (${rt.db.kind === 'pglite' ? `embedded database in ${rt.config.dataDir}` : 'PostgreSQL'})`,
          ...(emulator ? [`  X emulator listening on ${emulator.url}  (timelines: ${emulator.url}/)`] : []),
          '',
          rt.db.kind === 'pglite'
            ? 'While this runs it holds the embedded database; other rotor commands wait for it to stop (or use DATABASE_URL).'
            : '',
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
      closeOnSignal(async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await rt.close();
        await emulator?.close();
      });
    });
}
