/**
 * A restore must not turn a lost answer into an unexplained loss. A real process is `kill -9`ed
 * after its refresh went out (X rotated, the answer is gone: the one loss nobody can avoid); then
 * the token sets are restored from a backup taken before that send, which takes the store's
 * in-doubt mark away. The mark kept beside the newest pairs puts it back, so that X's refusal of
 * the spent token is reported as `lost_response`, as without the restore — not `unknown`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRotorError } from '../../src/core/errors.ts';
import { VaultGuard } from '../../src/vault/guard.ts';
import { TokenVault } from '../../src/vault/vault.ts';
import { openTestDb } from '../helpers/db.ts';
import { emulator, state } from '../helpers/emulator.ts';
import { runVaultProcess } from '../helpers/processes.ts';
import { connectorFor } from '../helpers/vault.ts';

const DAY = 86_400_000;
const emu = await emulator({ reuse: 'family' });
const t = await openTestDb('postgres');
after(() => t.close());
const { key, keyRing, provider, connectAs } = connectorFor(emu, t.db);
const dataDir = mkdtempSync(join(tmpdir(), 'rotor-restore-doubt-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const newestDir = join(dataDir, 'newest');
const openGuard = () => VaultGuard.open({ db: t.db, keyRing, dataDir, pairDir: newestDir });
const vaultWith = (guard: VaultGuard) =>
  new TokenVault({ db: t.db, provider, keyRing, guard, refreshMarginMs: DAY, takeoverSettleMs: 0 });

/** Every column of the row, as `pg_dump` would keep it. */
const backupOf = async (id: string) =>
  (await t.db.query<Record<string, unknown>>('SELECT * FROM token_sets WHERE account_id = $1', [id])).rows[0];

/** `pg_restore`: the backed-up row replaces whatever the store has now. */
async function restore(id: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row).filter((c) => c !== 'account_id');
  await t.db.query(
    `UPDATE token_sets SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE account_id = $1`,
    [id, ...columns.map((c) => row[c])],
  );
}

test('killed after sending, then restored from an older backup: the refusal of the spent token is a lost answer', async () => {
  const id = await connectAs('alice');
  const backup = await backupOf(id); // before any refresh: version 1
  const guard = await openGuard();
  const vault = vaultWith(guard);
  await vault.getAccessToken(id); // version 2, kept beside the store
  await vault.close();
  assert.deepEqual(
    readdirSync(join(newestDir, id)).filter((f) => f.endsWith('.sent')),
    [],
    'an answered send leaves no in-doubt mark behind',
  );
  // Another process sends version 2's refresh token; X rotates; the process dies before the answer is stored.
  const run = runVaultProcess({
    databaseUrl: t.url,
    emulatorUrl: emu.url,
    key,
    mode: 'crash',
    accounts: [id],
    crashAt: 'request_sent',
    crashDelayMs: 300,
    refreshMarginMs: DAY,
    dataDir,
    newestDir,
  });
  const result = await run.done;
  assert.equal(result.signal, 'SIGKILL', result.stderr);
  assert.equal((await state(emu)).grants[0]?.refreshCount, 2, 'X rotated version 2 before the kill');
  // The operator restores the token sets from the backup (version 1, no mark), then starts Rotor.
  await restore(id, backup ?? {});
  const report = await (await openGuard()).reconcile();
  assert.deepEqual(
    report.broughtForward.map((b) => [b.from, b.to]),
    [[1, 2]],
  );
  assert.deepEqual(
    report.inDoubt.map((d) => d.version),
    [2],
    'the send of version 2 is in doubt again',
  );
  const next = vaultWith(await openGuard());
  await assert.rejects(
    next.getAccessToken(id, { minValidityMs: DAY }),
    (e) => isRotorError(e, 'reauth_required') && e.reason === 'lost_response',
  );
  await next.close();
  assert.equal((await state(emu)).grants[0]?.endReason, 'reuse', 'X saw the spent token once, as expected');
});
