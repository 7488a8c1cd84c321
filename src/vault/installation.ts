/**
 * @module Fencing copies (docs/backups-and-moves.md): may this installation refresh tokens?
 *
 * An installation has an identity in the database (`rotor_installation`: its id and its *home*,
 * where the database is live) and one in the data folder (`installation.json`: the installation
 * id and the folder it was written in). Refreshing is refused — tokens already valid are still
 * handed out — when:
 * - `ROTOR_REFRESH=off` (a staging copy started on purpose without refreshing);
 * - the database was fenced by `rotor vault export` (its accounts live elsewhere now);
 * - the database is a copy: restored into another server or under another name (its home differs);
 * - the data folder is a copy: found in another place than it was written in (path or inode), or
 *   written by another installation.
 * `rotor vault claim` says this side is the live one; `rotor doctor` explains a refusal.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { RotorError } from '../core/errors.ts';
import type { Db } from '../store/db.ts';
import {
  adoptHome,
  postgresFingerprint,
  readInstallation,
  type InstallationRow,
} from '../store/installation.ts';

/** The data folder's identity file. */
export const FOLDER_FILE = 'installation.json';

export interface FolderIdentity {
  installationId: string;
  /** {@link folderFingerprint} of the folder where the file was written. */
  folder: string;
}

/** Why refreshing is refused; `undefined` when it is allowed. */
export type FenceReason =
  'switched_off' | 'exported' | 'database_copy' | 'folder_copy' | 'other_installation';

export interface Verdict {
  allowed: boolean;
  reason: FenceReason | undefined;
  /** What to tell the operator (English; the command line and `rotor doctor` print it). */
  message: string;
}

/** Where a folder is: its real path and inode. A copy (or a restore from a file backup) differs. */
export function folderFingerprint(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const real = realpathSync(dir);
  return `${real}#${statSync(real).ino}`;
}

/** Where the database is live: the PostgreSQL server and database, or the PGlite folder. */
export async function databaseHome(db: Db, dataDir: string): Promise<string> {
  return db.kind === 'postgres' ? postgresFingerprint(db) : `pglite ${folderFingerprint(dataDir)}`;
}

export function readFolderIdentity(dataDir: string): FolderIdentity | undefined {
  const file = join(dataDir, FOLDER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FolderIdentity>;
    if (typeof parsed.installationId === 'string' && typeof parsed.folder === 'string') {
      return { installationId: parsed.installationId, folder: parsed.folder };
    }
  } catch {
    // unreadable: treated as absent from another installation below
  }
  return { installationId: '?', folder: '?' };
}

export function writeFolderIdentity(dataDir: string, installationId: string): void {
  const file = join(dataDir, FOLDER_FILE);
  const identity: FolderIdentity = { installationId, folder: folderFingerprint(dataDir) };
  // A temporary file of this process's own: workers starting together on one folder must not
  // write (and rename away) each other's half-written file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(identity)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

const CLAIM = 'if this side is the live one (and the other is stopped), run `rotor vault claim` here';

/** The decision, from what was read (no I/O: `rotor doctor` and the vault share it). */
export function decide(s: {
  switchOff: boolean;
  row: InstallationRow;
  home: string;
  folder: FolderIdentity | undefined;
  folderHere: string;
}): Verdict {
  if (s.row.fencedAt !== null) {
    return {
      allowed: false,
      reason: 'exported',
      message:
        `this database was exported on ${new Date(s.row.fencedAt).toISOString()}` +
        `${s.row.fencedNote ? ` (${s.row.fencedNote})` : ''} and no longer refreshes tokens: its accounts live ` +
        'where they were imported. Use that installation; `rotor vault claim` here only if the import was abandoned',
    };
  }
  if (s.row.home !== null && s.row.home !== s.home) {
    return {
      allowed: false,
      reason: 'database_copy',
      message: `this database is a copy (it is live at "${s.row.home}", this is "${s.home}"): refreshing here would spend the tokens the original uses; ${CLAIM}, or set ROTOR_REFRESH=off for a staging copy`,
    };
  }
  if (s.folder && s.folder.installationId !== s.row.id) {
    return {
      allowed: false,
      reason: 'other_installation',
      message: `this data folder belongs to another installation (${s.folder.installationId}, the database is ${s.row.id}); ${CLAIM}`,
    };
  }
  if (s.folder && s.folder.folder !== s.folderHere) {
    return {
      allowed: false,
      reason: 'folder_copy',
      message: `this data folder is a copy (written at "${s.folder.folder}", found at "${s.folderHere}"): the original may be refreshing the same accounts; ${CLAIM}`,
    };
  }
  if (s.switchOff) {
    return {
      allowed: false,
      reason: 'switched_off',
      message: 'ROTOR_REFRESH=off: this installation hands out valid tokens but never refreshes them',
    };
  }
  return {
    allowed: true,
    reason: undefined,
    message: 'this installation is the live one: it refreshes tokens',
  };
}

/**
 * The vault's gate, opened once per process: records the database's home and the folder's identity
 * on first use, then answers {@link InstallationGate.check} from the database row (an export by
 * another process takes effect at the next refresh).
 */
export class InstallationGate {
  readonly #db: Db;
  readonly #home: string;
  readonly #folder: FolderIdentity | undefined;
  readonly #folderHere: string;
  readonly #switchOff: boolean;
  /** The installation id (as read at open). */
  readonly installationId: string;

  private constructor(
    db: Db,
    o: {
      home: string;
      folder: FolderIdentity | undefined;
      folderHere: string;
      switchOff: boolean;
      id: string;
    },
  ) {
    this.#db = db;
    this.#home = o.home;
    this.#folder = o.folder;
    this.#folderHere = o.folderHere;
    this.#switchOff = o.switchOff;
    this.installationId = o.id;
  }

  /** `switchOff`: `ROTOR_REFRESH=off`, this installation never refreshes. */
  static async open(db: Db, dataDir: string, o: { switchOff: boolean }): Promise<InstallationGate> {
    const { switchOff } = o;
    const home = await databaseHome(db, dataDir);
    const row = switchOff ? await readInstallation(db) : await adoptHome(db, home);
    let folder = readFolderIdentity(dataDir);
    if (folder === undefined) {
      writeFolderIdentity(dataDir, row.id);
      folder = readFolderIdentity(dataDir);
    }
    return new InstallationGate(db, {
      home,
      folder,
      folderHere: folderFingerprint(dataDir),
      switchOff,
      id: row.id,
    });
  }

  async check(): Promise<Verdict> {
    const row = await readInstallation(this.#db);
    return decide({
      switchOff: this.#switchOff,
      row,
      home: this.#home,
      folder: this.#folder,
      folderHere: this.#folderHere,
    });
  }

  /**
   * Throws unless this installation may refresh now.
   * @throws {RotorError} `refresh_fenced`
   */
  async assertMayRefresh(accountId?: string): Promise<void> {
    const verdict = await this.check();
    if (!verdict.allowed) {
      throw new RotorError(
        'refresh_fenced',
        `refreshing is off: ${verdict.message}`,
        accountId ? { accountId } : {},
      );
    }
  }
}
