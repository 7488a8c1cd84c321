/** `rotor accounts connect`: a stray request to the callback address does not use up the listener. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  authUrlLine,
  cliSetup,
  cliTempDir,
  kill,
  killLeftovers,
  spawnRotor,
  waitForExit,
  waitForLine,
} from '../helpers/cli.ts';

after(killLeftovers);

test('a request without a state is refused with 400, and the real redirect still completes', async () => {
  const setup = await cliSetup(cliTempDir('rotor-stray-'));
  const proc = spawnRotor(['accounts', 'connect', '--no-browser'], setup.env);
  try {
    const authUrl = await waitForLine(proc, authUrlLine(setup.emu));
    const stray = await fetch(setup.redirectUri); // a prefetch, or a page poking at loopback
    assert.equal(stray.status, 400);
    const page = await fetch(authUrl, { redirect: 'follow' });
    assert.equal(page.status, 200);
    const result = await waitForExit(proc);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Connected @alice/);
  } finally {
    kill(proc);
  }
});
