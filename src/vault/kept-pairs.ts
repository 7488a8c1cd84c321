/**
 * @module Pairs X gave that the store has not taken yet (property 13): kept in memory and in the
 * machine's journal, written to the store (compare-and-swap on the version they came from) as
 * soon as it answers, and recovered from the journal when a vault opens. A pending pair always
 * comes before a refresh of its account: its predecessor is spent.
 */
import type { Db } from '../store/db.ts';
import { storeRotation } from '../store/token-sets.ts';
import type { VaultEvents } from './events.ts';
import type { Journal, JournalEntry } from './journal.ts';

export class KeptPairs {
  readonly #db: Db;
  readonly #journal: Journal | undefined;
  readonly #events: VaultEvents;
  readonly #pending = new Map<string, JournalEntry>();
  #closed = false;

  constructor(db: Db, journal: Journal | undefined, events: VaultEvents) {
    this.#db = db;
    this.#journal = journal;
    this.#events = events;
  }

  /** Keeps a pair: memory first, then the fsynced journal (its failure is reported; memory still holds it). */
  keep(entry: JournalEntry, why: 'store_down' | 'lease_ran_out'): void {
    this.#pending.set(entry.accountId, entry);
    this.#events.emit('pair_kept', { accountId: entry.accountId, why });
    try {
      this.#journal?.write(entry);
    } catch (e) {
      this.#events.emit('journal_failed', { accountId: entry.accountId, message: (e as Error).message });
    }
  }

  /**
   * Writes the account's kept pair, if any, before anything else happens to the account: this
   * process's, or — `inDoubt` — one another process of this machine journaled. Throws while the
   * store is down. True when a pair was written (or settled).
   */
  async settle(accountId: string, inDoubt: boolean): Promise<boolean> {
    let entry = this.#pending.get(accountId);
    if (!entry && inDoubt) entry = this.#journal?.list().find((e) => e.accountId === accountId);
    if (!entry) return false;
    await this.apply(entry);
    return true;
  }

  has(accountId: string): boolean {
    return this.#pending.has(accountId);
  }

  /** Writes a kept pair; settled either way (stored, or the row moved on). Returns the new version. */
  async apply(entry: JournalEntry): Promise<number | undefined> {
    const version = await storeRotation(this.#db, entry.accountId, null, entry.fromVersion, entry.rotation);
    if (this.#pending.get(entry.accountId) === entry) this.#pending.delete(entry.accountId);
    this.#journal?.remove(entry);
    if (version !== undefined) {
      this.#events.emit('refreshed', {
        accountId: entry.accountId,
        version,
        expiresAt: entry.rotation.accessExpiresAt,
      });
    }
    return version;
  }

  /** Writes a kept pair as soon as the store answers again (every 200 ms: a lease is running). */
  flushLater(entry: JournalEntry): void {
    void (async () => {
      while (!this.#closed && this.#pending.get(entry.accountId) === entry) {
        await new Promise((resolve) => setTimeout(resolve, 200).unref());
        try {
          await this.apply(entry);
        } catch {
          // still down
        }
      }
    })();
  }

  /**
   * The open step: writes every journaled pair left by an earlier run on this machine. Returns
   * how many were settled; the others stay kept and are written once the store is back.
   */
  async recover(): Promise<number> {
    let settled = 0;
    for (const entry of this.#journal?.list() ?? []) {
      try {
        await this.apply(entry);
        settled += 1;
      } catch {
        this.#pending.set(entry.accountId, entry);
        this.flushLater(entry);
      }
    }
    return settled;
  }

  /** Stops background writes; kept pairs stay in the journal. */
  close(): void {
    this.#closed = true;
  }
}
