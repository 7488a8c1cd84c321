/**
 * @module The refusal step of the critical section (property 14): X refused the grant. Re-read
 * the store first — someone else's rotation is a lost race and its token is used — otherwise the
 * account needs its user, with the reason Rotor knows. Also the wait for another holder's lease.
 */
import { RotorError } from '../core/errors.ts';
import { fetchProfile } from '../oauth/token-client.ts';
import { markReuseSuspected, readLeaseState, readTokenSet, type TokenSetRow } from '../store/token-sets.ts';
import { reauthReason, waitStepMs } from './decisions.ts';
import { openField, storeCall, type HandOut } from './hand-out.ts';
import type { SectionDeps } from './section-deps.ts';

/** Resolves on a lost race (the caller re-reads); otherwise marks the account and throws. */
export async function settleRefusal(
  d: SectionDeps,
  out: HandOut,
  row: TokenSetRow,
  sentBefore: boolean,
): Promise<void> {
  const { accountId } = row;
  const again = await storeCall('re-read the token set', accountId, () => readTokenSet(d.db, accountId));
  if (again && again.version !== row.version) {
    await suspectReuse(d, accountId); // we presented a spent token
    return;
  }
  const reason = reauthReason({
    inDoubt: sentBefore,
    reuseSuspected: row.reuseSuspected,
    pastHorizon: d.clock.now() >= row.consentedAt + d.horizonMs,
    accessProbe: await probeAccess(d, row),
  });
  await out.needsUser(row, reason);
}

/** A spent token may have been presented: the event, and the account flagged (best effort). */
export async function suspectReuse(d: SectionDeps, accountId: string): Promise<void> {
  d.events.emit('reuse_suspected', { accountId });
  await markReuseSuspected(d.db, accountId).catch(() => undefined); // the event is the report
}

/** Is the (unexpired) access token still accepted? Tells a revoked grant from other refusals. */
async function probeAccess(d: SectionDeps, row: TokenSetRow): Promise<'unauthorized' | 'ok' | 'not_checked'> {
  if (row.accessExpiresAt <= d.clock.now()) return 'not_checked';
  const access = openField(d.keyRing, d.events, row, 'access', row.accessCt);
  const result = await fetchProfile(d.provider, access, {
    ...(d.fetch ? { fetch: d.fetch } : {}),
    limits: { timeoutMs: d.httpTimeoutMs },
  });
  return result.kind === 'unauthorized' ? 'unauthorized' : result.kind === 'ok' ? 'ok' : 'not_checked';
}

/**
 * Waits until the lease could be ours (its end; for another holder's in-doubt lease, its end and
 * the doubt grace) or the row moved on, with backoff (property 11): one `lease_waited` event.
 */
export async function waitForLease(
  d: SectionDeps,
  accountId: string,
  version: number,
  until: number,
): Promise<void> {
  const { timer, db, holder, doubtGraceMs } = d;
  const start = timer.monotonic();
  try {
    for (let i = 0; ; i += 1) {
      if (d.closing.aborted) return; // the caller re-reads, and sends nothing new
      const s = await storeCall('read the lease', accountId, () =>
        readLeaseState(db, accountId, holder, doubtGraceMs),
      );
      if (!s || s.version !== version || s.takeableInMs <= 0) return;
      const left = until - timer.monotonic();
      if (left <= 0) {
        throw new RotorError('lease_timeout', 'another process is still refreshing this account', {
          accountId,
        });
      }
      await timer.sleep(waitStepMs(i, s.takeableInMs, left));
    }
  } finally {
    d.events.emit('lease_waited', { accountId, durationMs: timer.monotonic() - start });
  }
}
