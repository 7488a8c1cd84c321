/**
 * Property 37 from the command line: Rotor authenticates to X's token endpoint as X documents it,
 * `Basic base64(client_id:client_secret)` with the values as they are. The emulator reads Basic
 * the same way by default (a form-urlencoded `%2D` is another client id), and the client id and
 * secret here are shaped like X's, with `-`, `_`, `.` and `~`. A refused client is said as the
 * app's client id and secret, never as the callback URL, with its own exit code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyRing } from '../../src/crypto/keyring.ts';
import {
  CLI_CLIENT_ID,
  CLI_CLIENT_SECRET,
  cliSetup,
  cliTempDir,
  connectAlice,
  runRotor,
  show,
} from '../helpers/cli.ts';
import { emulator } from '../helpers/emulator.ts';

const tmp = cliTempDir('rotor-client-auth-');

/** Waits until the wall clock has passed `instant` (epoch ms): a known instant, not an ordering guess. */
const sleepUntil = (instant: number) => delay(Math.max(0, instant - Date.now()));

describe('client authentication as X documents it (CLI processes)', () => {
  test('accounts connect with an X-shaped client id and secret (- _ . ~) connects against the strict emulator', async () => {
    assert.match(CLI_CLIENT_ID, /-/);
    assert.match(CLI_CLIENT_ID, /_/);
    assert.match(CLI_CLIENT_SECRET, /\./);
    assert.match(CLI_CLIENT_SECRET, /~/);
    const setup = await cliSetup(tmp);
    assert.equal(setup.emu.world.settings.lenientBasicAuth, false, 'the emulator is strict by default');
    const { result } = await connectAlice(setup);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /Connected @alice/);
  });

  test('a wrong X_CLIENT_SECRET: connect names the client id and X_CLIENT_SECRET, not the callback URL; accounts token exits 5', async () => {
    const setup = await cliSetup(tmp);
    const wrongEnv = { ...setup.env, X_CLIENT_SECRET: 'not-the-secret' };
    const refused = await connectAlice({ ...setup, env: wrongEnv });
    assert.notEqual(refused.result.code, 0, show(refused.result));
    for (const text of [refused.result.stderr, refused.html]) {
      assert.ok(text.includes(CLI_CLIENT_ID), text);
      assert.match(text, /X_CLIENT_SECRET/);
      assert.doesNotMatch(text, /check the app's callback URL/i);
    }
    assert.doesNotMatch(refused.result.stderr, /not-the-secret/, 'the secret itself is never printed');

    // Access tokens of 3 s, so that the stored one is expired when `accounts token` runs.
    const short = await cliSetup(tmp, { accessTokenTtl: 3 });

    const { result } = await connectAlice(short);
    assert.equal(result.code, 0, show(result));
    // Property 35 hands out a still-valid token when a refresh is impossible; once the stored
    // one has expired, nothing can be handed out and the refused client is said as such.
    const listed = await runRotor(['accounts', 'list', '--json'], short.env);
    const [alice] = JSON.parse(listed.stdout) as { accessExpiresAt: string }[];
    const expiresAt = Date.parse(alice?.accessExpiresAt ?? '');
    assert.ok(Number.isFinite(expiresAt), listed.stdout);
    await sleepUntil(expiresAt + 100);
    const token = await runRotor(['accounts', 'token', 'alice'], {
      ...short.env,
      X_CLIENT_SECRET: 'not-the-secret',
    });
    // Never show(token): on a failure its stdout would be a token.
    assert.equal(token.code, 5, token.stderr);
    assert.equal(token.stdout, '', 'no token printed');
    assert.match(token.stderr, /X_CLIENT_ID and X_CLIENT_SECRET/);
    assert.ok(token.stderr.includes(CLI_CLIENT_ID), token.stderr);
    assert.doesNotMatch(token.stderr, /no such account|not-the-secret/);
    // The right secret still works: nothing was lost to the refusal.
    const good = await runRotor(['accounts', 'token', 'alice'], short.env);
    assert.equal(good.code, 0, good.stderr);
  });

  test('rotor doctor reports which Basic form X accepts: strict (as they are only) and lenient (both)', async () => {
    const setup = await cliSetup(tmp);
    const strict = await runRotor(['doctor'], setup.env);
    assert.match(
      strict.stdout,
      /^ok {4}client credentials: X accepts client \S+ with Basic base64\(client_id:client_secret\) as they are, as Rotor sends it; X refuses them form-urlencoded/m,
      show(strict),
    );

    const lenient = await emulator({
      autoApprove: 'alice',
      lenientBasicAuth: true,
      clients: [
        { clientId: CLI_CLIENT_ID, clientSecret: CLI_CLIENT_SECRET, redirectUris: [setup.redirectUri] },
      ],
    });
    const both = await runRotor(['doctor'], {
      ...setup.env,
      X_EMULATOR_URL: lenient.url,
      ROTOR_KEYS: KeyRing.generateEntry('k1'),
    });
    assert.match(
      both.stdout,
      /^ok {4}client credentials: X accepts client \S+ with Basic base64\(client_id:client_secret\) as they are, as Rotor sends it; X also accepts them form-urlencoded$/m,
      show(both),
    );
  });
});
