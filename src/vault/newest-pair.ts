/**
 * @module The newest pair outside the database (docs/backups-and-moves.md): every token set X
 * hands out is also kept — before the database stores it — in a folder a database restore does
 * not reach (`<data folder>/newest`, or `ROTOR_NEWEST_DIR`), sealed with the key ring. Each file
 * holds the row's ciphertexts exactly as the store has them (same AEAD, bound to the account and
 * field) and is sealed as a whole to its account and version.
 *
 * Layout: `<dir>/<account id>/<version>.pair`; the two newest versions stay, older ones go.
 * Beside them, `<version>.sent`: the refresh token of that version went out and its answer is not
 * known yet (the store's in-doubt mark, {@link SentMark}), so that a restore which takes the mark
 * out of the database does not make a refusal of that token look like anything but a lost answer.
 * Written like the journal: a file of its own, fsync, rename, fsync the folder — asynchronously
 * (awaited before the store takes the pair, or before the token goes out), so that the disk's
 * fsyncs never hold up the other posts and refreshes of the process meanwhile.
 */
import type { ForwardPair } from '../store/bring-forward.ts';
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir, open as openFile, rename, rm, type FileHandle } from 'node:fs/promises';
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

/**
 * The in-doubt mark kept outside the database: the refresh token of `version` was sent
 * `sentCount` times with no answer known, for the grant of `consentedAt`.
 */
export interface SentMark {
  version: number;
  sentCount: number;
  consentedAt: number;
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
const sentBinding = (accountId: string, version: number) => ({
  table: 'sent_mark',
  row: accountId,
  field: String(version),
});
const UUIDISH = /^[0-9a-f-]{36}$/;

export class NewestPairs {
  readonly dir: string;
  readonly #ring: KeyRing;
  #writes = 0;
  /** Folders made by this process: a write does not ask the disk again (it does if one is gone). */
  readonly #made = new Set<string>();
  readonly #cleaning = new Set<Promise<void>>();

  constructor(dir: string, ring: KeyRing) {
    this.dir = dir;
    this.#ring = ring;
  }

  /**
   * Keeps the pair durably. Then, off the caller's path (see {@link settled}), older versions but
   * the previous one are removed, and so are the in-doubt marks of older versions (the send they
   * stood for has its answer: this pair). Nothing removed is needed once this pair is on disk.
   */
  async keep(pair: KeptPair): Promise<void> {
    const folder = join(this.dir, pair.accountId);
    await this.#write(
      folder,
      `${pair.version}.pair`,
      seal(this.#ring, JSON.stringify(pair), binding(pair.accountId, pair.version)),
    );
    const cleaning = this.#removeOlder(pair.accountId, pair.version).catch(() => {
      // A file left behind is removed by the next keep; an older pair or mark never outranks this one.
    });
    this.#cleaning.add(cleaning);
    void cleaning.finally(() => this.#cleaning.delete(cleaning));
  }

  /** Resolves once the removals started by {@link keep} (those started meanwhile too) have ended. */
  async settled(): Promise<void> {
    while (this.#cleaning.size > 0) await Promise.all([...this.#cleaning]);
  }

  /** What is removed is listed when the pair is kept, before anything else can change the folder. */
  async #removeOlder(accountId: string, version: number): Promise<void> {
    const folder = join(this.dir, accountId);
    const names = [
      ...this.#versions(accountId)
        .filter((v) => v < version - 1)
        .map((v) => `${v}.pair`),
      ...this.#versions(accountId, '.sent')
        .filter((v) => v < version)
        .map((v) => `${v}.sent`),
    ];
    for (const name of names) await rm(join(folder, name), { force: true });
  }

  /** Keeps the in-doubt mark of a send durably, before the refresh token goes out. */
  async markSent(accountId: string, mark: SentMark): Promise<void> {
    await this.#write(
      join(this.dir, accountId),
      `${mark.version}.sent`,
      seal(this.#ring, JSON.stringify(mark), sentBinding(accountId, mark.version)),
    );
  }

  /** Takes the in-doubt mark of `version` away (the send was never made, or its outcome is known). */
  clearSent(accountId: string, version: number): void {
    if (UUIDISH.test(accountId)) rmSync(join(this.dir, accountId, `${version}.sent`), { force: true });
  }

  /** The in-doubt mark of `version`, if one is kept (and opens, and is this installation's). */
  sentMark(accountId: string, version: number, installationId: string): SentMark | undefined {
    try {
      const text = readFileSync(join(this.dir, accountId, `${version}.sent`), 'utf8');
      const mark = JSON.parse(open(this.#ring, text, sentBinding(accountId, version))) as SentMark;
      return mark.version === version && mark.installationId === installationId ? mark : undefined;
    } catch {
      return undefined; // none, or sealed with a key the ring lacks
    }
  }

  /** Whether an in-doubt mark of `version` is kept: one file lookup, no decryption. */
  hasSentMark(accountId: string, version: number): boolean {
    return this.#versions(accountId, '.sent').includes(version);
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
    this.#made.delete(join(this.dir, accountId));
    if (UUIDISH.test(accountId)) rmSync(join(this.dir, accountId), { recursive: true, force: true });
  }

  /**
   * Moves an account's pairs aside (`<account id>.unreadable-<time>`), out of every later
   * reconciliation: they do not open, and a reconnection starts the account again.
   */
  setAside(accountId: string): void {
    if (!UUIDISH.test(accountId)) return;
    this.#made.delete(join(this.dir, accountId));
    try {
      renameSync(join(this.dir, accountId), join(this.dir, `${accountId}.unreadable-${Date.now()}`));
    } catch {
      // already gone
    }
  }

  /** Writes `name` in `folder`: a file of its own, fsync, rename, fsync the folder. */
  async #write(folder: string, name: string, content: string): Promise<void> {
    const target = join(folder, name);
    // The process's own name for it, and a count: two writes under way never share a file.
    const tmp = `${target}.${process.pid}.${(this.#writes += 1)}.tmp`;
    const file = await this.#create(folder, tmp);
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, target);
    const dir = await openFile(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Opens `path` for writing in `folder`, making the folder first if this process has not. */
  async #create(folder: string, path: string): Promise<FileHandle> {
    if (this.#made.has(folder)) {
      try {
        return await openFile(path, 'w', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        this.#made.delete(folder); // removed since (forgotten, set aside): made again below
      }
    }
    if ((await mkdir(folder, { recursive: true, mode: 0o700 })) !== undefined) {
      // A new account folder: its entry in the parent is made durable too, before its first file.
      const parent = await openFile(this.dir, 'r');
      try {
        await parent.sync();
      } finally {
        await parent.close();
      }
    }
    this.#made.add(folder);
    return openFile(path, 'w', 0o600);
  }

  /** Versions kept for the account (pairs, or in-doubt marks with `.sent`), highest first. */
  #versions(accountId: string, suffix: '.pair' | '.sent' = '.pair'): number[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, accountId));
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith(suffix))
      .map((n) => /^(\d+)\.(?:pair|sent)$/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
  }
}
