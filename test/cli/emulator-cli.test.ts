/**
 * `rotor emulator` as an OS process: `bin/rotor.js` spawned with the running Node, its ready
 * line read from stdout, real HTTP against it, SIGTERM to stop it, and exit code 2 with a
 * plain message (no stack trace) for every kind of bad input.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, pkce, POSTING_SCOPES } from '../helpers/emulator.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rotor.js');
const DEMO_REDIRECT = 'http://127.0.0.1:3000/auth/x/callback';
const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 10_000;

const children = new Set<ChildProcess>();
const tmp = mkdtempSync(join(tmpdir(), 'rotor-emulator-cli-'));

after(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(tmp, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCli(args: string[]): Cli {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once stdout holds a line containing `text`; rejects on exit or after a timeout. */
function waitForLine(cli: Cli, text: string, ms = READY_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdout = cli.child.stdout;
    assert.ok(stdout);
    const check = (): boolean => {
      const line = cli
        .stdout()
        .split('\n')
        .find((l) => l.includes(text));
      if (line === undefined) return false;
      done();
      resolve(line);
      return true;
    };
    const onExit = (code: number | null) => {
      done();
      reject(
        new Error(
          `CLI exited (${code}) before printing ${text}\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`,
        ),
      );
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `no line containing ${text} within ${ms} ms\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`,
        ),
      );
    }, ms);
    const onData = () => void check();
    const done = () => {
      clearTimeout(timer);
      stdout.off('data', onData);
      cli.child.off('exit', onExit);
    };
    stdout.on('data', onData);
    cli.child.once('exit', onExit);
    check();
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the emulator CLI on a free port and waits for its ready line. */
async function startCli(extra: string[] = []): Promise<Cli & { url: string; port: number }> {
  const port = await freePort();
  const cli = spawnCli(['--port', String(port), ...extra]);
  const url = `http://127.0.0.1:${port}`;
  await waitForLine(cli, url);
  return { ...cli, url, port };
}

async function stop(cli: Cli): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  cli.child.kill('SIGTERM');
  return withTimeout(cli.exited, EXIT_TIMEOUT_MS, 'exit after SIGTERM');
}

/** Runs the CLI to completion (bad input): exit code and output. */
async function runToExit(args: string[]) {
  const cli = spawnCli(args);
  const { code, signal } = await withTimeout(cli.exited, EXIT_TIMEOUT_MS, `rotor emulator ${args.join(' ')}`);
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() };
}

function assertCleanError(r: { stderr: string }) {
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace expected:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Error:|node:internal/, `no raw error expected:\n${r.stderr}`);
}

function authorizeUrl(
  base: string,
  clientId: string,
  redirectUri: string,
  challenge: string,
  state = 'st',
): URL {
  const url = new URL('/i/oauth2/authorize', base);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: POSTING_SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

async function authorizeStep(url: URL) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function tokenRequest(base: string, params: Record<string, string>) {
  const res = await fetch(new URL('/2/oauth2/token', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic('rotor-demo', 'rotor-demo-secret'),
    },
    body: new URLSearchParams(params),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** With an auto-approving CLI emulator: a code for the demo client, exchanged for tokens. */
async function demoTokens(base: string): Promise<Record<string, unknown>> {
  const { verifier, challenge } = pkce();
  const r = await authorizeStep(authorizeUrl(base, 'rotor-demo', DEMO_REDIRECT, challenge));
  assert.equal(r.status, 302, 'auto-approve expected');
  const code = new URL(r.location ?? '').searchParams.get('code');
  assert.ok(code);
  const res = await tokenRequest(base, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: DEMO_REDIRECT,
    code_verifier: verifier,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function refresh(base: string, refreshToken: unknown) {
  assert.equal(typeof refreshToken, 'string');
  return tokenRequest(base, { grant_type: 'refresh_token', refresh_token: refreshToken as string });
}

describe('rotor emulator (CLI process)', () => {
  test('prints the ready line with its URL, serves /_emulator/state, and exits 0 on SIGTERM', async () => {
    const cli = await startCli();
    const res = await fetch(new URL('/_emulator/state', cli.url));
    assert.equal(res.status, 200);
    const state = (await res.json()) as { tokenRequests: unknown; grants: unknown[] };
    assert.ok(state.tokenRequests);
    assert.deepEqual(state.grants, []);
    const { code, signal } = await stop(cli);
    assert.equal(signal, null);
    assert.equal(code, 0);
  });

  test('--client-id with --redirect-uri and no secret registers a public client the authorize endpoint accepts', async () => {
    const cli = await startCli(['--client-id', 'cli-app', '--redirect-uri', 'http://127.0.0.1:9999/cb']);
    try {
      const mine = await authorizeStep(
        authorizeUrl(cli.url, 'cli-app', 'http://127.0.0.1:9999/cb', pkce().challenge),
      );
      assert.equal(mine.status, 200, mine.text);
      assert.match(mine.text, /name="request_id"/);
      const demo = await authorizeStep(authorizeUrl(cli.url, 'rotor-demo', DEMO_REDIRECT, pkce().challenge));
      assert.equal(demo.status, 200, demo.text);
      assert.match(demo.text, /name="request_id"/);
      assert.match(cli.stdout(), /cli-app \(public\)/);
    } finally {
      await stop(cli);
    }
  });

  test('--auto-approve bob redirects at once with a code for bob', async () => {
    const cli = await startCli(['--auto-approve', 'bob']);
    try {
      const { verifier, challenge } = pkce();
      const r = await authorizeStep(authorizeUrl(cli.url, 'rotor-demo', DEMO_REDIRECT, challenge, 'st-bob'));
      assert.equal(r.status, 302);
      const back = new URL(r.location ?? '');
      assert.equal(`${back.origin}${back.pathname}`, DEMO_REDIRECT);
      assert.equal(back.searchParams.get('state'), 'st-bob');
      const code = back.searchParams.get('code');
      assert.ok(code);
      const tokens = await tokenRequest(cli.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: DEMO_REDIRECT,
        code_verifier: verifier,
      });
      assert.equal(tokens.status, 200);
      const me = await fetch(new URL('/2/users/me', cli.url), {
        headers: { authorization: `Bearer ${String(tokens.body.access_token)}` },
      });
      assert.equal(((await me.json()) as { data: { username: string } }).data.username, 'bob');
    } finally {
      await stop(cli);
    }
  });

  test('--access-token-ttl 60 gives expires_in 60', async () => {
    const cli = await startCli(['--auto-approve', 'alice', '--access-token-ttl', '60']);
    try {
      const tokens = await demoTokens(cli.url);
      assert.equal(tokens.expires_in, 60);
    } finally {
      await stop(cli);
    }
  });

  test('--config is honoured (accessTokenTtl, reuse) and flags override it', async () => {
    const file = join(tmp, 'settings.json');
    writeFileSync(file, JSON.stringify({ reuse: 'token', accessTokenTtl: 120 }));

    const fromFile = await startCli(['--config', file, '--auto-approve', 'alice']);
    try {
      const first = await demoTokens(fromFile.url);
      assert.equal(first.expires_in, 120);
      const second = await refresh(fromFile.url, first.refresh_token);
      assert.equal(second.status, 200);
      assert.equal((await refresh(fromFile.url, first.refresh_token)).status, 400, 'reuse is refused');
      // reuse=token: only that request fails; the family lives on.
      assert.equal((await refresh(fromFile.url, second.body.refresh_token)).status, 200);
    } finally {
      await stop(fromFile);
    }

    const overridden = await startCli([
      '--config',
      file,
      '--auto-approve',
      'alice',
      '--access-token-ttl',
      '30',
      '--reuse',
      'family',
    ]);
    try {
      const first = await demoTokens(overridden.url);
      assert.equal(first.expires_in, 30);
      const second = await refresh(overridden.url, first.refresh_token);
      assert.equal(second.status, 200);
      assert.equal((await refresh(overridden.url, first.refresh_token)).status, 400);
      // reuse=family: the reuse revoked the whole grant, the new refresh token too.
      assert.equal((await refresh(overridden.url, second.body.refresh_token)).status, 400);
    } finally {
      await stop(overridden);
    }
  });

  test('an unknown key in the config file exits 2 naming it, without a stack trace', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ accessTokenTtl: 120, acessTokenTTL: 5 }));
    const r = await runToExit(['--port', String(await freePort()), '--config', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /acessTokenTTL/);
    assertCleanError(r);
  });

  test('--auto-approve nobody exits 2 naming the user, without a stack trace', async () => {
    const r = await runToExit(['--port', String(await freePort()), '--auto-approve', 'nobody']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /nobody/);
    assertCleanError(r);
  });

  test('--client-id without --redirect-uri exits 2 saying a redirect URI is needed', async () => {
    const r = await runToExit(['--port', String(await freePort()), '--client-id', 'cli-app']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--redirect-uri/);
    assertCleanError(r);
  });

  test('--port already in use exits 2 saying so', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(0, '127.0.0.1', resolve);
    });
    try {
      const address = blocker.address();
      assert.ok(address !== null && typeof address === 'object');
      const r = await runToExit(['--port', String(address.port)]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`port ${address.port}.*already in use`));
      assertCleanError(r);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
