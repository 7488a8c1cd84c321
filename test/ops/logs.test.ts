/**
 * Logs (properties 26, 27): the redaction layer stops tokens, codes, verifiers, secrets and keys
 * by field name at any depth and by shape inside strings; and a debug-level run of real `rotor`
 * processes (connect, refresh, post, disconnect) writes audit events with UTC times and not one
 * secret — checked with the same scanner `npm test` runs, and with sentinels planted on purpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { findSecrets } from '../../scripts/secret-scan.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';
import { mintToken } from '../../src/emulator/tokens.ts';
import { createAudit } from '../../src/ops/audit.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { REDACTED, redact, scrub } from '../../src/ops/redact.ts';
import { control } from '../helpers/emulator.ts';
import { CLI_CLIENT_SECRET, cliSetup, cliTempDir, connectAlice, runRotor, show } from '../helpers/cli.ts';

function captured(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => out };
}

test('scrub: X-shaped tokens, key entries, credentials and OAuth parameters go; ordinary text stays', () => {
  const at = mintToken('at', Date.now());
  const rt = mintToken('rt', Date.now());
  const code = mintToken('ac', Date.now());
  const key = KeyRing.generateEntry('k1');
  const text = [
    `token ${at} and ${rt}`,
    `GET /callback?code=${code}&state=abc123def`,
    `authorization: Bearer ${at}`,
    'Basic Y2xpLWFwcDpjbGktc2VjcmV0',
    `{"refresh_token":"${rt}","scope":"tweet.read"}`,
    `grant_type=refresh_token&refresh_token=${rt}&code_verifier=averylongverifier`,
    `ROTOR_KEYS=${key}`,
    'account 4f0c9a2b-aaaa-bbbb-cccc-123456789012 refreshed in 120 ms (version 7)',
  ].join('\n');
  const out = scrub(text, ['my-configured-client-secret']);
  assert.deepEqual(findSecrets(out), []);
  for (const secret of [at, rt, code, key, 'averylongverifier', 'abc123def', 'Y2xpLWFwcDpjbGktc2VjcmV0']) {
    assert.ok(!out.includes(secret), `leaked: ${secret.slice(0, 6)}…`);
  }
  assert.match(out, /account 4f0c9a2b-aaaa-bbbb-cccc-123456789012 refreshed in 120 ms \(version 7\)/);
  assert.match(out, /"scope":"tweet\.read"/);
  assert.equal(
    scrub('the secret is my-configured-client-secret!', ['my-configured-client-secret']),
    `the secret is ${REDACTED}!`,
  );
});

test('redact: secret-named fields at any depth, errors without their cause, cycles cut', () => {
  const at = mintToken('at', Date.now());
  const cause = new Error(`body: {"access_token":"${at}"}`);
  const err = Object.assign(new Error(`X said no to ${at}`), { code: 'x_unavailable' });
  Object.defineProperty(err, 'cause', { value: cause, enumerable: false });
  const obj: Record<string, unknown> = {
    accountId: 'a1',
    keyId: 'k2',
    tokens: { accessToken: at, nested: [{ refresh_token: 'r-123456789' }] },
    headers: new Headers({ authorization: `Bearer ${at}`, 'content-type': 'application/json' }),
    clientSecret: 'sssssssssss',
    verifierCt: 'v1.k1.x.y',
    err,
  };
  obj.self = obj;
  const out = JSON.stringify(redact(obj));
  assert.deepEqual(findSecrets(out), []);
  assert.ok(!out.includes('r-123456789') && !out.includes('sssssssssss') && !out.includes('v1.k1.x.y'));
  const back = JSON.parse(out) as Record<string, Record<string, unknown>>;
  assert.equal(back.keyId, 'k2');
  assert.equal(back.err?.code, 'x_unavailable');
  assert.equal(back.headers?.['content-type'], 'application/json');
  assert.equal(back.self, '[cut]');
});

test('the logger: every argument redacted, child bindings too, times in UTC, audit events named', () => {
  const at = mintToken('at', Date.now());
  const sink = captured();
  const log = createLogger({
    level: 'trace',
    destination: sink.stream,
    secrets: ['sentinel-client-secret-4711'],
  });
  log.debug({ accessToken: at, note: `refresh with ${at}` }, `sending ${at}`);
  log.child({ requestId: 'r1', code: mintToken('ac', Date.now()) }).info('callback');
  log.error(new Error(`failed for sentinel-client-secret-4711 with ${at}`));
  log.info(`url https://x.test/cb?code=${mintToken('ac', Date.now())}&state=zzzzzz`);
  createAudit(log, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) })('token_refreshed', { accountId: 'a1' });
  const text = sink.text();
  assert.deepEqual(findSecrets(text), []);
  assert.ok(!text.includes('sentinel-client-secret-4711'));
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 5);
  for (const l of lines) assert.match(String(l.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(lines[1]?.requestId, 'r1');
  assert.deepEqual(
    { audit: lines[4]?.audit, at: lines[4]?.at, accountId: lines[4]?.accountId },
    { audit: 'token_refreshed', at: '2026-01-02T03:04:05.000Z', accountId: 'a1' },
  );
});

test('a debug-level run of real rotor processes logs audit events and no secret (sentinel scan)', async () => {
  const tmp = cliTempDir('rotor-logs-');
  const setup = await cliSetup(tmp);
  const logFile = join(tmp, 'rotor.log');
  const env = { ...setup.env, ROTOR_LOG_LEVEL: 'debug', ROTOR_LOG_FILE: logFile };
  const withLogs = { ...setup, env };
  const { result } = await connectAlice(withLogs);
  assert.equal(result.code, 0, show(result));
  const first = await runRotor(['accounts', 'token', 'alice'], env);
  assert.equal(first.code, 0, show(first));
  // Past the access token's life: the next command refreshes (a new pair from X).
  await control(setup.emu, 'POST', '/clock', { advanceSeconds: 7200 });
  const second = await runRotor(['accounts', 'token', 'alice'], env);
  assert.equal(second.code, 0, show(second));
  const posted = await runRotor(['post', 'alice', 'logged, not leaked'], env);
  assert.equal(posted.code, 0, show(posted));
  const gone = await runRotor(['accounts', 'disconnect', 'alice'], env);
  assert.equal(gone.code, 0, show(gone));

  const log = readFileSync(logFile, 'utf8');
  const lines = log
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(
    lines.some((l) => l.level === 'debug'),
    'debug lines were written',
  );
  const audits = lines.filter((l) => typeof l.audit === 'string');
  for (const name of ['account_connected', 'token_refreshed', 'post_published', 'account_disconnected']) {
    const a = audits.find((l) => l.audit === name);
    assert.ok(a, `audit ${name} in ${audits.map((l) => String(l.audit)).join(', ')}`);
    assert.match(String(a.at), /Z$/);
  }
  // Sentinels: what the processes held in memory and must never write.
  const key = (setup.env.ROTOR_KEYS ?? '').split(':')[1] ?? '';
  for (const [what, secret] of [
    ['access token (first)', first.stdout.trim()],
    ['access token (refreshed)', second.stdout.trim()],
    ['client secret', CLI_CLIENT_SECRET],
    ['encryption key', key],
  ] as const) {
    assert.ok(secret.length >= 10, what);
    assert.ok(!log.includes(secret), `${what} leaked into the log`);
  }
  assert.deepEqual(findSecrets(log), []);
});
