/**
 * `rotor accounts …` and `rotor keys generate` as OS processes: `bin/rotor.js` spawned with the
 * running Node, each test with its own PGlite folder (ROTOR_DATA_DIR) and an in-process emulator
 * reached at X_EMULATOR_URL. The emulator auto-approves as alice and registers a confidential
 * client `cli-app` whose redirect URI is a free loopback port, the CLI's X_REDIRECT_URI.
 * Properties (docs/guarantees.md): 7 (callback page headers), 11 (no
 * reuse), 14 (a refused refresh needs the user, with a reason), 18 (disconnect revokes at X),
 * 21 (no key → refuse), 26 (no token in any output).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KeyRing } from '../../src/crypto/keyring.ts';
import {
  assertCleanError,
  CLI_CLIENT_ID,
  cliSetup,
  cliTempDir,
  connectAlice as connectByCli,
  kill,
  spawnRotor,
  waitForExit,
  waitForLine,
  authUrlLine,
  type CliSetup,
  type Env,
  type Proc,
  type Result,
} from '../helpers/cli.ts';
import { api, control, emulator, state } from '../helpers/emulator.ts';

const tmp = cliTempDir('rotor-accounts-cli-');

/** Everything the commands printed, for the leak check (property 26). */
const printed: { label: string; text: string }[] = [];
/** What `accounts token` printed on stdout: tokens, on purpose (the leak check's positive control). */
const printedTokens: string[] = [];

type Ctx = CliSetup;

/** A fresh emulator (client `cli-app` on a free loopback redirect), data folder and key. */
const setup = (): Promise<Ctx> => cliSetup(tmp);

/**
 * Waits for the process to end and records its output for the leak check: `accounts token`'s
 * stdout is a token on purpose, and the authorization URL line is allowed; everything else counts.
 */
async function finish(proc: Proc, authUrl?: string): Promise<Result> {
  const r = await waitForExit(proc);
  const isToken = proc.label.startsWith('rotor accounts token') && r.code === 0;
  if (isToken) printedTokens.push(r.stdout);
  else
    printed.push({
      label: `${proc.label} (stdout)`,
      text: r.stdout
        .split('\n')
        .filter((l) => l !== authUrl)
        .join('\n'),
    });
  printed.push({ label: `${proc.label} (stderr)`, text: r.stderr });
  return r;
}

async function rotor(args: string[], env: Env): Promise<Result> {
  return finish(spawnRotor(args, env));
}

/** Resolves with the first stdout line that is exactly an authorization URL at the emulator. */
function waitForAuthUrl(proc: Proc, ctx: Ctx): Promise<string> {
  return waitForLine(proc, authUrlLine(ctx.emu));
}

/** The printed line is one URL and nothing else, for our client and redirect, with PKCE S256. */
function assertAuthUrl(line: string, ctx: Ctx): URL {
  assert.match(line, /^\S+$/, `the URL is alone on its line: ${JSON.stringify(line)}`);
  const url = new URL(line);
  assert.equal(url.href, line);
  assert.equal(`${url.origin}${url.pathname}`, `${ctx.emu.url}/i/oauth2/authorize`);
  assert.equal(url.searchParams.get('client_id'), CLI_CLIENT_ID);
  assert.equal(url.searchParams.get('redirect_uri'), ctx.redirectUri);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(url.searchParams.get('state'));
  return url;
}

/** `accounts connect --no-browser`, completed by following the emulator's redirect. */
async function connectAlice(ctx: Ctx): Promise<{ result: Result; page: Response }> {
  const { result, page, html } = await connectByCli(ctx, {
    onAuthUrl: (line) => assertAuthUrl(line, ctx),
    finish,
  });
  printed.push({ label: 'connect callback page', text: html });
  return { result, page };
}

interface Listed {
  username: string;
  status: string;
  reason: string | null;
}

async function listJson(ctx: Ctx): Promise<Listed[]> {
  const r = await rotor(['accounts', 'list', '--json'], ctx.env);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as unknown;
  assert.ok(Array.isArray(parsed), `an array expected: ${r.stdout}`);
  return parsed as Listed[];
}

/** base64url words that decode to one of the emulator's tokens (`…:<ms>:1:1:<at|rt|ac>:1`). */
function findTokens(text: string): string[] {
  return (text.match(/[A-Za-z0-9_-]{60,}/g) ?? []).filter((w) =>
    /:\d+:1:1:(at|rt|ac):1$/.test(Buffer.from(w, 'base64url').toString('latin1')),
  );
}

describe('rotor accounts (CLI processes)', () => {
  test('connect --no-browser prints the authorization URL on its own line, completes through the loopback listener, prints Connected @alice and exits 0', async () => {
    const ctx = await setup();
    const { result, page } = await connectAlice(ctx);
    assert.equal(result.code, 0, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stdout, /^Connected @alice$/m);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /@alice is connected/);
    assert.equal(page.headers.get('cache-control'), 'no-store'); // property 7
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const grants = (await state(ctx.emu)).grants.filter((g) => g.username === 'alice');
    assert.equal(grants.length, 1);
    assert.equal(grants[0]?.status, 'active');
  });

  test('connect --manual prints the URL, reads the pasted redirect URL from stdin, prints Connected @alice and exits 0', async () => {
    const ctx = await setup();
    const proc = spawnRotor(['accounts', 'connect', '--manual'], ctx.env, { stdin: true });
    try {
      const line = await waitForAuthUrl(proc, ctx);
      assertAuthUrl(line, ctx);
      const res = await fetch(line, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const location = res.headers.get('location');
      assert.ok(location);
      const back = new URL(location);
      assert.equal(`${back.origin}${back.pathname}`, ctx.redirectUri);
      assert.ok(back.searchParams.get('code'));
      // Manual mode must not listen: the redirect port stays free for others.
      const probe = createServer();
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(ctx.port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      proc.child.stdin?.end(`${location}\n`);
      const r = await finish(proc, line);
      assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stdout, /^Connected @alice$/m);
      const list = await listJson(ctx);
      assert.deepEqual(
        list.map((a) => a.username),
        ['alice'],
      );
    } finally {
      kill(proc);
    }
  });

  test('connect exits 1 suggesting --manual when a non-Rotor program holds the redirect port', async () => {
    const ctx = await setup();
    const blocker = createHttpServer((_req, res) => res.writeHead(404).end('not rotor'));
    await new Promise<void>((resolve, reject) => {
      blocker.once('error', reject);
      blocker.listen(ctx.port, '127.0.0.1', resolve);
    });
    try {
      const r = await rotor(['accounts', 'connect', '--no-browser'], ctx.env);
      assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr, /--manual/);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${ctx.port}`));
      assert.doesNotMatch(r.stderr, /Rotor server/);
      assertCleanError(r);
      assert.equal((await state(ctx.emu)).grants.length, 0);
    } finally {
      blocker.closeAllConnections();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  test('list --json shows alice active; after X revokes the grant, token exits 3 with a one-line revoked reason and list shows reauth_required/revoked', async () => {
    const ctx = await setup();
    assert.equal((await connectAlice(ctx)).result.code, 0);
    const before = await listJson(ctx);
    assert.equal(before.length, 1);
    assert.equal(before[0]?.username, 'alice');
    assert.equal(before[0]?.status, 'active');
    assert.equal(before[0]?.reason, null);

    const revoked = await control(ctx.emu, 'POST', '/grants/revoke', { username: 'alice' });
    assert.equal(revoked.status, 200);
    assert.equal((await control(ctx.emu, 'POST', '/clock', { advanceSeconds: 7200 })).status, 200);

    // The vault's clock is the real one: a margin of a day makes it refresh now (property 14).
    const env = { ...ctx.env, ROTOR_REFRESH_MARGIN: '86400' };
    const r = await rotor(['accounts', 'token', 'alice'], env);
    assert.equal(r.code, 3, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(r.stdout, '', 'no token on stdout');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
    assert.match(lines[0] ?? '', /needs|reauth|reconnect|connect .* again/i);
    assert.match(lines[0] ?? '', /revoked/);
    assertCleanError(r);

    const afterRevoke = await listJson(ctx);
    assert.equal(afterRevoke.length, 1);
    assert.equal(afterRevoke[0]?.username, 'alice');
    assert.equal(afterRevoke[0]?.status, 'reauth_required');
    assert.equal(afterRevoke[0]?.reason, 'revoked');

    // An account needing the user stops refreshing: a second call does not go to X again.
    const refreshesBefore = (await state(ctx.emu)).tokenRequests.refresh_token;
    const again = await rotor(['accounts', 'token', 'alice'], env);
    assert.equal(again.code, 3, again.stderr);
    assert.equal((await state(ctx.emu)).tokenRequests.refresh_token, refreshesBefore);
  });

  test('token prints one working access token; with ROTOR_REFRESH_MARGIN=86400 each call refreshes, and X sees no reuse', async () => {
    const ctx = await setup();
    assert.equal((await connectAlice(ctx)).result.code, 0);
    const env = { ...ctx.env, ROTOR_REFRESH_MARGIN: '86400' };
    const first = await rotor(['accounts', 'token', 'alice'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^\S+\n$/, `a single line expected: ${JSON.stringify(first.stdout)}`);
    const token1 = first.stdout.trim();
    const me = await api(ctx.emu, 'GET', '/2/users/me', token1);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal((me.body.data as { username: string }).username, 'alice');

    const second = await rotor(['accounts', 'token', '@alice'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^\S+\n$/);
    const token2 = second.stdout.trim();
    assert.notEqual(token2, token1, 'each call refreshed');
    assert.equal((await api(ctx.emu, 'GET', '/2/users/me', token2)).status, 200);

    const s = await state(ctx.emu);
    assert.equal(s.reuseDetected, 0); // property 11
    assert.equal(s.tokenRequests.refresh_token, 2);
    const grant = s.grants.find((g) => g.username === 'alice');
    assert.equal(grant?.status, 'active');
    assert.equal(grant?.refreshCount, 2);
  });

  test('disconnect revokes at X, deletes the account (list is empty) and exits 0', async () => {
    const ctx = await setup();
    assert.equal((await connectAlice(ctx)).result.code, 0);
    const r = await rotor(['accounts', 'disconnect', 'alice'], ctx.env);
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stdout, /Disconnected @alice/);
    assert.match(r.stdout, /revoked at X/);
    assert.doesNotMatch(r.stdout, /did not confirm/);
    assert.deepEqual(await listJson(ctx), []);
    // Property 18: the grant (and with it the refresh token) is dead at X.
    const grants = (await state(ctx.emu)).grants.filter((g) => g.username === 'alice');
    assert.equal(grants.length, 1);
    assert.equal(grants[0]?.status, 'revoked');
    const gone = await rotor(['accounts', 'token', 'alice'], ctx.env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no connected account/);
  });

  test('token for an unknown account exits 1 saying there is no connected account', async () => {
    const ctx = await setup();
    const r = await rotor(['accounts', 'token', 'nobody'], ctx.env);
    assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stderr, /no connected account/);
    assert.match(r.stderr, /nobody/);
    assert.equal(r.stdout, '');
    assertCleanError(r);
  });

  test('configuration errors exit 2 with a clear message naming the variable and no stack trace', async () => {
    const ctx = await setup();
    const cases: { env: Env; expect: RegExp }[] = [
      { env: { X_EMULATOR_URL: 'http://example.com' }, expect: /X_EMULATOR_URL.*https/ },
      { env: { ROTOR_REFRESH_MARGIN: 'soon' }, expect: /ROTOR_REFRESH_MARGIN.*soon/ },
      { env: { DATABASE_URL: 'mysql://x' }, expect: /DATABASE_URL.*postgres/ },
      { env: { ROTOR_KEYS: undefined }, expect: /ROTOR_KEYS/ },
    ];
    for (const c of cases) {
      const dataDir = mkdtempSync(join(tmp, 'config-'));
      const env: Env = { ...ctx.env, ROTOR_DATA_DIR: dataDir, ...c.env };
      for (const args of [
        ['accounts', 'list', '--json'],
        ['accounts', 'token', 'alice'],
      ]) {
        const r = await rotor(args, env);
        const what = `${JSON.stringify(c.env)} rotor ${args.join(' ')}`;
        assert.equal(r.code, 2, `${what}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
        assert.match(r.stderr, c.expect, what);
        assert.equal(r.stdout, '', what);
        assertCleanError(r);
      }
      // Property 21: with X credentials and no key, no development key is made behind our back.
      assert.equal(existsSync(join(dataDir, 'dev-keys')), false);
    }
  });

  test('demo mode without ROTOR_KEYS: the first command creates dev-keys with a loud NOTICE, later commands reuse it', async () => {
    const emu = await emulator({ autoApprove: 'alice' });
    const dataDir = mkdtempSync(join(tmp, 'demo-'));
    const env: Env = { X_EMULATOR_URL: emu.url, ROTOR_DATA_DIR: dataDir };
    const file = join(dataDir, 'dev-keys');
    assert.equal(existsSync(file), false);

    const first = await rotor(['accounts', 'list', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), []);
    assert.match(first.stderr, /NOTICE/);
    assert.match(first.stderr, /DEVELOPMENT encryption key/);
    assert.ok(first.stderr.includes(file), `names the file:\n${first.stderr}`);
    assert.ok(existsSync(file));
    const key = readFileSync(file, 'utf8');
    assert.doesNotThrow(() => KeyRing.parse(key));
    assert.ok(!first.stderr.includes(key.split(':')[1] ?? key), 'the key itself is never printed');

    const second = await rotor(['accounts', 'list', '--json'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /NOTICE: using the development key/);
    assert.doesNotMatch(second.stderr, /created a DEVELOPMENT/);
    const third = await rotor(['accounts', 'token', 'nobody'], env);
    assert.equal(third.code, 1, third.stderr);
    assert.match(third.stderr, /NOTICE: using the development key/);
    assert.equal(readFileSync(file, 'utf8'), key, 'the same key is reused');
  });

  test('one process per PGlite folder: while connect waits, list on the same folder exits 2 naming the folder, the pid and DATABASE_URL', async () => {
    const ctx = await setup();
    const holder = spawnRotor(['accounts', 'connect', '--no-browser'], ctx.env);
    try {
      const line = await waitForAuthUrl(holder, ctx);
      const r = await rotor(['accounts', 'list'], ctx.env);
      assert.equal(r.code, 2, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.ok(r.stderr.includes(ctx.dataDir), `names the folder:\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`pid ${holder.child.pid}\\b`));
      assert.match(r.stderr, /DATABASE_URL/);
      assert.equal(r.stdout, '');
      assertCleanError(r);
      assert.equal(holder.child.exitCode, null, 'the holder is still running');
      holder.child.kill('SIGKILL');
      await finish(holder, line);
    } finally {
      kill(holder);
    }
  });

  test('keys generate prints one id:base64url line that KeyRing.parse accepts', async () => {
    const r = await rotor(['keys', 'generate'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{43}\n$/);
    const ring = KeyRing.parse(r.stdout.trim());
    assert.equal(ring.active.id, r.stdout.split(':')[0]);
    assert.equal(ring.active.bytes.length, 32);
    const withId = await rotor(['keys', 'generate', '--id', 'k9'], {});
    assert.equal(withId.code, 0, withId.stderr);
    assert.equal(KeyRing.parse(withId.stdout.trim()).active.id, 'k9');
    assert.notEqual(withId.stdout.split(':')[1], r.stdout.split(':')[1]);
  });

  test('no command above printed an access, refresh or authorization-code token (property 26)', () => {
    // Positive control: the scanner finds the tokens `accounts token` printed on purpose.
    assert.ok(printedTokens.length >= 2, 'the token test ran first');
    for (const t of printedTokens) assert.equal(findTokens(t).length, 1, `scanner sees ${t}`);
    assert.ok(printed.length >= 40, `output of many commands collected (${printed.length})`);
    const leaks = printed.flatMap((p) => findTokens(p.text).map(() => p.label));
    assert.deepEqual(leaks, [], `tokens printed by: ${leaks.join(', ')}`);
  });
});
