/**
 * The journal is on by default wherever a data directory exists (PGlite's), and a vault writes
 * what it holds when it opens, before its first token (property 13): a pair an earlier run kept
 * there is used, its spent predecessor never sent.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { open, seal } from '../../src/crypto/aead.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { Journal } from '../../src/vault/journal.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { openTestDb } from '../helpers/db.ts';
import { emulator, refresh, state } from '../helpers/emulator.ts';
import { connectorFor } from '../helpers/vault.ts';

const emu = await emulator({ reuse: 'family' });
const t = await openTestDb('pglite');
after(() => t.close());
const { keyRing, provider, connectAs } = connectorFor(emu, t.db);
const field = (accountId: string, f: 'access' | 'refresh') => ({
  table: 'token_sets',
  row: accountId,
  field: f,
});

test('a pair journaled in the data directory by an earlier run is written when the vault opens', async () => {
  const id = await connectAs('alice');
  const row = await readTokenSet(t.db, id);
  assert.ok(row?.refreshCt && t.dir);
  // An earlier run refreshed at X, could not store the answer, and journaled it.
  const answer = await refresh(emu, open(keyRing, row.refreshCt, field(id, 'refresh')));
  assert.equal(answer.status, 200);
  const access = String(answer.body.access_token);
  new Journal(join(t.dir, 'journal'), keyRing).write({
    accountId: id,
    fromVersion: row.version,
    rotation: {
      accessCt: seal(keyRing, access, field(id, 'access')),
      refreshCt: seal(keyRing, String(answer.body.refresh_token), field(id, 'refresh')),
      keyId: keyRing.active.id,
      accessExpiresAt: Date.now() + 7_200_000,
      scope: row.scope,
    },
  });
  // No journalDir given, no recoverJournal() called: the vault finds the data directory's journal.
  const vault = new TokenVault({ db: t.db, provider, keyRing });
  const token = await vault.getAccessToken(id);
  assert.equal(token.accessToken, access, 'the journaled pair is handed out');
  assert.equal((await readTokenSet(t.db, id))?.version, row.version + 1);
  const rotated = await vault.getAccessToken(id, { rejected: access });
  assert.notEqual(rotated.accessToken, access);
  assert.equal((await state(emu)).reuseDetected, 0, 'the spent refresh token was never sent');
});
