/**
 * The newest pair outside the database (docs/backups-and-moves.md), as OS processes on
 * PostgreSQL against the emulator (which ends a grant's whole family when a spent refresh token
 * comes back): `pg_dump` → several rotations → `pg_restore` of the dump → start. The restored
 * row is brought forward from the kept pair and no grant is burnt; where the kept pair does not
 * open, the account is reported ("restored from a backup older than its last refresh:
 * reconnect") and no spent token is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KeyRing } from '../../src/crypto/keyring.ts';
import { cliSetup, cliTempDir, connectAlice, runRotor, show, type Env } from '../helpers/cli.ts';
import { createPgDatabase } from '../helpers/db.ts';
import { state } from '../helpers/emulator.ts';
import { dump, restore, sql } from '../helpers/pg-tools.ts';

const tmp = cliTempDir('rotor-vault-restore-');
const ALWAYS_REFRESH = { ROTOR_REFRESH_MARGIN: '86400' };

async function onPostgres() {
  const ctx = await cliSetup(tmp);
  const url = await createPgDatabase();
  const env: Env = { ...ctx.env, ...ALWAYS_REFRESH, DATABASE_URL: url };
  assert.equal((await connectAlice({ ...ctx, env })).result.code, 0);
  assert.equal((await runRotor(['accounts', 'token', 'alice'], env)).code, 0);
  const file = join(tmp, `backup-${Date.now()}.dump`);
  dump(url, file);
  return { ctx, url, env, file };
}

const version = async (url: string) =>
  (await sql<{ version: number }>(url, 'SELECT version FROM token_sets'))[0]?.version;

test('pg_dump → 3 rotations → restore the dump → start: the row is brought forward, 0 grants burnt', async () => {
  const { ctx, url, env, file } = await onPostgres();
  const backedUp = await version(url);
  for (let i = 0; i < 3; i += 1) assert.equal((await runRotor(['accounts', 'token', 'alice'], env)).code, 0);
  const newest = await version(url);
  assert.equal(newest, (backedUp ?? 0) + 3);

  restore(url, file);
  assert.equal(await version(url), backedUp, 'the restore put the old token set back');
  const started = await runRotor(['accounts', 'token', 'alice'], env);
  assert.equal(started.code, 0, show(started));
  assert.match(
    started.stderr,
    new RegExp(
      `@alice: the database had an older token set \\(version ${backedUp}\\).*brought forward to version ${newest}`,
    ),
  );
  const posted = await runRotor(['post', 'alice', 'after the restore'], env);
  assert.equal(posted.code, 0, show(posted));

  const s = await state(ctx.emu);
  assert.equal(s.reuseDetected, 0, 'no spent refresh token was sent');
  assert.equal(s.familiesRevoked, 0);
  assert.deepEqual(
    s.grants.map((g) => [g.status, g.endReason]),
    [['active', null]],
  );
  assert.equal(s.tokenRequests.authorization_code, 1, 'no reconnection');
});

test('a restore whose newer pairs do not open (sealed with a key since dropped) is reported per account and sends nothing', async () => {
  const { ctx, url, env, file } = await onPostgres();
  // Rotations under a new active key k2: the newest pairs are sealed with it.
  const withK2 = { ...env, ROTOR_KEYS: `${KeyRing.generateEntry('k2')},${env.ROTOR_KEYS ?? ''}` };
  for (let i = 0; i < 2; i += 1)
    assert.equal((await runRotor(['accounts', 'token', 'alice'], withK2)).code, 0);
  const refreshes = (await state(ctx.emu)).grants[0]?.refreshCount;

  // The database and the configuration both come back from the backup: only k1.
  restore(url, file);
  const started = await runRotor(['accounts', 'token', 'alice'], env);
  assert.equal(started.code, 3, show(started));
  assert.match(started.stderr, /@alice: restored from a backup older than its last refresh.*: reconnect/);
  assert.match(started.stderr, /needs the user/);
  const list = await runRotor(['accounts', 'list', '--json'], env);
  const rows = JSON.parse(list.stdout) as { username: string; status: string; reason: string }[];
  assert.deepEqual(
    rows.map((r) => [r.username, r.status, r.reason]),
    [['alice', 'reauth_required', 'restored']],
  );

  const s = await state(ctx.emu);
  assert.equal(s.grants[0]?.refreshCount, refreshes, 'no refresh was sent after the restore');
  assert.equal(s.reuseDetected, 0, 'the spent refresh token was never sent');
  assert.equal(s.grants[0]?.status, 'active', 'the grant is not burnt (the user reconnects it)');
});
