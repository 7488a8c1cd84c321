/**
 * @module The newest pair outside the database (docs/backups-and-moves.md): every token set X
 * hands out is also kept — before the database stores it — in a folder a database restore does
 * not reach (`<data folder>/newest`, or `ROTOR_NEWEST_DIR`), sealed with the key ring. Each file
 * holds the row's ciphertexts exactly as the store has them (same AEAD, bound to the account and
 * field) and is sealed as a whole to its account and version.
 *
 * Layout: `<dir>/<account id>/<version>.pair`; the two newest versions stay, older ones go.
 * Written like the journal: a file of its own, fsync, rename, fsync the folder.
 */
import type { ForwardPair } from '../store/bring-forward.ts';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';

/**
 * One kept token set: the store's row shape (`ForwardPair`, what a restored row is brought
 * forward to), with the account and the installation it was kept by.
 */
export interface KeptPair extends ForwardPair {
  accountId: string;
  installationId: string;
}

/** What the folder knows of one account: its newest readable pair, and the newest version seen. */
export interface KeptState {
  /** The newest pair that opens with the key ring. */
  pair: KeptPair | undefined;
  /** The highest version found, readable or not. */
  highest: number;
}

const binding = (accountId: string, version: number) => ({
  table: 'newest_pair',
  row: accountId,
  field: String(version),
});
const UUIDISH = /^[0-9a-f-]{36}$/;

export class NewestPairs {
  readonly dir: string;
  readonly #ring: KeyRing;

  constructor(dir: string, ring: KeyRing) {
    this.dir = dir;
    this.#ring = ring;
  }

  /** Keeps the pair durably; older versions but the previous one are removed. */
  keep(pair: KeptPair): void {
    const folder = join(this.dir, pair.accountId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const target = join(folder, `${pair.version}.pair`);
    const tmp = `${target}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, seal(this.#ring, JSON.stringify(pair), binding(pair.accountId, pair.version)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    const dirFd = openSync(folder, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    for (const v of this.#versions(pair.accountId)) {
      if (v < pair.version - 1) rmSync(join(folder, `${v}.pair`), { force: true });
    }
  }

  /** The accounts that have kept pairs. */
  accounts(): string[] {
    try {
      return readdirSync(this.dir).filter((n) => UUIDISH.test(n));
    } catch {
      return [];
    }
  }

  /** The highest version kept for the account (0 if none): one folder listing, no decryption. */
  highestVersion(accountId: string): number {
    return this.#versions(accountId)[0] ?? 0;
  }

  /** The newest pair that opens (and belongs to `installationId`), and the highest version seen. */
  state(accountId: string, installationId: string): KeptState {
    const versions = this.#versions(accountId);
    for (const v of versions) {
      try {
        const text = readFileSync(join(this.dir, accountId, `${v}.pair`), 'utf8');
        const pair = JSON.parse(open(this.#ring, text, binding(accountId, v))) as KeptPair;
        if (pair.accountId === accountId && pair.version === v && pair.installationId === installationId) {
          return { pair, highest: versions[0] ?? 0 };
        }
      } catch {
        // sealed with a key the ring lacks, or tampered: not ours to apply
      }
    }
    return { pair: undefined, highest: versions[0] ?? 0 };
  }

  /** Forgets an account's kept pairs (it is gone from the store). */
  forget(accountId: string): void {
    if (UUIDISH.test(accountId)) rmSync(join(this.dir, accountId), { recursive: true, force: true });
  }

  /**
   * Moves an account's pairs aside (`<account id>.unreadable-<time>`), out of every later
   * reconciliation: they do not open, and a reconnection starts the account again.
   */
  setAside(accountId: string): void {
    if (!UUIDISH.test(accountId)) return;
    try {
      renameSync(join(this.dir, accountId), join(this.dir, `${accountId}.unreadable-${Date.now()}`));
    } catch {
      // already gone
    }
  }

  /** Versions kept for the account, highest first. */
  #versions(accountId: string): number[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, accountId));
    } catch {
      return [];
    }
    return names
      .map((n) => /^(\d+)\.pair$/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
  }
}
