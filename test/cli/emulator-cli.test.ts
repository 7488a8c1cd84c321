/**
 * `rotor emulator` as an OS process: `bin/rotor.js` spawned with the running Node, its ready
 * line read from stdout, real HTTP against it, SIGTERM to stop it, and exit code 2 with a
 * plain message (no stack trace) for every kind of bad input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  assertCleanError as assertPlainError,
  cliTempDir,
  freePort,
  runRotor,
  spawnRotor,
  waitForExit,
  waitForLine,
  type Proc,
  type Result,
} from '../helpers/cli.ts';
import {
  authorizeUrl,
  DEMO_REDIRECT,
  pkce,
  refresh as refreshAt,
  tokenRequest,
} from '../helpers/emulator.ts';

const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 10_000;

const tmp = cliTempDir('rotor-emulator-cli-');

/** Starts the emulator CLI on a free port and waits for its ready line. */
async function startCli(extra: string[] = []): Promise<Proc & { url: string; port: number }> {
  const port = await freePort();
  const cli = spawnRotor(['emulator', '--port', String(port), ...extra]);
  const url = `http://127.0.0.1:${port}`;
  await waitForLine(cli, url, READY_TIMEOUT_MS);
  return { ...cli, url, port };
}

async function stop(cli: Proc): Promise<Result> {
  cli.child.kill('SIGTERM');
  return waitForExit(cli, EXIT_TIMEOUT_MS);
}

/** Runs the CLI to completion (bad input): exit code and output. */
function runToExit(args: string[]): Promise<Result> {
  return runRotor(['emulator', ...args], {}, EXIT_TIMEOUT_MS);
}

function assertCleanError(r: { stderr: string }) {
  assertPlainError(r, /Error:|node:internal/);
}

async function authorizeStep(url: URL) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** With an auto-approving CLI emulator: a code for the demo client, exchanged for tokens. */
async function demoTokens(base: string): Promise<Record<string, unknown>> {
  const { verifier, challenge } = pkce();
  const r = await authorizeStep(authorizeUrl({ url: base }, { challenge }));
  assert.equal(r.status, 302, 'auto-approve expected');
  const code = new URL(r.location ?? '').searchParams.get('code');
  assert.ok(code);
  const res = await tokenRequest(
    { url: base },
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO_REDIRECT,
      code_verifier: verifier,
    },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function refresh(base: string, refreshToken: unknown) {
  assert.equal(typeof refreshToken, 'string');
  return refreshAt({ url: base }, refreshToken as string);
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
        authorizeUrl(cli, {
          clientId: 'cli-app',
          redirectUri: 'http://127.0.0.1:9999/cb',
          challenge: pkce().challenge,
        }),
      );
      assert.equal(mine.status, 200, mine.text);
      assert.match(mine.text, /name="request_id"/);
      const demo = await authorizeStep(authorizeUrl(cli, { challenge: pkce().challenge }));
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
      const r = await authorizeStep(authorizeUrl(cli, { challenge, state: 'st-bob' }));
      assert.equal(r.status, 302);
      const back = new URL(r.location ?? '');
      assert.equal(`${back.origin}${back.pathname}`, DEMO_REDIRECT);
      assert.equal(back.searchParams.get('state'), 'st-bob');
      const code = back.searchParams.get('code');
      assert.ok(code);
      const tokens = await tokenRequest(cli, {
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
