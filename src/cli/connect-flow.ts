/**
 * @module `rotor accounts connect`: prints the authorization URL, catches the redirect on
 * X_REDIRECT_URI (a one-shot loopback listener), or in manual mode reads the URL the person was
 * sent back to from standard input.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline/promises';
import { isRotorError } from '../core/errors.ts';
import { isLoopbackHost } from '../core/loopback.ts';
import type { Connector, Connected } from '../vault/connect.ts';

const page = (title: string, text: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font:16px system-ui;margin:3rem auto;max-width:32rem"><h1>${title}</h1><p>${text}</p></body></html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Listens on the redirect URI (rejects at once if the address is taken); `result` settles when
 * the callback has been completed, refused, or the time is up.
 */
export async function listenForCallback(
  connector: Connector,
  redirectUri: string,
  timeoutMs: number,
): Promise<{ result: Promise<Connected> }> {
  const target = new URL(redirectUri);
  let listening!: () => void;
  let listenFailed!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    listening = res;
    listenFailed = rej;
  });
  const result = new Promise<Connected>((resolvePromise, reject) => {
    let settled = false;
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `${target.protocol}//${target.host}`);
      if (url.pathname !== target.pathname || settled) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      // Only X's redirect (with a state) completes the flow; a stray request (a prefetch, a page
      // poking at loopback) must not use up the listener.
      if (!url.searchParams.has('state')) {
        res
          .writeHead(400, { 'content-type': 'text/plain', 'cache-control': 'no-store' })
          .end('not a sign-in callback');
        return;
      }
      settled = true;
      connector.complete(url).then(
        (done) => {
          res
            .writeHead(200, {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
              'referrer-policy': 'no-referrer',
            })
            .end(
              page(
                'Connected',
                `@${escapeHtml(done.username)} is connected to Rotor. You can close this tab.`,
              ),
            );
          finish(() => resolvePromise(done));
        },
        (e: unknown) => {
          const message = isRotorError(e) ? e.message : 'The connection failed.';
          res
            .writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
            .end(page('Not connected', escapeHtml(message)));
          finish(() => reject(e instanceof Error ? e : new Error(String(e))));
        },
      );
    });
    const timer = setTimeout(
      () => finish(() => reject(new Error('no answer from X within the time limit'))),
      timeoutMs,
    );
    const finish = (then: () => void) => {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      then();
    };
    server.once('error', (e) => {
      clearTimeout(timer);
      listenFailed(e);
      reject(e);
    });
    server.listen(Number(target.port || 80), target.hostname.replace(/^\[|\]$/g, ''), () => listening());
  });
  result.catch(() => undefined);
  await ready;
  return { result };
}

/** Checks whether a Rotor server answers at the redirect URI's origin. */
export async function rotorServerAt(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.headers.get('x-rotor') !== null;
  } catch {
    return false;
  }
}

export async function readPastedUrl(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

export function tryOpenBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser here: the printed URL is enough
  }
}

export const canListenOn = (redirectUri: string) => {
  const u = new URL(redirectUri);
  return u.protocol === 'http:' && isLoopbackHost(u.hostname);
};
