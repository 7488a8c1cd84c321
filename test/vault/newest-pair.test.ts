/**
 * The vault's backup/copy hooks in one process, on both backends, against the emulator (which
 * ends a grant's family when a spent refresh token comes back): a database restored under a
 * running vault is caught by the check before the refresh; an export by another process fences a
 * running vault at its next refresh; the kept-pair files and the fence decision on their own.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRotorError } from '../../src/core/errors.ts';
import { fenceInstallation } from '../../src/store/installation.ts';
import { VaultGuard } from '../../src/vault/guard.ts';
import { decide } from '../../src/vault/installation.ts';
import { NewestPairs, type KeptPair } from '../../src/vault/newest-pair.ts';
import { BACKENDS } from '../helpers/db.ts';
import { state } from '../helpers/emulator.ts';
import { testKeyRing, vaultSetup } from '../helpers/vault.ts';

const DAY = 86_400_000;
const dir = () => mkdtempSync(join(tmpdir(), 'rotor-newest-'));

for (const backend of BACKENDS) {
  describe(`on ${backend}`, () => {
    test('a database restored under a running vault: the row is brought forward before the refresh, X sees no spent token', async () => {
      const s = await vaultSetup(backend);
      const guard = await VaultGuard.open({ db: s.t.db, keyRing: s.keyRing, dataDir: dir() });
      const vault = s.newVault({ guard, refreshMarginMs: DAY });
      const id = await s.connectAs('alice');
      await vault.getAccessToken(id);
      const backup = (await s.t.db.query('SELECT * FROM token_sets WHERE account_id = $1', [id])).rows[0];
      for (let i = 0; i < 3; i += 1) await vault.getAccessToken(id);
      // The restore: the backed-up row comes back while the vault runs.
      await s.t.db.query(
        `UPDATE token_sets SET version = $2, access_ct = $3, refresh_ct = $4, key_id = $5, access_expires_at = $6
         WHERE account_id = $1`,
        [
          id,
          backup?.version,
          backup?.access_ct,
          backup?.refresh_ct,
          backup?.key_id,
          backup?.access_expires_at,
        ],
      );
      await vault.getAccessToken(id);
      const after = (await s.t.db.query<{ version: number }>('SELECT version FROM token_sets')).rows[0];
      assert.equal(after?.version, Number(backup?.version) + 4, 'brought forward by 3, then refreshed once');
      const x = await state(s.emu);
      assert.equal(x.reuseDetected, 0);
      assert.equal(x.grants[0]?.status, 'active');
      await vault.close();
    });

    test('an export fencing the database from another process stops a running vault at its next refresh, and gives the lease back', async () => {
      const s = await vaultSetup(backend);
      const guard = await VaultGuard.open({ db: s.t.db, keyRing: s.keyRing, dataDir: dir() });
      const vault = s.newVault({ guard, refreshMarginMs: DAY });
      const id = await s.connectAs('alice');
      await vault.getAccessToken(id);
      await fenceInstallation(s.t.db, 'exported to a test file');
      await assert.rejects(vault.getAccessToken(id), (e) => {
        assert.ok(isRotorError(e, 'refresh_fenced'));
        assert.ok(e.transient);
        assert.match(e.message, /this database was exported on .* \(exported to a test file\)/);
        return true;
      });
      const lease = (
        await s.t.db.query<{ owner: string | null }>('SELECT lease_owner AS owner FROM token_sets')
      ).rows[0];
      assert.equal(lease?.owner, null);
      assert.equal((await state(s.emu)).grants[0]?.refreshCount, 1);
      await vault.close();
    });
  });
}

const pair = (version: number): KeptPair => ({
  accountId: '00000000-0000-4000-8000-000000000001',
  version,
  installationId: 'i1',
  consentedAt: 1,
  accessCt: 'a',
  refreshCt: 'r',
  keyId: 'k1',
  accessExpiresAt: 2,
  scope: 's',
  keptAt: 3,
});

test('kept pairs: the two newest stay; a changed or foreign-key file does not open but its version still counts', async () => {
  const folder = dir();
  const ring = testKeyRing();
  const pairs = new NewestPairs(folder, ring);
  for (let v = 1; v <= 4; v += 1) await pairs.keep(pair(v));
  await pairs.settled();
  const account = pair(1).accountId;
  assert.deepEqual(readdirSync(join(folder, account)).sort(), ['3.pair', '4.pair']);
  assert.equal(pairs.state(account, 'i1').pair?.version, 4);
  assert.equal(pairs.state(account, 'other installation').pair, undefined);
  await new NewestPairs(folder, testKeyRing()).keep(pair(5)); // sealed with another key
  writeFileSync(join(folder, account, '6.pair'), 'v1.k1.AAAA.BBBB'); // not a sealed pair
  const s = pairs.state(account, 'i1');
  assert.equal(s.highest, 6);
  assert.equal(s.pair?.version, 4, 'the newest that opens');
});

test('kept pairs: a folder removed behind the process (another process forgot the account) is made again by the next keep', async () => {
  const folder = dir();
  const ring = testKeyRing();
  const pairs = new NewestPairs(folder, ring);
  const account = pair(1).accountId;
  await pairs.keep(pair(1));
  await pairs.settled();
  new NewestPairs(folder, ring).forget(account); // not this instance: it still thinks the folder is there
  await pairs.keep(pair(2));
  assert.deepEqual(readdirSync(join(folder, account)), ['2.pair']);
  assert.equal(pairs.state(account, 'i1').pair?.version, 2);
});

test('kept pairs: once a pair is kept and its clean-up settled, the in-doubt marks of older versions are gone, its own stays', async () => {
  const folder = dir();
  const pairs = new NewestPairs(folder, testKeyRing());
  const account = pair(1).accountId;
  await pairs.keep(pair(1));
  const mark = { sentCount: 1, consentedAt: 1, installationId: 'i1' };
  await pairs.markSent(account, { ...mark, version: 1 });
  await pairs.keep(pair(2)); // the answer to version 1's send
  await pairs.markSent(account, { ...mark, version: 2 });
  await pairs.settled();
  assert.equal(pairs.hasSentMark(account, 1), false, 'answered: its mark removed');
  assert.equal(pairs.hasSentMark(account, 2), true, 'version 2 was sent after: its mark stays');
  assert.deepEqual(readdirSync(join(folder, account)).sort(), ['1.pair', '2.pair', '2.sent']);
});

test('the fence decision: export, database copy, folder copy, other installation, switched off, live', () => {
  const row = { id: 'i1', home: 'h', fencedAt: null, fencedNote: null, claimedAt: null };
  const base = {
    switchOff: false,
    row,
    home: 'h',
    folder: { installationId: 'i1', folder: 'f' },
    folderHere: 'f',
  };
  assert.equal(decide(base).allowed, true);
  assert.equal(decide({ ...base, row: { ...row, home: null } }).allowed, true, 'first open');
  assert.equal(decide({ ...base, folder: undefined }).allowed, true, 'a new folder');
  assert.equal(decide({ ...base, row: { ...row, fencedAt: 0 } }).reason, 'exported');
  assert.equal(decide({ ...base, home: 'elsewhere' }).reason, 'database_copy');
  assert.equal(decide({ ...base, folderHere: 'copy' }).reason, 'folder_copy');
  assert.equal(
    decide({ ...base, folder: { installationId: 'i2', folder: 'f' } }).reason,
    'other_installation',
  );
  assert.equal(decide({ ...base, switchOff: true }).reason, 'switched_off');
});
