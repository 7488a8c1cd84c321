/**
 * @module Key rotation (property 21): re-encrypts every sealed value in the database under the
 * ring's active key, and reports which keys rows still use, so that an old key leaves
 * `ROTOR_KEYS` only when nothing needs it.
 *
 * Safe while workers refresh: a row is rewritten by compare-and-swap on its version **and** on
 * the exact ciphertexts read, and the version is left as it is. So the pass only ever replaces a
 * ciphertext with the same secret under another key: a refresh stored meanwhile makes the swap
 * fail (the row is simply read again), and a refresh holding the lease still stores its new pair
 * (its own compare-and-swap on the version is untouched). Resumable: rows already under the
 * active key are skipped, so a pass stopped anywhere is finished by running it again.
 *
 * Sealed columns: `token_sets.access_ct`/`refresh_ct` and `oauth_transactions.verifier_ct`.
 * Not in the database, so not rotated here: cookie-mode sessions (in browsers; re-sealed at their
 * next refresh) and the local journal (written back at the next start on its machine).
 */
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DecryptionError, keyIdOf, open, seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding, type TokenField } from '../crypto/token-binding.ts';
import type { Audit } from './audit.ts';
import type { Queryable } from '../store/db.ts';
import {
  countByKey,
  countNotUnder,
  deleteExpiredTransactions,
  readSealedTokenSet,
  resealTransaction,
  tokenSetsNotUnder,
  transactionsNotUnder,
  type SealedTokenSet,
} from '../store/sealed.ts';
import { resealTokenSet } from '../store/token-sets.ts';

export interface KeyUsage {
  keyId: string;
  /** Ciphertexts sealed with this key. */
  count: number;
  inRing: boolean;
  active: boolean;
}

/** How many ciphertexts each key seals, across every sealed column; plus ring keys nothing uses. */
export async function keyUsage(db: Queryable, ring: KeyRing): Promise<KeyUsage[]> {
  const counts = new Map((await countByKey(db)).map((row) => [row.keyId, row.n]));
  const ids = [...new Set([...ring.ids(), ...counts.keys()])].sort();
  return ids.map((keyId) => ({
    keyId,
    count: counts.get(keyId) ?? 0,
    inRing: ring.get(keyId) !== undefined,
    active: ring.active.id === keyId,
  }));
}

export interface RotationProgress {
  done: number;
  total: number;
}

export interface RotationSummary {
  activeKeyId: string;
  /** Ciphertext rows rewritten under the active key. */
  rotated: number;
  /** Rows whose swap lost to a concurrent write and were read again. */
  reread: number;
  /** Rows that do not decrypt with this ring (a missing or wrong key, or tampering). */
  unreadable: { table: string; row: string; username?: string }[];
  usage: KeyUsage[];
  /** Ring keys no row uses any more (safe to remove from ROTOR_KEYS, unless journals need them). */
  retirable: string[];
  /** Journal files waiting in the given folder (written back at the next start on this machine). */
  journalEntries: number;
}

const isCurrent = (ct: string | null, active: string) => ct === null || keyIdOf(ct) === active;

/**
 * Re-encrypts every sealed value under `ring.active`. Reports progress after each row.
 *
 * @example
 * const summary = await rotateKeys(db, ring, { onProgress: (p) => bar.update(p.done, p.total) });
 */
export async function rotateKeys(
  db: Queryable,
  ring: KeyRing,
  o: {
    onProgress?: (p: RotationProgress) => void;
    batchSize?: number;
    journalDir?: string;
    /** A pause after each token set (ms), to spread the load on a busy database. Default 0. */
    pauseMs?: number;
    /** Told `keys_rotated` when the pass ends (the audit log of `createOps`). */
    audit?: Audit;
  } = {},
): Promise<RotationSummary> {
  const active = ring.active.id;
  const batch = o.batchSize ?? 100;
  const summary: RotationSummary = {
    activeKeyId: active,
    rotated: 0,
    reread: 0,
    unreadable: [],
    usage: [],
    retirable: [],
    journalEntries: 0,
  };
  // A pending authorization lives ten minutes; an expired one is useless and only pins its key.
  await deleteExpiredTransactions(db);
  const pending = await countNotUnder(db, active);
  const progress = { done: 0, total: pending.tokenSets + pending.transactions };
  o.onProgress?.({ ...progress });

  // Token sets, in account order (keyset pagination: an unreadable row is passed, not retried forever).
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await tokenSetsNotUnder(db, active, after, batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.accountId;
      await rotateTokenRow(db, ring, row, summary);
      progress.done = Math.min(progress.total, progress.done + 1);
      o.onProgress?.({ ...progress });
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  }

  // Pending authorizations.
  const txs = await transactionsNotUnder(db, active);
  for (const tx of txs) {
    const binding = { table: 'oauth_transactions', row: tx.stateHash, field: 'verifier' };
    try {
      const fresh = seal(ring, open(ring, tx.verifierCt, binding), binding);
      // Not swapped: it was taken (used) meanwhile; nothing left to rotate.
      if (await resealTransaction(db, tx.stateHash, tx.verifierCt, fresh)) summary.rotated += 1;
    } catch (e) {
      if (!(e instanceof DecryptionError)) throw e;
      summary.unreadable.push({ table: 'oauth_transactions', row: tx.stateHash.slice(0, 8) });
    }
    progress.done = Math.min(progress.total, progress.done + 1);
    o.onProgress?.({ ...progress });
  }

  summary.usage = await keyUsage(db, ring);
  summary.journalEntries = o.journalDir ? countJournal(o.journalDir) : 0;
  summary.retirable =
    summary.journalEntries > 0
      ? []
      : summary.usage.filter((u) => u.inRing && !u.active && u.count === 0).map((u) => u.keyId);
  o.audit?.('keys_rotated', {
    activeKeyId: summary.activeKeyId,
    rotated: summary.rotated,
    unreadable: summary.unreadable.length,
  });
  return summary;
}

/** One token set: swapped by compare-and-swap; a lost swap re-reads the row (a few times). */
async function rotateTokenRow(
  db: Queryable,
  ring: KeyRing,
  first: SealedTokenSet,
  summary: RotationSummary,
): Promise<void> {
  const active = ring.active.id;
  let row: SealedTokenSet | undefined = first;
  for (let attempt = 0; row && attempt < 20; attempt += 1) {
    if (isCurrent(row.accessCt, active) && isCurrent(row.refreshCt, active)) return;
    const bind = (field: TokenField) => tokenBinding(row?.accountId ?? '', field);
    let accessCt: string;
    let refreshCt: string | null;
    try {
      accessCt = isCurrent(row.accessCt, active)
        ? row.accessCt
        : seal(ring, open(ring, row.accessCt, bind('access')), bind('access'));
      refreshCt =
        row.refreshCt === null || isCurrent(row.refreshCt, active)
          ? row.refreshCt
          : seal(ring, open(ring, row.refreshCt, bind('refresh')), bind('refresh'));
    } catch (e) {
      if (!(e instanceof DecryptionError)) throw e;
      summary.unreadable.push({ table: 'token_sets', row: row.accountId, username: row.username });
      return;
    }
    // The version stays: a refresh that holds the lease must still be able to store its new pair.
    const swapped = await resealTokenSet(db, row, { accessCt, refreshCt, keyId: active });
    if (swapped) {
      summary.rotated += 1;
      return;
    }
    summary.reread += 1;
    row = await readSealedTokenSet(db, row.accountId);
  }
}

function countJournal(dir: string): number {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.journal')).length;
  } catch {
    return 0;
  }
}
