/**
 * @module What the vault asks before and after it talks to X, for backups, moves and copies
 * (docs/backups-and-moves.md). Three hooks, each one call site in the vault:
 *
 * - {@link VaultGuard.keepPair}: X answered a new pair → keep it outside the database (before
 *   the store takes it: a crash between the two leaves the newer pair kept, never an older one).
 * - {@link VaultGuard.reconcile}: the vault opens → rows older than the kept pairs are brought
 *   forward; a row whose newer pair is kept but does not open is marked `reauth_required`
 *   (`restored`) instead of sending its spent refresh token.
 * - {@link VaultGuard.beforeRefresh}: a refresh is about to be sent → may this installation
 *   refresh ({@link InstallationGate}), and is the leased row still the newest pair? (A database
 *   restored under a running process.)
 */
import { join } from 'node:path';
import { RotorError } from '../core/errors.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { markReauthRequired } from '../store/accounts.ts';
import { bringForward, readRowStates, restoreSentMark, type RowState } from '../store/bring-forward.ts';
import type { Db } from '../store/db.ts';
import type { Rotation } from '../store/token-sets.ts';
import type { VaultEvents } from './events.ts';
import { InstallationGate } from './installation.ts';
import { NewestPairs } from './newest-pair.ts';

/** The hooks as the vault sees them (see the module comment). */
export interface VaultHooks {
  /** A pair X just issued, about to be stored as `version` (= the leased row's version + 1). */
  keepPair(p: {
    accountId: string;
    version: number;
    consentedAt: number;
    rotation: Rotation;
    /** The refresh token ciphertext now valid: the rotation's, or the row's if X sent none. */
    refreshCt: string | null;
  }): Promise<void>;
  /**
   * The refresh token of `version` is about to go out, its send now counted `sentCount` (the
   * store's in-doubt mark is set): the mark is kept outside the database too, so that a restore
   * does not take it away. Optional, as {@link sendCleared}.
   */
  sendMarked?(p: {
    accountId: string;
    version: number;
    sentCount: number;
    consentedAt: number;
  }): Promise<void>;
  /** The in-doubt mark of `version` was taken away in the store (nothing went out unanswered). */
  sendCleared?(accountId: string, version: number): void;
  /** At open, before any refresh. */
  reconcile(): Promise<ReconcileReport>;
  /** Resolves once the clean-up of older kept files, started after each kept pair, has ended. */
  settled?(): Promise<void>;
  /**
   * With the lease held, just before sending. `'reread'`: the row was brought forward (the
   * lease is gone with it): read it again. Throws `refresh_fenced` when refreshing is off.
   */
  beforeRefresh(accountId: string, version: number): Promise<'send' | 'reread'>;
}

export interface ReconcileReport {
  broughtForward: { accountId: string; username: string; from: number; to: number }[];
  /**
   * Rows whose in-doubt mark (a refresh sent, its answer unknown) a restore had taken away, put
   * back from the mark kept beside the pairs: a refusal of that token is then a lost answer.
   */
  inDoubt: { accountId: string; username: string; version: number }[];
  /** Restored from a backup older than the last refresh, and the newer pair does not open. */
  lost: { accountId: string; username: string; version: number; highestKept: number }[];
  /** Kept pairs of accounts no longer in the store (disconnected, or connected after the backup). */
  forgotten: string[];
}

export interface GuardOptions {
  db: Db;
  keyRing: KeyRing;
  dataDir: string;
  /** Where the newest pairs are kept (default `<dataDir>/newest`; `ROTOR_NEWEST_DIR`). */
  pairDir?: string;
  /** `'off'`: this installation never refreshes (`ROTOR_REFRESH`; default `'on'`). */
  refresh?: 'on' | 'off';
  events?: VaultEvents;
}

export class VaultGuard implements VaultHooks {
  readonly gate: InstallationGate;
  readonly pairs: NewestPairs;
  readonly #db: Db;
  #events: VaultEvents | undefined;

  private constructor(db: Db, gate: InstallationGate, pairs: NewestPairs, events: VaultEvents | undefined) {
    this.#db = db;
    this.gate = gate;
    this.pairs = pairs;
    this.#events = events;
  }

  static async open(o: GuardOptions): Promise<VaultGuard> {
    const gate = await InstallationGate.open(o.db, o.dataDir, { switchOff: o.refresh === 'off' });
    const dir = o.pairDir ?? join(o.dataDir, 'newest');
    return new VaultGuard(o.db, gate, new NewestPairs(dir, o.keyRing), o.events);
  }

  /** Reports accounts found restored (`reauth_required`, `restored`) to these events too. */
  observe(events: VaultEvents): void {
    this.#events = events;
  }

  async keepPair(p: Parameters<VaultHooks['keepPair']>[0]): Promise<void> {
    try {
      await this.pairs.keep({
        accountId: p.accountId,
        version: p.version,
        installationId: this.gate.installationId,
        consentedAt: p.consentedAt,
        accessCt: p.rotation.accessCt,
        refreshCt: p.refreshCt,
        keyId: p.rotation.keyId,
        accessExpiresAt: p.rotation.accessExpiresAt,
        scope: p.rotation.scope,
        keptAt: Date.now(),
      });
    } catch {
      // The folder failed (full, read-only): the store still takes the pair; only the protection
      // against a later restore is missing for this refresh.
    }
  }

  /** {@inheritDoc VaultHooks.settled} */
  settled(): Promise<void> {
    return this.pairs.settled();
  }

  async sendMarked(p: Parameters<NonNullable<VaultHooks['sendMarked']>>[0]): Promise<void> {
    try {
      await this.pairs.markSent(p.accountId, { ...p, installationId: this.gate.installationId });
    } catch {
      // As for a pair: the store has the mark; only its copy against a later restore is missing.
    }
  }

  sendCleared(accountId: string, version: number): void {
    try {
      this.pairs.clearSent(accountId, version);
    } catch {
      // A mark left behind only makes a later restore treat that token as sent: the safe side.
    }
  }

  async reconcile(only?: string): Promise<ReconcileReport> {
    const report: ReconcileReport = { broughtForward: [], inDoubt: [], lost: [], forgotten: [] };
    const rows = new Map<string, RowState>((await readRowStates(this.#db)).map((r) => [r.accountId, r]));
    for (const accountId of only === undefined ? this.pairs.accounts() : [only]) {
      const row = rows.get(accountId);
      if (!row) {
        if (only === undefined) {
          this.pairs.forget(accountId);
          report.forgotten.push(accountId);
        }
        continue;
      }
      const kept = this.pairs.state(accountId, this.gate.installationId);
      if (kept.highest <= row.version) {
        await this.#restoreMark(row, row.version, row.consentedAt, report);
        continue;
      }
      const pair = kept.pair;
      if (pair && pair.version > row.version && pair.consentedAt >= row.consentedAt - 1) {
        if (await bringForward(this.#db, accountId, pair)) {
          report.broughtForward.push({
            accountId,
            username: row.username,
            from: row.version,
            to: pair.version,
          });
        }
        if (pair.version === kept.highest) {
          await this.#restoreMark(row, pair.version, Math.max(pair.consentedAt, row.consentedAt), report);
          continue;
        }
      }
      // A newer pair was kept than the store (or the pair brought forward) has, and it does not
      // open here: the stored refresh token is spent. Sending it could end the grant at X.
      if (row.status === 'active' && (await markReauthRequired(this.#db, accountId, 'restored'))) {
        this.#events?.emit('reauth_required', { accountId, username: row.username, reason: 'restored' });
      }
      this.pairs.setAside(accountId);
      report.lost.push({
        accountId,
        username: row.username,
        version: pair && pair.version > row.version ? pair.version : row.version,
        highestKept: kept.highest,
      });
    }
    return report;
  }

  /**
   * The row (now at `version`, of the grant of `consentedAt`) gets back the in-doubt mark kept for
   * that version, if the store lacks it.
   */
  async #restoreMark(
    row: RowState,
    version: number,
    consentedAt: number,
    report: ReconcileReport,
  ): Promise<boolean> {
    const mark = this.pairs.sentMark(row.accountId, version, this.gate.installationId);
    if (!mark || Math.abs(mark.consentedAt - consentedAt) > 1) return false;
    if (!(await restoreSentMark(this.#db, row.accountId, version, mark.sentCount))) return false;
    report.inDoubt.push({ accountId: row.accountId, username: row.username, version });
    return true;
  }

  async beforeRefresh(accountId: string, version: number): Promise<'send' | 'reread'> {
    try {
      await this.gate.assertMayRefresh(accountId);
      if (this.pairs.highestVersion(accountId) <= version) {
        // A send of this version is kept in doubt: a database restored under this process may
        // have taken the store's mark away.
        if (!this.pairs.hasSentMark(accountId, version)) return 'send';
        const report = await this.reconcile(accountId);
        return report.inDoubt.length > 0 ? 'reread' : 'send';
      }
      await this.reconcile(accountId);
      return 'reread';
    } catch (e) {
      if (e instanceof RotorError) throw e;
      throw new RotorError('store_unavailable', 'the database could not be checked before a refresh', {
        accountId,
        cause: e,
      });
    }
  }
}

/** The report's lines for an operator (no secrets: usernames and versions). */
export function describeReconcile(r: ReconcileReport): string[] {
  return [
    ...r.broughtForward.map(
      (b) =>
        `@${b.username}: the database had an older token set (version ${b.from}) than the newest kept one; brought forward to version ${b.to}`,
    ),
    ...r.inDoubt.map(
      (d) =>
        `@${d.username}: a refresh of version ${d.version} went out before the restore and its answer is not known; it is treated as in doubt`,
    ),
    ...r.lost.map(
      (l) =>
        `@${l.username}: restored from a backup older than its last refresh (version ${l.version}, newest kept ${l.highestKept} does not open with ROTOR_KEYS): reconnect`,
    ),
  ];
}
