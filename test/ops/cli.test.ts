/**
 * `rotor init`, `.env` loading, `rotor doctor` (exit 1 and a fix for each problem), and the
 * commands the Docker image and compose.yaml run (`serve` answering /healthz and its compose
 * healthcheck, `worker`), started as real processes the way the containers start them — Docker
 * itself does not run on the test machines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { KeyRing } from '../../src/crypto/keyring.ts';
import {
  BIN,
  ROOT,
  childEnv,
  CLI_CLIENT_ID,
  cliSetup,
  cliTempDir,
  connectAlice,
  freePort,
  kill,
  runRotor,
  show,
  track,
  waitForExit,
  waitForLine,
  type Env,
} from '../helpers/cli.ts';
import { createPgDatabase } from '../helpers/db.ts';

/** `rotor …args` run in `cwd` (where it looks for `.env`). */
function rotorIn(cwd: string, args: string[], env: Env = {}) {
  return waitForExit(
    track(
      spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }),
      `rotor ${args.join(' ')}`,
    ),
  );
}

test('rotor init writes a private, commented .env with a working key; never overwrites one without --force', async () => {
  const dir = cliTempDir('rotor-init-');
  const first = await rotorIn(dir, ['init']);
  assert.equal(first.code, 0, show(first));
  const file = join(dir, '.env');
  const text = readFileSync(file, 'utf8');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const vars = parseEnv(text);
  assert.doesNotThrow(() => KeyRing.parse(vars.ROTOR_KEYS));
  // Every setting is there, documented (commented out unless it has to be set).
  for (const name of [
    'X_CLIENT_ID',
    'X_CLIENT_SECRET',
    'X_REDIRECT_URI',
    'X_EMULATOR_URL',
    'DATABASE_URL',
    'ROTOR_DATA_DIR',
    'ROTOR_REFRESH_MARGIN',
    'PORT',
    'ROTOR_HOST',
    'ROTOR_WORKER_CONCURRENCY',
    'ROTOR_LOG_LEVEL',
    'ROTOR_LOG_FILE',
    'ROTOR_SMTP_URL',
    'ROTOR_NOTIFY_EMAIL',
    'ROTOR_WEBHOOK_URL',
    'ROTOR_WEBHOOK_SECRET',
    'ROTOR_NOTIFY_LOCALE',
    'ROTOR_REFRESH',
    'ROTOR_NEWEST_DIR',
  ]) {
    assert.match(text, new RegExp(`^# ${name}=`, 'm'), name);
  }
  const again = await rotorIn(dir, ['init']);
  assert.equal(again.code, 1, show(again));
  assert.match(again.stderr, /already exists; not overwritten.*--force/);
  assert.equal(readFileSync(file, 'utf8'), text, 'unchanged');
  const forced = await rotorIn(dir, ['init', '--force']);
  assert.equal(forced.code, 0, show(forced));
  assert.notEqual(parseEnv(readFileSync(file, 'utf8')).ROTOR_KEYS, vars.ROTOR_KEYS);
});

test('rotor doctor: all good against the emulator; each problem named with its fix, exit 1', async () => {
  const tmp = cliTempDir('rotor-doctor-');
  const setup = await cliSetup(tmp);
  const { result } = await connectAlice(setup);
  assert.equal(result.code, 0, show(result));

  // Settings from a .env in the working folder; a variable set in the environment wins over it.
  const dotenv = Object.entries(setup.env)
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join('\n');
  writeFileSync(join(tmp, '.env'), dotenv);
  const good = await rotorIn(tmp, ['doctor']);
  assert.equal(good.code, 0, show(good));
  for (const name of [
    'configuration',
    'key ring',
    'database',
    'migrations',
    'stored tokens',
    'X reachable',
    'clock',
    'client credentials',
    'redirect URI',
  ]) {
    assert.match(good.stdout, new RegExp(`^ok {4}${name}: `, 'm'), `${name}\n${good.stdout}`);
  }
  assert.match(good.stdout, /Everything looks right\.$/m);

  const dead = `http://127.0.0.1:${await freePort()}`;
  const unreachable = await rotorIn(tmp, ['doctor'], { X_EMULATOR_URL: dead });
  assert.equal(unreachable.code, 1, show(unreachable));
  assert.match(
    unreachable.stdout,
    /^FAIL {2}X reachable: cannot reach the X emulator at http:\/\/127\.0\.0\.1:\d+$/m,
  );
  assert.match(unreachable.stdout, /^ {8}fix: start the emulator/m);

  const wrong = await runRotor(['doctor'], {
    ...setup.env,
    X_CLIENT_SECRET: 'not-the-secret',
    X_REDIRECT_URI: 'http://127.0.0.1:1/elsewhere',
    ROTOR_KEYS: KeyRing.generateEntry('k9'),
  });
  assert.equal(wrong.code, 1, show(wrong));
  assert.ok(
    wrong.stdout.includes(
      `FAIL  client credentials: X refuses client ${CLI_CLIENT_ID} in both Basic forms (as they are, and form-urlencoded)\n`,
    ),
    wrong.stdout,
  );
  assert.match(
    wrong.stdout,
    /^FAIL {2}redirect URI: the emulator refuses http:\/\/127\.0\.0\.1:1\/elsewhere/m,
  );
  assert.match(wrong.stdout, /^FAIL {2}stored tokens: sealed with key ROTOR_KEYS lacks: k1 \(2\)$/m);
  assert.match(wrong.stdout, /^ {8}fix: add the missing key entries back to ROTOR_KEYS/m);
  assert.match(wrong.stdout, /^3 problems to fix\.$/m);

  const invalid = await runRotor(['doctor'], {
    ...setup.env,
    ROTOR_WEBHOOK_URL: 'http://hooks.example.com/x',
  });
  assert.equal(invalid.code, 1, show(invalid));
  assert.match(invalid.stdout, /^FAIL {2}configuration: ROTOR_WEBHOOK_URL must be an https URL/m);
  assert.match(invalid.stdout, /^FAIL {2}configuration: ROTOR_WEBHOOK_URL is set but ROTOR_WEBHOOK_SECRET/m);
});

/** The command a compose service runs: the image's ENTRYPOINT followed by its `command:`. */
function composeCommands(): Map<string, string[]> {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  const defaultCmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
  const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
  const out = new Map<string, string[]>([['(image default)', [...entrypoint, ...defaultCmd]]]);
  let service: string | undefined;
  for (const line of compose.split('\n')) {
    const s = /^ {2}([\w-]+):$/.exec(line);
    if (s) service = s[1];
    const c = /^ {4}command: (\[.*\])$/.exec(line);
    if (c && service)
      out.set(service, [...entrypoint, ...(JSON.parse(c[1]?.replace(/'/g, '"') ?? '[]') as string[])]);
  }
  return out;
}

test('the commands of the Docker image and compose.yaml run: serve (healthz, readyz) and two workers on one PostgreSQL', async () => {
  const tmp = cliTempDir('rotor-compose-');
  const setup = await cliSetup(tmp);
  const commands = composeCommands();
  assert.deepEqual([...commands.keys()], ['(image default)', 'app', 'worker-1', 'worker-2']);
  // The young generation sized for a worker, as `bin/rotor.js`'s #! line does (docs/performance.md).
  const node = ['node', '--max-semi-space-size=8', 'bin/rotor.js'];
  assert.deepEqual(commands.get('(image default)'), [...node, 'serve']);
  assert.deepEqual(commands.get('app'), [...node, 'serve']);
  const port = await freePort();
  // The environment compose gives the containers (PostgreSQL here is the test server's).
  const env: Env = {
    ...setup.env,
    DATABASE_URL: await createPgDatabase(),
    ROTOR_HOST: '127.0.0.1',
    PORT: String(port),
    ROTOR_LOG_LEVEL: 'info',
  };
  const start = (service: string, dataDir: string, extra: Env = {}) => {
    const [cmd, ...args] = commands.get(service) ?? [];
    assert.equal(cmd, 'node');
    return track(
      spawn(process.execPath, args, {
        cwd: ROOT,
        env: childEnv({ ...env, ROTOR_DATA_DIR: join(tmp, dataDir), ...extra }),
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
      service,
    );
  };
  const app = start('app', 'app');
  try {
    await waitForLine(app, `http://127.0.0.1:${port}/`);
    // Each worker serves its own /metrics (ROTOR_METRICS_PORT, as compose.yaml sets it).
    const metricsPorts = [await freePort(), await freePort()];
    const workers = [
      start('worker-1', 'w1', { ROTOR_METRICS_PORT: String(metricsPorts[0]) }),
      start('worker-2', 'w2', { ROTOR_METRICS_PORT: String(metricsPorts[1]) }),
    ];
    try {
      for (const w of workers) await waitForLine(w, /^rotor worker \d+ running$/);
      for (const p of metricsPorts) {
        const m = await fetch(`http://127.0.0.1:${p}/metrics`);
        assert.equal(m.status, 200);
        assert.match(await m.text(), /^# TYPE rotor_posts_total counter$/m);
        assert.equal((await fetch(`http://127.0.0.1:${p}/readyz`)).status, 200);
      }
      assert.match(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), /ROTOR_METRICS_PORT: '9464'/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      // Each process logs JSON lines on stderr (what `docker compose logs` shows).
      const line = app
        .stderr()
        .split('\n')
        .find((l) => l.startsWith('{'));
      assert.ok(line, `JSON log lines on stderr:\n${app.stderr()}`);
      assert.equal((JSON.parse(line) as { level?: string }).level !== undefined, true);
      // The compose healthcheck of the app, as compose runs it.
      const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
      const probe = /"(fetch\('http:\/\/127\.0\.0\.1:3000\/readyz'[^"]+)"/.exec(compose)?.[1] ?? '';
      assert.ok(probe, 'the healthcheck probes /readyz');
      const check = await waitForExit(
        track(
          spawn(process.execPath, ['-e', probe.replace('127.0.0.1:3000', `127.0.0.1:${port}`)], {
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
          'healthcheck',
        ),
      );
      assert.equal(check.code, 0, `the app's healthcheck passes: ${show(check)}`);
    } finally {
      for (const w of workers) kill(w);
    }
  } finally {
    kill(app);
  }
});
