/**
 * @module Accounts as their owner sees them: health (active, last refresh, the ~6-month horizon,
 * why one needs reconnecting), disconnecting, and the token broker — a currently valid access
 * token for a program holding an API key with `tokens:issue`, every hand-out audit-logged.
 */
import { RotorError } from '../../core/errors.ts';
import { findAccount, listAccounts, type AccountRow } from '../../store/accounts.ts';
import { DEFAULT_HORIZON_MS, DEFAULT_HORIZON_WARNING_MS } from '../../vault/vault.ts';
import { recordHandout } from '../../store/api-keys.ts';
import { disconnectAccount, type DisconnectResult } from '../../vault/disconnect.ts';
import { isUuid, requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';

const DAY = 86_400_000;

export interface AccountHealth extends AccountRow {
  connectionEndsAt: number;
  daysLeft: number;
  horizonWarning: boolean;
}

/** An account's health at `now`. */
export function healthOf(a: AccountRow, now: number): AccountHealth {
  const connectionEndsAt = a.consentedAt + DEFAULT_HORIZON_MS;
  const left = connectionEndsAt - now;
  return {
    ...a,
    connectionEndsAt,
    daysLeft: Math.max(0, Math.floor(left / DAY)),
    horizonWarning: a.status === 'active' && left < DEFAULT_HORIZON_WARNING_MS,
  };
}

/** The actor's accounts (for the pages' account pickers and names). */
export async function listAccountsFor(deps: WebDeps, actor: Actor): Promise<AccountRow[]> {
  requirePermission(actor, 'accounts:read');
  return listAccounts(deps.db, actor.userId);
}

export async function listAccountHealth(deps: WebDeps, actor: Actor): Promise<AccountHealth[]> {
  requirePermission(actor, 'accounts:read');
  const now = deps.clock.now();
  return (await listAccounts(deps.db, actor.userId)).map((a) => healthOf(a, now));
}

/** The account if the actor owns it; undefined otherwise (someone else's reads as missing). */
export async function findOwnedAccount(
  deps: WebDeps,
  actor: Actor,
  accountId: string,
): Promise<AccountRow | undefined> {
  const account = isUuid(accountId) ? await findAccount(deps.db, { id: accountId }) : undefined;
  return account && account.ownerId === actor.userId ? account : undefined;
}

/** The account if the actor owns it; `not_found` otherwise (someone else's reads as missing). */
export async function ownedAccount(deps: WebDeps, actor: Actor, accountId: string): Promise<AccountRow> {
  const account = await findOwnedAccount(deps, actor, accountId);
  if (!account) throw new RotorError('not_found', 'no such account among yours');
  return account;
}

/** Disconnects (revokes at X, deletes the tokens). Browser sessions only. */
export async function disconnect(deps: WebDeps, actor: Actor, accountId: string): Promise<DisconnectResult> {
  if (actor.apiKey) throw new RotorError('forbidden', 'disconnecting an account needs a signed-in person');
  await ownedAccount(deps, actor, accountId);
  return disconnectAccount(
    { db: deps.db, provider: deps.provider, keyRing: deps.keyRing, events: deps.vault.events },
    accountId,
  );
}

export interface IssuedToken {
  accountId: string;
  username: string;
  accessToken: string;
  expiresAt: number;
  scope: string;
}

/**
 * The token broker: a valid access token (refreshed through the vault's critical section when
 * due, so the program never holds a refresh token). Audit-logged before it is returned.
 * @throws {RotorError} `reauth_required` (the person must reconnect), transient codes, `forbidden`.
 */
export async function issueToken(deps: WebDeps, actor: Actor, accountId: string): Promise<IssuedToken> {
  // Property 23: tokens never reach a browser, so only API keys (programs) get them.
  if (!actor.apiKey)
    throw new RotorError('forbidden', 'the token broker answers API keys only, not browser sessions');
  requirePermission(actor, 'tokens:issue');
  const account = await ownedAccount(deps, actor, accountId);
  if (account.status !== 'active') {
    throw new RotorError('reauth_required', `@${account.username} needs reconnecting`, {
      accountId,
      ...(account.reason ? { reason: account.reason } : {}),
    });
  }
  // At least a minute of validity, so the program can use it.
  const token = await deps.vault.getAccessToken(accountId, { minValidityMs: 60_000 });
  const handout = {
    apiKeyId: actor.apiKey.id,
    ownerId: actor.userId,
    accountId,
    username: account.username,
    expiresAt: token.expiresAt,
  };
  await recordHandout(deps.db, handout);
  deps.ops?.audit('token_issued', { ...handout, expiresAt: new Date(token.expiresAt).toISOString() });
  return {
    accountId,
    username: account.username,
    accessToken: token.accessToken,
    expiresAt: token.expiresAt,
    scope: token.scope,
  };
}
