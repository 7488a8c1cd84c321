/**
 * The one settings schema (src/core/settings.ts): docs/configuration.md and `rotor init`'s
 * template come from it, its documented defaults are the ones used, every bad value is named
 * (never a secret's value) and stops the process, and only the entry points read `process.env`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseEnv } from 'node:util';
import { checkConfig, loadConfig } from '../../src/core/config.ts';
import { SETTINGS, type Setting, type SettingName } from '../../src/core/settings.ts';
import { renderEnvFile } from '../../src/ops/env-file.ts';
import { CONFIG_DOCS, configDocs } from '../../scripts/config-docs.ts';
import { cliTempDir, ROOT, runRotor, show } from '../helpers/cli.ts';

const names = Object.keys(SETTINGS) as SettingName[];

test('docs/configuration.md is what `npm run docs:config` writes from the schema', async () => {
  assert.equal(
    readFileSync(CONFIG_DOCS, 'utf8'),
    await configDocs(CONFIG_DOCS),
    'docs/configuration.md is out of date: run `npm run docs:config`',
  );
  const docs = readFileSync(CONFIG_DOCS, 'utf8');
  for (const name of names) assert.match(docs, new RegExp(`\`${name}\``), name);
});

test('rotor init’s template has every setting, commented out, and its values parse', () => {
  const text = renderEnvFile('k1:' + Buffer.alloc(32).toString('base64'));
  for (const name of names) {
    if (name === 'ROTOR_ENV_FILE') continue; // names the file itself
    if (name === 'ROTOR_KEYS') assert.match(text, /^ROTOR_KEYS=k1:/m);
    else assert.match(text, new RegExp(`^# ${name}=`, 'm'), name);
  }
  // Each example on its own is an allowed value.
  for (const line of text.split('\n')) {
    const m = /^# ([A-Z_]+)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const value = parseEnv(`${m[1]}=${m[2]}`)[m[1]];
    const r = (SETTINGS[m[1] as SettingName] as Setting).schema.safeParse(value);
    assert.ok(r.success, `${line}: ${JSON.stringify(r.error?.issues)}`);
  }
});

test('each documented default is the value used when the variable is unset', () => {
  const unset = loadConfig({});
  for (const name of names) {
    const d = (SETTINGS[name] as Setting).default;
    // Defaults that are not a value (derived, or per command) are described in words.
    if (d === undefined || /[<(,]/.test(d)) continue;
    assert.deepEqual(loadConfig({ [name]: d }), unset, `${name}=${d}`);
  }
  assert.equal(unset.web.port, 3000);
  assert.equal(unset.workers.concurrency, 64);
  assert.equal(unset.workers.prewarm.perSecond, 50);
  assert.equal(unset.backups.refresh, 'on');
});

test('demo mode is decided once, by X_CLIENT_ID; rotor serve derives its callback from ROTOR_HOST and PORT', () => {
  assert.equal(loadConfig({}).x.demo, true);
  assert.equal(loadConfig({ X_CLIENT_ID: 'app' }).x.demo, false);
  assert.equal(loadConfig({ X_CLIENT_ID: '  ' }).x.demo, true, 'empty counts as unset');
  assert.equal(
    loadConfig({ PORT: '8080' }, { serve: true }).x.redirectUri,
    'http://127.0.0.1:8080/auth/x/callback',
  );
  assert.equal(loadConfig({ PORT: '8080' }).x.redirectUri, 'http://127.0.0.1:3000/auth/x/callback');
  const open = checkConfig({ ROTOR_HOST: '0.0.0.0' }, { serve: true });
  assert.ok(!open.ok && open.problems[0]?.variable === 'X_REDIRECT_URI', JSON.stringify(open));
});

test('every bad value is named with what is allowed; a secret value is never repeated', () => {
  const bad: Partial<Record<SettingName, string>> = {
    X_REDIRECT_URI: 'http://example.com/cb',
    X_EMULATOR_URL: 'not a url',
    DATABASE_URL: 'mysql://user:hunter2-secret@db',
    ROTOR_REFRESH: 'maybe',
    PORT: 'eighty',
    ROTOR_EMULATOR_PORT: '70000',
    ROTOR_PUBLIC_URL: 'ftp://x',
    ROTOR_SESSION_IDLE_SECONDS: '5',
    ROTOR_RATE_LIMIT_SIGNIN: 'lots',
    ROTOR_TRUST_PROXY: 'yes',
    ROTOR_REFRESH_MARGIN: 'soon',
    ROTOR_WORKER_CONCURRENCY: '0',
    ROTOR_SWEEP_SECONDS: '1.5',
    ROTOR_LOG_LEVEL: 'loud',
    ROTOR_METRICS_TOKEN: 'short-secret',
    ROTOR_METRICS_PORT: '0',
    ROTOR_SMTP_URL: 'http://hunter2-secret@mail',
    ROTOR_NOTIFY_EMAIL: 'nobody',
    ROTOR_WEBHOOK_URL: 'http://hooks.example.com',
    ROTOR_WEBHOOK_SECRET: 'hunter2-secret',
    ROTOR_NOTIFY_LOCALE: 'fr',
  };
  const r = checkConfig(bad);
  assert.ok(!r.ok);
  for (const [name, value] of Object.entries(bad)) {
    const p = r.problems.find((x) => x.variable === name);
    assert.ok(p, `${name} is reported`);
    assert.ok(p.message.startsWith(`${name} `), p.message);
    if ((SETTINGS[name as SettingName] as Setting).secret) assert.ok(!p.message.includes(value), p.message);
    else assert.ok(p.message.includes(`"${value}"`), `${p.message} quotes what was given`);
  }
  assert.ok(!JSON.stringify(r.problems).includes('hunter2'));
  // A variable whose value is not allowed still counts as set for the rules across variables.
  const pair = checkConfig({ ROTOR_WEBHOOK_URL: 'http://hooks.example.com/x' });
  assert.deepEqual(!pair.ok && pair.problems.map((p) => p.message), [
    'ROTOR_WEBHOOK_URL must be an https URL (plain http only on 127.0.0.1 / localhost), got "http://hooks.example.com/x"',
    'ROTOR_WEBHOOK_URL is set but ROTOR_WEBHOOK_SECRET (to sign the deliveries) is not',
  ]);
  assert.throws(() => loadConfig(bad), /config_invalid|configuration problems/);
});

test('only the entry points read process.env; everything else gets the parsed configuration', () => {
  const allowed = new Set([
    'src/core/config.ts', // loadConfig's default environment
    'src/cli/runtime.ts', // a command's configuration
    'src/cli/main.ts', // ROTOR_ENV_FILE, before .env is read
    'src/ops/env-file.ts', // .env fills this process's environment
    'src/ops/doctor/doctor.ts', // rotor doctor checks this process's environment
    'src/web/security-config.ts', // loadWebSecurity's default environment
  ]);
  const readers: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        // Code only: `process.env` in a comment (an example) does not read anything.
        const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        if (code.includes('process.env')) readers.push(relative(ROOT, path));
      }
    }
  };
  walk(join(ROOT, 'src'));
  assert.deepEqual(
    readers.filter((f) => !allowed.has(f)),
    [],
    'read settings through loadConfig (src/core/settings.ts)',
  );
});

test('a bad setting stops any command (exit 2, naming it); rotor doctor shows settings by feature and flags unknown names', async () => {
  const dir = cliTempDir('rotor-config-');
  const bad = await runRotor(['accounts', 'list'], { ROTOR_DATA_DIR: dir, ROTOR_WORKER_CONCURRENCY: '0' });
  assert.equal(bad.code, 2, show(bad));
  assert.match(bad.stderr, /ROTOR_WORKER_CONCURRENCY must be a whole number ≥ 1, got "0"/);

  const token = 'metrics-token-not-to-be-shown';
  const doctor = await runRotor(['doctor'], {
    ROTOR_DATA_DIR: dir,
    PORT: '8080',
    ROTOR_METRICS_TOKEN: token,
    ROTOR_WORKR_CONCURRENCY: '4',
  });
  assert.match(doctor.stdout, /^warn {2}configuration: ROTOR_WORKR_CONCURRENCY is not a Rotor setting/m);
  assert.match(doctor.stdout, /^ok {4}settings \(web\): set: PORT=8080; default: ROTOR_HOST=127\.0\.0\.1/m);
  assert.match(doctor.stdout, /^ok {4}settings \(metrics\): set: ROTOR_METRICS_TOKEN \(set\)/m);
  assert.match(doctor.stdout, /^ok {4}settings \(workers\): none set; default: ROTOR_REFRESH_MARGIN=/m);
  assert.ok(!doctor.stdout.includes(token), doctor.stdout);
});
