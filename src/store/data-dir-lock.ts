/**
 * @module One process per PGlite folder. PGlite is Postgres inside this process; a second
 * process opening the same folder would corrupt it. The holder writes `rotor.lock` (pid, what it
 * runs, where it listens); a lock whose pid is gone is stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Where the holder serves requests, if it does (`rotor serve`). */
  url?: string;
}

/** Another live process holds the folder. */
export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
  readonly code = 'data_dir_busy';
  readonly holder: LockInfo;
  constructor(dir: string, holder: LockInfo) {
    super(
      `the embedded database in ${dir} is in use by "${holder.command}" (pid ${holder.pid})` +
        (holder.url ? `; use it through ${holder.url}` : '') +
        '. Stop that process first, or set DATABASE_URL to use a PostgreSQL server that many processes can share.',
    );
    this.holder = holder;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder for this process, or throws {@link DataDirBusyError}. Returns the release. */
export function lockDataDir(dir: string, command: string, url?: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'rotor.lock');
  const info: LockInfo = {
    pid: process.pid,
    command,
    startedAt: new Date().toISOString(),
    ...(url ? { url } : {}),
  };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    // The lock appears whole or not at all: written to a file of our own, then hard-linked into
    // place (which fails if a lock exists), so nobody ever reads a half-written lock as stale.
    const mine = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(mine, JSON.stringify(info), { mode: 0o600 });
    try {
      linkSync(mine, path);
      return () => {
        const current = readLockRaw(path);
        if (current?.pid === process.pid) rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(mine, { force: true });
    }
    const holder = readLockRaw(path);
    if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirBusyError(dir, holder);
    // Stale (its process is gone): move it aside atomically, then make sure what was moved is the
    // stale lock and not one another process took over a moment ago.
    const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first
    }
    const moved = readLockRaw(aside);
    if (moved && moved.pid !== holder?.pid && alive(moved.pid)) {
      try {
        linkSync(aside, path); // put the live lock back
      } finally {
        rmSync(aside, { force: true });
      }
      throw new DataDirBusyError(dir, moved);
    }
    rmSync(aside, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}

function readLockRaw(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}
