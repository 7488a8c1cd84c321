/**
 * @module `rotor vault export` / `rotor vault import`: every account moves, encrypted, from one
 * store to another (PGlite → PostgreSQL, one server to another), and only one side refreshes.
 *
 * Export fences the source first (from then on no process refreshes from it), waits until no
 * refresh is under way there, then writes the file. Import checks the file's format, the
 * migrations it comes from and that ROTOR_KEYS opens every token before it writes anything, into
 * an empty target, in one transaction; the target takes the installation's identity.
 *
 * File: JSON lines, mode 0600. The first line is the header (clear: format, installation,
 * key ids, count); each account line, and the closing count, is sealed with the key ring and
 * bound to its place in the file (nothing can be dropped, reordered or added). Inside, the token
 * ciphertexts are the store's own, bound to their account and field, so account ids are kept.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pollUntil } from '../core/poll.ts';
import { RotorError } from '../core/errors.ts';
import { DecryptionError, open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding } from '../crypto/token-binding.ts';
import type { Audit } from '../ops/audit.ts';
import type { Db } from '../store/db.ts';
import { adoptIdentity, fenceInstallation, heldLeases, readInstallation } from '../store/installation.ts';
import { listMigrations } from '../store/migrate.ts';
import {
  countAccounts,
  insertAccountRecord,
  readAccountRecords,
  type AccountRecord,
} from '../store/account-records.ts';

export const EXPORT_FORMAT = 'rotor-vault-export';
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  formatVersion: number;
  installationId: string;
  exportedAt: string;
  /** The newest migration the source had applied. */
  migration: number;
  keyIds: string[];
  accounts: number;
}

export interface Progress {
  done: number;
  total: number;
}

export interface MoveSummary {
  installationId: string;
  exportedAt: string;
  accounts: number;
  usernames: string[];
  keyIds: string[];
}

const lineBinding = (installationId: string, index: number) => ({
  table: 'vault_export',
  row: installationId,
  field: String(index),
});

/**
 * Fences the source, waits for refreshes under way to end (at most `leaseWaitMs`), and writes
 * every account to `file` (which must not exist).
 * @throws {RotorError} `conflict` (the file exists, or a refresh did not end in time)
 */
export async function exportVault(
  db: Db,
  ring: KeyRing,
  file: string,
  o: {
    onProgress?: (p: Progress) => void;
    leaseWaitMs?: number;
    note?: string;
    /** Told `vault_exported` once the file is written. */
    audit?: Audit;
  } = {},
): Promise<MoveSummary> {
  if (existsSync(file)) throw new RotorError('conflict', `${file} exists: export to a new file`);
  await fenceInstallation(db, o.note ?? `exported to ${file}`);
  const quiet = await pollUntil(async () => ((await heldLeases(db)) === 0 ? true : undefined), {
    timeoutMs: o.leaseWaitMs ?? 60_000,
    stepMs: 100,
  });
  if (!quiet) {
    throw new RotorError(
      'conflict',
      'a refresh is still under way on the source after the fence went up; run the export again',
    );
  }
  const installation = await readInstallation(db);
  const records = await readAccountRecords(db);
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    installationId: installation.id,
    exportedAt: new Date().toISOString(),
    migration: Math.max(...listMigrations().map((m) => m.id)),
    keyIds: [...new Set(records.map((r) => r.tokenSet.keyId))].sort(),
    accounts: records.length,
  };
  const lines = [JSON.stringify(header)];
  records.forEach((r, i) => {
    lines.push(seal(ring, JSON.stringify(r), lineBinding(installation.id, i)));
    o.onProgress?.({ done: i + 1, total: records.length });
  });
  lines.push(
    seal(ring, JSON.stringify({ end: records.length }), lineBinding(installation.id, records.length)),
  );
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  const done = summary(header, records);
  o.audit?.('vault_exported', { accounts: done.accounts, installationId: done.installationId });
  return done;
}

function summary(header: ExportHeader, records: AccountRecord[]): MoveSummary {
  return {
    installationId: header.installationId,
    exportedAt: header.exportedAt,
    accounts: records.length,
    usernames: records.map((r) => r.account.username),
    keyIds: header.keyIds,
  };
}

const bad = (message: string) => new RotorError('invalid_input', message);

/** Reads and checks an export file against this Rotor and key ring; nothing is written. */
export function readExport(ring: KeyRing, file: string): { header: ExportHeader; records: AccountRecord[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const lines = text.split('\n').filter((l) => l !== '');
  let header: ExportHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as ExportHeader;
  } catch {
    throw bad(`${file} is not a Rotor vault export`);
  }
  if (header.format !== EXPORT_FORMAT) throw bad(`${file} is not a Rotor vault export`);
  if (header.formatVersion !== EXPORT_FORMAT_VERSION) {
    throw bad(`${file} is export format ${header.formatVersion}; this Rotor reads ${EXPORT_FORMAT_VERSION}`);
  }
  const newest = Math.max(...listMigrations().map((m) => m.id));
  if (header.migration > newest) {
    throw bad(
      `${file} comes from a newer Rotor (migration ${header.migration}, here ${newest}): upgrade Rotor first`,
    );
  }
  const missing = header.keyIds.filter((id) => ring.get(id) === undefined);
  if (missing.length > 0) {
    throw bad(
      `ROTOR_KEYS lacks the key(s) ${missing.join(', ')} the exported tokens are sealed with: add them first`,
    );
  }
  const records: AccountRecord[] = [];
  try {
    for (let i = 0; i < header.accounts; i += 1) {
      records.push(
        JSON.parse(open(ring, lines[i + 1] ?? '', lineBinding(header.installationId, i))) as AccountRecord,
      );
    }
    const end = JSON.parse(
      open(ring, lines[header.accounts + 1] ?? '', lineBinding(header.installationId, header.accounts)),
    ) as { end: number };
    if (end.end !== header.accounts || lines.length !== header.accounts + 2) throw new DecryptionError();
    // Every token opens where it will be stored: the keys are right and nothing was changed.
    for (const r of records) {
      open(ring, r.tokenSet.accessCt, tokenBinding(r.account.id, 'access'));
      if (r.tokenSet.refreshCt !== null)
        open(ring, r.tokenSet.refreshCt, tokenBinding(r.account.id, 'refresh'));
    }
  } catch (e) {
    if (e instanceof DecryptionError) {
      throw bad(
        `${file} is incomplete, was changed, or is sealed with keys other than ROTOR_KEYS: nothing imported`,
      );
    }
    throw e;
  }
  return { header, records };
}

/**
 * Imports an export into an empty store, in one transaction, and makes the target the live home
 * of the installation.
 * @throws {RotorError} `invalid_input` (the file), `conflict` (the target has accounts)
 */
export async function importVault(
  db: Db,
  ring: KeyRing,
  file: string,
  home: string,
  o: {
    onProgress?: (p: Progress) => void;
    /** Told `vault_imported` once the accounts are in. */
    audit?: Audit;
  } = {},
): Promise<MoveSummary> {
  const { header, records } = readExport(ring, file);
  await db.transaction(async (tx) => {
    if ((await countAccounts(tx)) > 0) {
      throw new RotorError('conflict', 'the target already has accounts: import into an empty database');
    }
    let done = 0;
    for (const r of records) {
      await insertAccountRecord(tx, r);
      done += 1;
      o.onProgress?.({ done, total: records.length });
    }
    await adoptIdentity(tx, header.installationId, home);
  });
  const done = summary(header, records);
  o.audit?.('vault_imported', { accounts: done.accounts, installationId: done.installationId });
  return done;
}
