/**
 * @module Two writes of the refresh critical section (`critical-section.ts`), apart from its
 * steps' order: the new pair sealed as it is stored (step 7), and the one release path (step 8).
 */
import { seal } from '../crypto/aead.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import { tokenBinding } from '../crypto/token-binding.ts';
import type { IssuedTokens } from '../oauth/token-client.ts';
import { holdLease, releaseLease, unmarkSent, type TokenSetRow } from '../store/token-sets.ts';
import { guardSendCleared } from './guard-steps.ts';
import type { Lease, SectionDeps } from './section-deps.ts';

/** The pair X issued, each token sealed under the active key and bound to its account and field. */
export function sealedRotation(keyRing: KeyRing, row: TokenSetRow, tokens: IssuedTokens, expiresAt: number) {
  const { accountId } = row;
  return {
    accessCt: seal(keyRing, tokens.accessToken, tokenBinding(accountId, 'access')),
    refreshCt:
      tokens.refreshToken === undefined
        ? null
        : seal(keyRing, tokens.refreshToken, tokenBinding(accountId, 'refresh')),
    keyId: keyRing.active.id,
    accessExpiresAt: expiresAt,
    scope: tokens.scope ?? row.scope,
  };
}

/**
 * How a lease ends. `give_back`: nothing new went out (the doubt there was stays); `hold`: keep
 * the lease, and its doubt, until a request with an unknown outcome has surely ended at X —
 * against everyone, this process included; `cool_down`: the same, much longer, after both sends
 * went unanswered; `unsent`: the send was marked but never made.
 */
export type ReleaseHow = 'give_back' | 'hold' | 'cool_down' | 'unsent';

/**
 * Step 8, the one release path (see {@link ReleaseHow}). A failure is reported
 * (`release_failed`); the lease then ends at its expiry.
 */
export async function releaseStep(d: SectionDeps, lease: Lease, how: ReleaseHow): Promise<void> {
  const { db, holder, httpTimeoutMs, coolDownMs } = d;
  const { accountId, version, inDoubt } = lease.row;
  try {
    if (how === 'give_back') await releaseLease(db, accountId, holder, inDoubt);
    else if (how === 'hold') await holdLease(db, accountId, holder, httpTimeoutMs);
    else if (how === 'cool_down') await holdLease(db, accountId, holder, coolDownMs);
    else await unmarkSent(db, accountId, holder, version);
    // No doubt left on this version (the doubt of an earlier send stays, in the store and beside it).
    if ((how === 'give_back' || how === 'unsent') && !inDoubt) guardSendCleared(d, accountId, version);
  } catch (e) {
    d.events.emit('release_failed', { accountId, message: (e as Error).message });
  }
}
