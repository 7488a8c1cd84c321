/**
 * The database goes down right after X answered a refresh (property 13): the new pair is kept
 * (memory, then the local encrypted journal) and written when the database is back, also after
 * the process itself was killed in between. Uses a PostgreSQL server of its own, to stop it.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startCluster } from '../../scripts/pg-cluster.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { readTokenSet } from '../../src/store/token-sets.ts';
import { TokenVault, type VaultOptions } from '../../src/vault/vault.ts';
import { emulator, state } from '../helpers/emulator.ts';
import { runVaultProcess } from '../helpers/processes.ts';
import { connectorFor } from '../helpers/vault.ts';

const cluster = await startCluster();
after(() => cluster.destroy());
const admin = new pg.Client({ connectionString: cluster.url });
await admin.connect();
await admin.query('CREATE DATABASE outage');
await admin.end();
const url = cluster.url.replace(/\/postgres$/, '/outage');
const db = openPostgres(url, { connectionTimeoutMillis: 1000 });
after(() => db.close());
await migrate(db);

const emu = await emulator({ accessTokenTtl: 7200 });
const { key, keyRing, provider, connectAs } = connectorFor(emu, db);
const journalDir = mkdtempSync(join(tmpdir(), 'rotor-journal-'));
after(() => rmSync(journalDir, { recursive: true, force: true }));

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch {
      // store still coming back
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

/** A vault that always refreshes, and stops the database the moment X has answered. */
function vaultStoppingTheDatabase(extra: Partial<VaultOptions>): TokenVault {
  return new TokenVault({
    db,
    provider,
    keyRing,
    refreshMarginMs: 3 * 3600_000,
    httpTimeoutMs: 1000,
    leaseTtlMs: 30_000,
    onStep: (step) => {
      if (step === 'response_received') cluster.stop();
    },
    ...extra,
  });
}

describe('store outage after X answered', () => {
  test('in-process: the token is handed out from the journal and written when the database returns', async () => {
    const id = await connectAs('alice');
    const before = await readTokenSet(db, id);
    const vault = vaultStoppingTheDatabase({ journalDir });
    const token = await vault.getAccessToken(id);
    assert.ok(token.accessToken, 'handed out after journaling');
    assert.equal(readdirSync(journalDir).filter((f) => f.endsWith('.journal')).length, 1);
    cluster.start();
    await waitFor(async () => (await readTokenSet(db, id))?.version === (before?.version ?? 0) + 1, 15_000);
    assert.equal(readdirSync(journalDir).filter((f) => f.endsWith('.journal')).length, 0, 'journal emptied');
    // The stored pair is the one X considers current: a refresh with it works, no reuse.
    const next = new TokenVault({
      db,
      provider,
      keyRing,
      refreshMarginMs: 3 * 3600_000,
      httpTimeoutMs: 1000,
      leaseTtlMs: 5000,
    });
    await next.getAccessToken(id, { rejected: token.accessToken });
    assert.equal((await state(emu)).reuseDetected, 0);
  });

  test('without a journal folder the pair is kept in memory and written when the database returns', async () => {
    const id = await connectAs('hanako');
    const before = await readTokenSet(db, id);
    const vault = vaultStoppingTheDatabase({});
    const token = await vault.getAccessToken(id);
    assert.ok(token.accessToken);
    cluster.start();
    await waitFor(async () => (await readTokenSet(db, id))?.version === (before?.version ?? 0) + 1, 15_000);
    await vault.close();
    assert.equal((await state(emu)).reuseDetected, 0);
  });

  test('killed while the database is down: the journal survives and a restart writes it', async () => {
    const id = await connectAs('bob');
    const before = await readTokenSet(db, id);
    // The child refreshes; the database is stopped when X answers; the child journals, hands the
    // token out ('stored') and is killed there, before the database is back.
    const run = runVaultProcess({
      databaseUrl: url,
      emulatorUrl: emu.url,
      key,
      mode: 'crash',
      accounts: [id],
      crashAt: 'stored',
      refreshMarginMs: 3 * 3600_000,
      journalDir,
      stopDatabaseAt: 'response_received',
      clusterDir: cluster.dir,
    });
    const result = await run.done;
    assert.equal(result.signal, 'SIGKILL', result.stderr);
    assert.equal(readdirSync(journalDir).filter((f) => f.endsWith('.journal')).length, 1, 'journal written');
    cluster.start();
    const restarted = new TokenVault({
      db,
      provider,
      keyRing,
      journalDir,
      refreshMarginMs: 3 * 3600_000,
      httpTimeoutMs: 1000,
      leaseTtlMs: 5000,
    });
    await waitFor(
      async () =>
        (await restarted.recoverJournal()) >= 0 &&
        (await readTokenSet(db, id))?.version === (before?.version ?? 0) + 1,
      15_000,
    );
    const token = await restarted.getAccessToken(id);
    const me = await fetch(`${emu.url}/2/users/me`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    assert.equal(me.status, 200);
    const rotated = await restarted.getAccessToken(id, { rejected: token.accessToken });
    assert.notEqual(rotated.accessToken, token.accessToken);
    assert.equal((await state(emu)).reuseDetected, 0, 'nothing lost, nothing reused');
  });

  test('the journal is recovered when a vault opens: a library user who never calls recoverJournal loses nothing (written at open, or found in the journal before a refresh)', async () => {
    const id = await connectAs('hanako');
    const before = await readTokenSet(db, id);
    const run = runVaultProcess({
      databaseUrl: url,
      emulatorUrl: emu.url,
      key,
      mode: 'crash',
      accounts: [id],
      crashAt: 'stored',
      refreshMarginMs: 3 * 3600_000,
      journalDir,
      stopDatabaseAt: 'response_received',
      clusterDir: cluster.dir,
    });
    assert.equal((await run.done).signal, 'SIGKILL');
    cluster.start();
    // As the library example in docs/token-vault.md does: a vault, then getAccessToken, nothing else.
    const restarted = new TokenVault({
      db,
      provider,
      keyRing,
      journalDir,
      httpTimeoutMs: 1000,
      leaseTtlMs: 5000,
    });
    let token: { accessToken: string } | undefined;
    await waitFor(async () => Boolean((token = await restarted.getAccessToken(id))), 15_000);
    assert.equal(
      (await readTokenSet(db, id))?.version,
      (before?.version ?? 0) + 1,
      'the journaled pair was written',
    );
    const rotated = await restarted.getAccessToken(id, { rejected: token?.accessToken ?? '' });
    assert.notEqual(rotated.accessToken, token?.accessToken);
    assert.equal((await state(emu)).reuseDetected, 0, 'nothing lost, nothing reused');
  });
});
