/**
 * `rotor vault export` / `rotor vault import` as OS processes (docs/backups-and-moves.md): an
 * account connected on the embedded PGlite moves to PostgreSQL with no reconnection, refreshes
 * and posts there against the emulator, and the source refuses to refresh afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliSetup, cliTempDir, connectAlice, runRotor, show } from '../helpers/cli.ts';
import { createPgDatabase } from '../helpers/db.ts';
import { state } from '../helpers/emulator.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';

const tmp = cliTempDir('rotor-vault-move-');
/** Every call refreshes first (the margin is longer than a token's life). */
const ALWAYS_REFRESH = { ROTOR_REFRESH_MARGIN: '86400' };

test('PGlite → PostgreSQL by export/import: 0 reconnects, the moved account refreshes and posts, the source refuses to refresh', async () => {
  const ctx = await cliSetup(tmp);
  const connected = await connectAlice(ctx);
  assert.equal(connected.result.code, 0, show(connected.result));
  const source = { ...ctx.env, ...ALWAYS_REFRESH };
  // The source works: one refresh before the move.
  const before = await runRotor(['accounts', 'token', 'alice'], source);
  assert.equal(before.code, 0, show(before));

  const file = join(tmp, 'vault.export');
  const exported = await runRotor(['vault', 'export', '--out', file], source);
  assert.equal(exported.code, 0, show(exported));
  assert.match(exported.stdout, /Exported 1 account: @alice/);
  assert.match(exported.stdout, /no longer refreshes tokens/);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the export is readable by its owner only');
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /alice/, 'nothing of the account is readable in the file');

  const target = {
    ...ctx.env,
    ...ALWAYS_REFRESH,
    DATABASE_URL: await createPgDatabase(),
    ROTOR_DATA_DIR: mkdtempSync(join(tmp, 'target-')),
  };
  const imported = await runRotor(['vault', 'import', file], target);
  assert.equal(imported.code, 0, show(imported));
  assert.match(imported.stdout, /Imported 1 account: @alice/);
  assert.match(imported.stdout, /keys k1 checked/);

  const requestsAtMove = (await state(ctx.emu)).tokenRequests.refresh_token;
  for (let i = 0; i < 3; i += 1) {
    const token = await runRotor(['accounts', 'token', 'alice'], target);
    assert.equal(token.code, 0, show(token));
  }
  const posted = await runRotor(['post', 'alice', 'moved to PostgreSQL'], target);
  assert.equal(posted.code, 0, show(posted));
  assert.match(posted.stdout, /Published/);

  const requestsOnTarget = (await state(ctx.emu)).tokenRequests.refresh_token;
  assert.ok(requestsOnTarget >= requestsAtMove + 3, 'the target refreshed at each call');
  const fenced = await runRotor(['accounts', 'token', 'alice'], source);
  assert.equal(fenced.code, 4, show(fenced));
  assert.match(fenced.stderr, /refreshing is off: this database was exported/);

  const s = await state(ctx.emu);
  assert.equal(s.tokenRequests.authorization_code, 1, 'no reconnection: one authorization, at the start');
  assert.equal(
    s.tokenRequests.refresh_token,
    requestsOnTarget,
    'the source sent no refresh after the export',
  );
  assert.equal(s.reuseDetected, 0, 'no refresh token was sent twice');
  assert.deepEqual(
    s.grants.map((g) => [g.username, g.status]),
    [['alice', 'active']],
  );
  assert.deepEqual(
    s.posts.map((p) => p.text),
    ['moved to PostgreSQL'],
  );
});

test('import refuses a file sealed with other keys, a changed file and a non-empty target, and writes nothing', async () => {
  const ctx = await cliSetup(tmp);
  assert.equal((await connectAlice(ctx)).result.code, 0);
  const file = join(tmp, 'refused.export');
  assert.equal((await runRotor(['vault', 'export', '--out', file], ctx.env)).code, 0);
  const again = await runRotor(['vault', 'export', '--out', file], ctx.env);
  assert.equal(again.code, 1, show(again));
  assert.match(again.stderr, /exists: export to a new file/);

  const target = {
    ...ctx.env,
    DATABASE_URL: await createPgDatabase(),
    ROTOR_DATA_DIR: mkdtempSync(join(tmp, 'target-')),
  };
  const otherKey = await runRotor(['vault', 'import', file], {
    ...target,
    ROTOR_KEYS: KeyRing.generateEntry('k9'),
  });
  assert.equal(otherKey.code, 1, show(otherKey));
  assert.match(otherKey.stderr, /ROTOR_KEYS lacks the key\(s\) k1/);

  const lines = readFileSync(file, 'utf8').split('\n');
  const changed = join(tmp, 'changed.export');
  // Drop the account line: the closing count no longer opens at its place.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(changed, [lines[0], ...lines.slice(2)].join('\n'));
  const tampered = await runRotor(['vault', 'import', changed], target);
  assert.equal(tampered.code, 1, show(tampered));
  assert.match(tampered.stderr, /incomplete, was changed.*nothing imported/);

  assert.equal((await runRotor(['vault', 'import', file], target)).code, 0);
  const twice = await runRotor(['vault', 'import', file], target);
  assert.equal(twice.code, 1, show(twice));
  assert.match(twice.stderr, /already has accounts/);
  assert.ok(existsSync(file));
});
