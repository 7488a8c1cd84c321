/**
 * `npm start` (= `rotor serve`): in demo mode it runs the X emulator, the web server and the
 * posting workers in one process, says so, lets a person connect an account through the browser
 * flow (state bound to an HttpOnly cookie, callback without code or state afterwards), and holds
 * the embedded database so that other commands say clearly what to do.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  childEnv,
  freePort,
  killLeftovers,
  ROOT as root,
  runRotor,
  track,
  waitForLine,
} from '../helpers/cli.ts';
import { consent } from '../helpers/emulator.ts';

after(killLeftovers);

test('npm start: demo mode, connect through the browser flow, workers running, the folder held', async () => {
  const [port, emuPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'rotor-serve-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = childEnv({ PORT: String(port), ROTOR_EMULATOR_PORT: String(emuPort), ROTOR_DATA_DIR: dataDir });
  const server = track(spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true }), 'npm start');
  const child = server.child;
  after(() => {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  });
  await waitForLine(server, 'Press Ctrl+C', 30_000);
  const out = server.stdout();
  const err = server.stderr();
  const web = `http://127.0.0.1:${port}`;
  const emu = `http://127.0.0.1:${emuPort}`;
  assert.match(out, /demo mode/);
  assert.ok(out.includes(web) && out.includes(emu));
  assert.match(out, /workers:\s+running/);
  assert.match(err, /NOTICE: no ROTOR_KEYS: created a DEVELOPMENT encryption key/);

  const health = await fetch(`${web}/healthz`);
  assert.equal(health.status, 200);
  assert.ok(health.headers.get('x-rotor'));
  const home = await (await fetch(`${web}/`)).text();
  assert.match(home, /Demo mode/);

  // Sign in with X, as a browser would.
  const start = await fetch(`${web}/accounts/connect`, { redirect: 'manual' });
  assert.equal(start.status, 302);
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.match(start.headers.get('set-cookie') ?? '', /HttpOnly/i);
  const authorize = new URL(start.headers.get('location') ?? '');
  assert.equal(authorize.origin, emu);
  const callback = (await consent({ url: emu }, authorize, 'alice')).href;
  assert.ok(callback.startsWith(`${web}/auth/x/callback?`));
  // Without the browser's state cookie the callback is refused (property 2).
  const foreign = await fetch(callback, { redirect: 'manual' });
  assert.equal(foreign.status, 400);
  // The refusal did not use the transaction: the real browser still completes.
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie } });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), '/', 'redirect to a URL without code or state (property 7)');
  assert.equal(done.headers.get('cache-control'), 'no-store');
  assert.equal(done.headers.get('referrer-policy'), 'no-referrer');
  const session = done.headers.getSetCookie().find((c) => c.startsWith('rotor-session='));
  assert.ok(session, 'the callback signs the person in');
  assert.match(session, /HttpOnly/i);
  assert.match(session, /SameSite=Lax/i);
  const signedIn = { cookie: session.split(';')[0] ?? '' };
  assert.match(await (await fetch(`${web}/`, { headers: signedIn })).text(), /@alice/);
  assert.equal((await fetch(`${web}/`, { redirect: 'manual' })).headers.get('location'), '/signin');
  const replay = await fetch(callback, { redirect: 'manual', headers: { cookie } });
  assert.equal(replay.status, 400, 'a replayed callback is refused (property 3)');

  // The embedded database is held: another command says which process and what to do.
  const list = await runRotor(['accounts', 'list'], { ROTOR_DATA_DIR: dataDir });
  assert.equal(list.code, 2);
  assert.match(list.stderr, /in use by "rotor serve"/);
  assert.ok(list.stderr.includes(web), 'names the server');

  // Ctrl+C reaches the whole process group; Rotor closes the server, the workers and the database.
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  process.kill(-(child.pid ?? 0), 'SIGINT');
  const ended = await exit;
  assert.ok(ended.code === 0 || ended.code === 130 || ended.signal === 'SIGINT', JSON.stringify(ended));
  const reopened = await runRotor(['accounts', 'list', '--json'], { ROTOR_DATA_DIR: dataDir });
  assert.equal(reopened.code, 0, `the folder was released: ${reopened.stderr}`);
  assert.equal((JSON.parse(reopened.stdout) as { username: string }[])[0]?.username, 'alice');
});

test('rotor serve refuses a bad PORT with a clear message', async () => {
  const { code, stderr: err } = await runRotor(['serve'], { PORT: 'eighty' });
  assert.equal(code, 2);
  assert.match(err, /PORT must be a port number/);
});
