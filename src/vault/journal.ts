/**
 * @module The local journal (property 13): when X has answered a refresh but the database
 * cannot take the new pair, the pair is written here — sealed with the key ring, fsynced — so
 * that a restart still has it, and written to the database as soon as it is back.
 */
import {
  mkdirSync,
  openSync,
  fsyncSync,
  writeSync,
  closeSync,
  renameSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Rotation } from '../store/token-sets.ts';

export interface JournalEntry {
  accountId: string;
  fromVersion: number;
  rotation: Rotation;
}

const binding = (accountId: string) => ({ table: 'journal', row: accountId, field: 'rotation' });

export class Journal {
  readonly #dir: string;
  readonly #ring: KeyRing;

  constructor(dir: string, ring: KeyRing) {
    this.#dir = dir;
    this.#ring = ring;
  }

  #file(e: { accountId: string; fromVersion: number }): string {
    return join(this.#dir, `${e.accountId}.${e.fromVersion}.journal`);
  }

  /** Writes the entry durably (write, fsync, rename, fsync the folder). */
  write(entry: JournalEntry): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const target = this.#file(entry);
    const tmp = `${target}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, seal(this.#ring, JSON.stringify(entry), binding(entry.accountId)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    const dirFd = openSync(this.#dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  remove(entry: { accountId: string; fromVersion: number }): void {
    rmSync(this.#file(entry), { force: true });
  }

  /** Every readable entry; unreadable files are skipped (and left for an operator to look at). */
  list(): JournalEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.#dir).filter((n) => n.endsWith('.journal'));
    } catch {
      return [];
    }
    const entries: JournalEntry[] = [];
    for (const name of names) {
      const accountId = name.split('.')[0] ?? '';
      try {
        const entry = JSON.parse(
          open(this.#ring, readFileSync(join(this.#dir, name), 'utf8'), binding(accountId)),
        ) as JournalEntry;
        if (entry.accountId === accountId) entries.push(entry);
      } catch {
        // tampered or sealed with a retired key: not ours to apply
      }
    }
    return entries;
  }
}
