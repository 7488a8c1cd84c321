/**
 * @module Where the installation's guard (`guard.ts`: the newest pair kept outside the database,
 * the fence that can forbid refreshing) enters the critical section: right before a refresh token
 * goes out (and once its send is marked), right before a new pair is stored, and where the send's
 * in-doubt mark is taken away.
 */
import type { Rotation, TokenSetRow } from '../store/token-sets.ts';
import type { SectionDeps } from './section-deps.ts';

/**
 * May this installation send now? `'reread'`: the row was brought forward (read it again). A
 * refusal (`refresh_fenced`) is thrown after `giveBack` has released the lease.
 */
export async function guardBeforeSend(
  d: SectionDeps,
  row: TokenSetRow,
  giveBack: () => Promise<void>,
): Promise<'send' | 'reread'> {
  if (!d.guard) return 'send';
  let verdict: 'send' | 'reread';
  try {
    verdict = await d.guard.beforeRefresh(row.accountId, row.version);
  } catch (e) {
    await giveBack();
    throw e;
  }
  if (verdict === 'reread') await giveBack();
  return verdict;
}

/** Keeps the pair X just issued outside the database, before the store takes it. */
export async function guardKeepPair(d: SectionDeps, row: TokenSetRow, rotation: Rotation): Promise<void> {
  await d.guard?.keepPair({
    accountId: row.accountId,
    version: row.version + 1,
    consentedAt: row.consentedAt,
    rotation,
    refreshCt: rotation.refreshCt ?? row.refreshCt,
  });
}

/** The send is marked in the store: the mark is kept outside the database too, before the bytes go out. */
export async function guardSendMarked(d: SectionDeps, row: TokenSetRow, sentCount: number): Promise<void> {
  await d.guard?.sendMarked?.({
    accountId: row.accountId,
    version: row.version,
    sentCount,
    consentedAt: row.consentedAt,
  });
}

/** The store's in-doubt mark of `version` was taken away: so is the one kept outside it. */
export function guardSendCleared(d: SectionDeps, accountId: string, version: number): void {
  d.guard?.sendCleared?.(accountId, version);
}
