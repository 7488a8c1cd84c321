/**
 * @module What a person is told when a connection ends: "@alice is connected / reconnected" on the
 * dashboard, and a reconnect finished as another X account than the one that needs it (the X
 * session was @hanako's, the button was "Reconnect @alice"): said plainly, and @hanako — if this
 * connection added it — is not kept (its grant is revoked at X, its tokens deleted).
 */
import { listAccounts } from '../../store/accounts.ts';
import { disconnectAccount } from '../../vault/disconnect.ts';
import type { Connected } from '../../vault/connect.ts';
import type { WebDeps } from '../deps.ts';
import { withFlash } from '../feedback.ts';

/** The account a "Reconnect @name" link asked for (carried in its `returnTo`, `/?reconnect=name`). */
export function expectedAccount(returnTo: string): string | undefined {
  const want = new URL(returnTo, 'http://rotor.invalid').searchParams.get('reconnect') ?? '';
  return /^\w{1,15}$/.test(want) ? want : undefined;
}

/** The ids of the accounts `ownerId` had before a connection (undefined when signing in). */
export async function accountsBefore(
  deps: WebDeps,
  ownerId: string | undefined,
): Promise<ReadonlySet<string> | undefined> {
  return ownerId ? new Set((await listAccounts(deps.db, ownerId)).map((a) => a.id)) : undefined;
}

/**
 * Where to send the person after a connection, with what to tell them. `before`: from
 * {@link accountsBefore}, read before the connection was completed.
 */
export async function feedbackFor(
  deps: WebDeps,
  before: ReadonlySet<string> | undefined,
  connected: Connected,
): Promise<string> {
  const want = expectedAccount(connected.returnTo);
  if (want && want.toLowerCase() !== connected.username.toLowerCase()) {
    if (before && !before.has(connected.accountId)) {
      // Added only by this mistaken reconnect: not kept.
      await disconnectAccount(
        { db: deps.db, provider: deps.provider, keyRing: deps.keyRing, events: deps.vault.events },
        connected.accountId,
      );
    }
    const query = new URLSearchParams({ got: connected.username, want });
    return `/?${query.toString()}`;
  }
  if (!before) return connected.returnTo;
  const path = new URL(connected.returnTo, 'http://rotor.invalid');
  path.searchParams.delete('reconnect');
  return withFlash(`${path.pathname}${path.search}`, want ? 'reconnected' : 'connected', {
    user: connected.username,
  });
}
