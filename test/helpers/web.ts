/**
 * @module The web app for tests, as users meet it: a real `rotor serve` process (demo mode: its
 * own emulator; PostgreSQL or the embedded database), and a cookie-keeping HTTP client that signs
 * in through the emulator's consent page the way a browser does.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after } from 'node:test';
import { createPgDatabase } from './db.ts';
import { consent } from './emulator.ts';
import { cliTempDir, freePort, spawnRotor, waitForLine, kill, type Proc } from './cli.ts';

export interface Served {
  web: string;
  emu: string;
  proc: Proc;
  dataDir: string;
  /** The PostgreSQL database it uses (undefined for the embedded one). */
  databaseUrl: string | undefined;
}

/**
 * Starts `rotor serve` in demo mode; `database: 'postgres'` uses a fresh database on the test
 * server; `args` are more arguments (`--no-worker`: the web app without posting workers).
 */
export async function serve(
  o: { database?: 'postgres' | 'pglite'; env?: Record<string, string>; args?: string[] } = {},
): Promise<Served> {
  // A test that needs the URL before the start (ROTOR_PUBLIC_URL) chooses the port itself.
  const port = o.env?.PORT ? Number(o.env.PORT) : await freePort();
  const emuPort = await freePort();
  const dataDir = cliTempDir('rotor-web-');
  const databaseUrl = o.database === 'pglite' ? undefined : await createPgDatabase();
  const env: Record<string, string> = {
    PORT: String(port),
    ROTOR_EMULATOR_PORT: String(emuPort),
    ROTOR_DATA_DIR: dataDir,
    ROTOR_SWEEP_SECONDS: '2',
    // Tests sign in many users from one address: limits that never throttle them (the limits
    // themselves are tested with their own settings).
    ROTOR_RATE_LIMIT_SIGNIN: '100000/60',
    ROTOR_RATE_LIMIT_CALLBACK: '100000/60',
    ROTOR_RATE_LIMIT_API_KEY_FAILURES: '100000/60',
    ROTOR_RATE_LIMIT_TOKENS_PER_KEY: '100000/60',
    ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS: '100000/60',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...o.env,
  };
  const proc = spawnRotor(['serve', ...(o.args ?? [])], env);
  after(() => kill(proc));
  await waitForLine(proc, 'Press Ctrl+C', 45_000);
  return { web: `http://127.0.0.1:${port}`, emu: `http://127.0.0.1:${emuPort}`, proc, dataDir, databaseUrl };
}

/** A browser without a screen: keeps cookies, follows nothing on its own. */
export class Jar {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Posts a form (url-encoded), as a page of this origin would (its Origin header included). */
  form(path: string, fields: Record<string, string>, origin = this.base): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(fields),
    });
  }

  /** The CSRF token of the signed-in session, read from a page. */
  async csrf(): Promise<string> {
    const html = await (await this.fetch('/settings')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(token, 'a signed-in page carries a CSRF token');
    return token;
  }
}

/** Runs "Sign in with X" (or "Connect another account" when already signed in) as `username`. */
export async function signIn(
  jar: Jar,
  emu: string,
  username: string,
  start = '/auth/x/start?mode=signin',
): Promise<Response> {
  const begin = await jar.fetch(start);
  assert.equal(begin.status, 302, `start of the flow: ${begin.status}`);
  const back = await consent({ url: emu }, new URL(begin.headers.get('location') ?? ''), username);
  const done = await jar.fetch(back.pathname + back.search);
  return done;
}

/** A signed-in jar for `username`. */
export async function signedIn(s: Served, username: string): Promise<Jar> {
  const jar = new Jar(s.web);
  const done = await signIn(jar, s.emu, username);
  assert.equal(done.status, 303, `signed in as ${username}`);
  return jar;
}

/** Creates an API key in the settings page and returns it. */
export async function createKey(jar: Jar, name: string, permissions: string[]): Promise<string> {
  const body = new URLSearchParams({ _csrf: await jar.csrf(), name });
  for (const p of permissions) body.append('permissions', p);
  const res = await jar.fetch('/settings/keys', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: jar.base },
    body,
  });
  // Post/Redirect/Get: the key is shown on the page the creation redirects to, once.
  assert.equal(res.status, 303);
  const shown = await jar.fetch(res.headers.get('location') ?? '/settings');
  assert.equal(shown.status, 200);
  const key = /data-new-key>(rotor_[A-Za-z0-9_-]+)</.exec(await shown.text())?.[1];
  assert.ok(key, 'the new key is shown once');
  return key;
}

/** JSON call with an API key. */
export async function api(
  s: Served,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(`/api/v1${path}`, s.web), {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/**
 * Announces a POST body of `declaredBytes` on a connection of its own, sends only its first
 * kilobyte, and gives the status the server answers: for the refusal of oversized bodies, which
 * must come from the announced length alone, before the body is read.
 */
export function postOversized(
  url: string,
  headers: Record<string, string>,
  declaredBytes: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-length': String(declaredBytes) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer before the body was sent: the server is reading it'));
    }, 10_000);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', () => undefined); // the destroy above, or the server closing: the status is what counts
    req.write('a'.repeat(1024));
  });
}
