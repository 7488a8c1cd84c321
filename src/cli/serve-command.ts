/**
 * @module `rotor serve` (what `npm start` runs): the web server (for now: connect an account,
 * see accounts and posts, `/healthz`), the posting workers, and — with no X credentials — the
 * built-in X emulator ("demo mode"). Port from `PORT` (3000), bound to `ROTOR_HOST` (127.0.0.1).
 */
import { boundHeapGrowth } from '../ops/heap.ts';
import { nodeLine } from './node-line.ts';
import { createAdaptorServer } from '@hono/node-server';
import { Command } from 'commander';
import type { Server } from 'node:http';
import { isLoopbackHost } from '../core/loopback.ts';
import type { RunningEmulator } from '../emulator/server.ts';
import { DEMO_CLIENT } from '../emulator/settings.ts';
import { webSecurity } from '../web/security-config.ts';
import { serveOrigin } from '../core/config.ts';
import { CookieVault } from '../vault/cookie.ts';
import { systemClock } from '../core/clock.ts';
import { closeOnSignal } from './emulator-command.ts';
import { openPostingRuntime } from './posting.ts';
import { fail, loadCliConfig } from './runtime.ts';

const VERSION = '0.1.0';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run Rotor: web server, posting workers (and the X emulator in demo mode)')
    .option('--no-worker', 'serve the web app and API only; run `rotor worker` processes separately')
    .action(async (opts: { worker: boolean }) => {
      let config = loadCliConfig('serve', { serve: true });
      const { port, host } = config.web;
      const origin = serveOrigin(config.web);
      const { demo } = config.x;
      let emulator: RunningEmulator | undefined;
      if (demo && !config.x.emulatorUrl) {
        // Demo mode: X is the built-in emulator, with a client registered for this server's callback.
        const redirectUri = config.x.redirectUri;
        const extra = redirectUri === DEMO_CLIENT.redirectUris[0] ? [] : [redirectUri];
        // Loaded here, not at start: a worker or a short command never loads the emulator or the web app.
        const { startEmulator } = await import('../emulator/server.ts');
        emulator = await startEmulator({
          port: config.web.emulatorPort,
          ...(extra.length > 0
            ? {
                clients: [
                  {
                    clientId: 'rotor-local',
                    clientSecret: 'rotor-local-secret',
                    redirectUris: extra,
                    // The consent page names the app as the user knows it.
                    name: 'Rotor',
                  },
                ],
              }
            : {}),
        }).catch((e: NodeJS.ErrnoException) =>
          fail(
            'serve',
            e.code === 'EADDRINUSE' ? 'ROTOR_EMULATOR_PORT is already in use; choose another' : e.message,
          ),
        );
        config = {
          ...config,
          x: {
            ...config.x,
            emulatorUrl: emulator.url,
            ...(extra.length > 0 ? { clientId: 'rotor-local', clientSecret: 'rotor-local-secret' } : {}),
          },
        };
      }
      const rt = await openPostingRuntime('serve', {
        work: opts.worker,
        config,
        serveUrl: origin,
        createDevKey: demo,
      });
      // From the public scheme (the callback X sends people to), not from the address bound.
      const insecureLoopback = (() => {
        const callback = new URL(config.x.redirectUri);
        return callback.protocol === 'http:' && isLoopbackHost(callback.hostname);
      })();
      // `/metrics` may stay open without a token only in demo mode on loopback.
      const security = webSecurity(config, { openMetrics: demo && insecureLoopback && isLoopbackHost(host) });
      const { createWebApp } = await import('../web/app.ts');
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
          nodeLine(),
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
      boundHeapGrowth(); // once started: start-up itself grows the heap fastest
      closeOnSignal(async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        await rt.close();
        await emulator?.close();
      });
    });
}
