/**
 * Fencing copies (docs/backups-and-moves.md), as OS processes against the emulator: a data folder
 * copied beside the original, and a PostgreSQL database restored under another name (a staging
 * copy), refuse to refresh until `rotor vault claim`; `rotor doctor` says why. The emulator counts
 * every refresh token presented: none is presented twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { cliSetup, cliTempDir, connectAlice, runRotor, show } from '../helpers/cli.ts';
import { createPgDatabase } from '../helpers/db.ts';
import { state } from '../helpers/emulator.ts';
import { dump, restore } from '../helpers/pg-tools.ts';

const tmp = cliTempDir('rotor-vault-copies-');
const ALWAYS_REFRESH = { ROTOR_REFRESH_MARGIN: '86400' };

test('a copied data folder beside the original: no account is refreshed by both (no refresh token presented twice)', async () => {
  const ctx = await cliSetup(tmp);
  assert.equal((await connectAlice(ctx)).result.code, 0);
  const original = { ...ctx.env, ...ALWAYS_REFRESH };
  // One refresh on the original first: it has recorded where it lives.
  assert.equal((await runRotor(['accounts', 'token', 'alice'], original)).code, 0);
  const copyDir = `${ctx.dataDir}-copy`;
  cpSync(ctx.dataDir, copyDir, { recursive: true });
  const copy = { ...original, ROTOR_DATA_DIR: copyDir };

  for (let round = 0; round < 3; round += 1) {
    const fromOriginal = await runRotor(['accounts', 'token', 'alice'], original);
    assert.equal(fromOriginal.code, 0, show(fromOriginal));
    const fromCopy = await runRotor(['accounts', 'token', 'alice'], copy);
    assert.equal(fromCopy.code, 4, show(fromCopy));
    assert.match(fromCopy.stderr, /refreshing is off: this (database|data folder) is a copy/);
    assert.match(fromCopy.stderr, /rotor vault claim/);
  }
  const s = await state(ctx.emu);
  assert.equal(s.grants[0]?.refreshCount, 4, 'only the original refreshed (1 + 3)');
  assert.equal(s.reuseDetected, 0, 'no refresh token was presented twice');
  assert.deepEqual(
    s.grants.map((g) => g.status),
    ['active'],
  );

  const doctor = await runRotor(['doctor'], copy);
  assert.equal(doctor.code, 1, show(doctor));
  assert.match(
    doctor.stdout,
    /^FAIL {2}installation: .*refreshing is off: this (database|data folder) is a copy/m,
  );
  assert.match(doctor.stdout, /fix: .*rotor vault claim/);
  const status = await runRotor(['vault', 'status'], copy);
  assert.equal(status.code, 1, show(status));
});

test('the copy refreshes once claimed (the original stopped before it refreshed again)', async () => {
  const ctx = await cliSetup(tmp);
  assert.equal((await connectAlice(ctx)).result.code, 0);
  assert.equal((await runRotor(['accounts', 'list'], ctx.env)).code, 0);
  const copyDir = `${ctx.dataDir}-moved`;
  cpSync(ctx.dataDir, copyDir, { recursive: true });
  const copy = { ...ctx.env, ...ALWAYS_REFRESH, ROTOR_DATA_DIR: copyDir };
  assert.equal((await runRotor(['accounts', 'token', 'alice'], copy)).code, 4);
  const claim = await runRotor(['vault', 'claim'], copy);
  assert.equal(claim.code, 0, show(claim));
  assert.match(claim.stdout, /Before: this (database|data folder) is a copy/);
  assert.match(claim.stdout, /Claimed/);
  for (let i = 0; i < 2; i += 1) assert.equal((await runRotor(['accounts', 'token', 'alice'], copy)).code, 0);
  const doctor = await runRotor(['doctor'], copy);
  assert.match(doctor.stdout, /^ok {4}installation: /m);
  const s = await state(ctx.emu);
  assert.equal(s.grants[0]?.refreshCount, 2);
  assert.equal(s.reuseDetected, 0);
});

test('a staging copy of the PostgreSQL database (restored under another name) refuses to refresh, hands out valid tokens, and ROTOR_REFRESH=off says so', async () => {
  const ctx = await cliSetup(tmp);
  const prodUrl = await createPgDatabase();
  const prod = { ...ctx.env, DATABASE_URL: prodUrl };
  assert.equal((await connectAlice({ ...ctx, env: prod })).result.code, 0);
  assert.equal((await runRotor(['accounts', 'token', 'alice'], { ...prod, ...ALWAYS_REFRESH })).code, 0);

  const file = join(tmp, `prod-${Date.now()}.dump`);
  dump(prodUrl, file);
  const stagingUrl = await createPgDatabase();
  restore(stagingUrl, file);
  const staging = { ...prod, DATABASE_URL: stagingUrl, ROTOR_DATA_DIR: mkdtempSync(join(tmp, 'staging-')) };

  // A still-valid access token is handed out; a refresh is refused.
  const valid = await runRotor(['accounts', 'token', 'alice'], staging);
  assert.equal(valid.code, 0, show(valid));
  const refused = await runRotor(['accounts', 'token', 'alice'], { ...staging, ...ALWAYS_REFRESH });
  assert.equal(refused.code, 4, show(refused));
  assert.match(refused.stderr, /this database is a copy/);
  const off = await runRotor(['accounts', 'token', 'alice'], {
    ...staging,
    ...ALWAYS_REFRESH,
    ROTOR_REFRESH: 'off',
  });
  assert.equal(off.code, 4, show(off));
  // The production database keeps refreshing.
  assert.equal((await runRotor(['accounts', 'token', 'alice'], { ...prod, ...ALWAYS_REFRESH })).code, 0);

  // A fresh staging database (no copy) with ROTOR_REFRESH=off never refreshes either.
  const fresh = {
    ...ctx.env,
    ...ALWAYS_REFRESH,
    ROTOR_REFRESH: 'off',
    DATABASE_URL: prodUrl,
    ROTOR_DATA_DIR: mkdtempSync(join(tmp, 'off-')),
  };
  const switchedOff = await runRotor(['accounts', 'token', 'alice'], fresh);
  assert.equal(switchedOff.code, 4, show(switchedOff));
  assert.match(
    switchedOff.stderr,
    /ROTOR_REFRESH=off: this installation hands out valid tokens but never refreshes them/,
  );
  const doctor = await runRotor(['doctor'], fresh);
  assert.match(doctor.stdout, /^warn {2}installation: .*ROTOR_REFRESH=off/m);

  const s = await state(ctx.emu);
  assert.equal(s.grants[0]?.refreshCount, 2, 'only production refreshed');
  assert.equal(s.reuseDetected, 0);
});
