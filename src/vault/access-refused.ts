/**
 * @module X refused a token the vault had just refreshed for it (a 401 after the one retry,
 * `token-call.ts`): the grant no longer works for this (revoked scope, suspended app access…).
 * The account is marked as needing its user, and told once (`reauth_required`), here and nowhere
 * else outside the critical section: the vault alone marks accounts and emits account events.
 * Also {@link authorizedFetch}, the one request a library user makes as an account.
 */
import { RotorError } from '../core/errors.ts';
import type { FetchLike } from '../oauth/bounded-fetch.ts';
import { findAccount, markReauthRequired } from '../store/accounts.ts';
import type { Db } from '../store/db.ts';
import type { VaultEvents } from './events.ts';
import { storeCall } from './hand-out.ts';
import { callWithToken, type TokenSource } from './token-call.ts';

/** Marks the account `reauth_required` (reason `unknown`); true if it was active until now. */
export async function markAccessRefused(db: Db, events: VaultEvents, accountId: string): Promise<boolean> {
  const account = await findAccount(db, { id: accountId }).catch(() => undefined);
  const changed = await storeCall('mark the account', accountId, () =>
    markReauthRequired(db, accountId, 'unknown'),
  );
  if (changed) {
    events.emit('reauth_required', { accountId, username: account?.username ?? '?', reason: 'unknown' });
  }
  return changed;
}

/**
 * A request with the account's access token (`Authorization: Bearer`); a 401 → one refresh and
 * the same request once more; a 401 again → the account marked, `reauth_required` thrown.
 */
export async function authorizedFetch(
  vault: TokenSource & { markAccessRefused(accountId: string): Promise<boolean> },
  fetchImpl: FetchLike,
  accountId: string,
  input: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  if (init.body instanceof ReadableStream) {
    // A retry after the refresh must send the same body again: a stream can be read only once.
    throw new RotorError(
      'invalid_input',
      'authorizedFetch needs a body it can send twice (a string, bytes, FormData, URLSearchParams or a Blob), not a stream',
      { accountId },
    );
  }
  const call = (token: string) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetchImpl(input, { ...init, headers });
  };
  const unauthorized = (r: Response) => {
    if (r.status !== 401) return false;
    void r.body?.cancel().catch(() => undefined); // the refused answer is not read: free its socket
    return true;
  };
  const answer = await callWithToken(vault, accountId, call, { unauthorized });
  switch (answer.kind) {
    case 'answered':
      return answer.result;
    case 'no_token':
      throw answer.error;
    case 'stopped': // (no `beforeCall` here)
    case 'refused':
      await vault.markAccessRefused(accountId);
      throw new RotorError(
        'reauth_required',
        'X refused the access token even after a refresh; the account needs to be connected again',
        { accountId, reason: 'unknown', status: 401 },
      );
  }
}
