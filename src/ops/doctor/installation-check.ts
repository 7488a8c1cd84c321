/**
 * @module `rotor doctor`'s installation check (docs/backups-and-moves.md): does this installation
 * refresh tokens, or is it fenced (exported, a copy, ROTOR_REFRESH=off), and what to do. Reads
 * only: nothing is recorded or claimed.
 */
import { resolve } from 'node:path';
import type { RotorConfig } from '../../core/config.ts';
import type { Db } from '../../store/db.ts';
import { readInstallation } from '../../store/installation.ts';
import { databaseHome, decide, folderFingerprint, readFolderIdentity } from '../../vault/installation.ts';
import type { CheckResult } from './result.ts';

const FIX: Record<string, string> = {
  switched_off: 'remove ROTOR_REFRESH=off once this installation should refresh (only on the live one)',
  exported:
    'use the installation the accounts were imported into; `rotor vault claim` here only if that import was abandoned',
  database_copy:
    'a staging copy: set ROTOR_REFRESH=off; the live one (the original stopped for good): `rotor vault claim`',
  folder_copy: 'stop the original first, then `rotor vault claim` here; or delete this copy',
  other_installation: 'point ROTOR_DATA_DIR at this installation’s folder, or `rotor vault claim` here',
};

export async function checkInstallation(db: Db, config: RotorConfig): Promise<CheckResult> {
  let row;
  try {
    row = await readInstallation(db);
  } catch {
    return { name: 'installation', status: 'warn', message: 'not recorded yet (migrations pending)' };
  }
  const dataDir = resolve(config.dataDir);
  const verdict = decide({
    switchOff: config.backups.refresh === 'off',
    row,
    home: await databaseHome(db, dataDir),
    folder: readFolderIdentity(dataDir),
    folderHere: folderFingerprint(dataDir),
  });
  if (verdict.allowed) {
    return {
      name: 'installation',
      status: 'ok',
      message: `${row.id}: ${row.home === null ? 'recorded at the first start' : verdict.message}`,
    };
  }
  return {
    name: 'installation',
    status: verdict.reason === 'switched_off' ? 'warn' : 'fail',
    message: `${row.id}: refreshing is off: ${verdict.message}`,
    fix: FIX[verdict.reason ?? ''] ?? 'see docs/backups-and-moves.md',
  };
}
