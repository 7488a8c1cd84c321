/**
 * @module A signed-in person's sessions: the list in Settings and "sign out everywhere"; and the
 * language and time zone kept for them.
 */
import type { Locale } from '../../core/locale.ts';
import {
  deleteUserSessions,
  listSessions,
  setPreferences,
  type SessionListing,
} from '../../store/web-sessions.ts';
import { requirePerson, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';

const personOnly = (actor: Actor) => requirePerson(actor, 'sessions belong to a signed-in person');

/** The actor's live sessions (seen within `idleMs`), most recently used first. */
export async function listSessionsFor(
  deps: WebDeps,
  actor: Actor,
  idleMs: number,
): Promise<SessionListing[]> {
  personOnly(actor);
  return listSessions(deps.db, actor.userId, idleMs);
}

/** Ends every session of the actor, the current one too; returns how many there were. */
export async function endAllSessions(deps: WebDeps, actor: Actor): Promise<number> {
  personOnly(actor);
  return deleteUserSessions(deps.db, actor.userId);
}

/** Keeps the actor's language and time zone (null: from the browser; absent: unchanged). */
export async function savePreferences(
  deps: WebDeps,
  actor: Actor,
  p: { locale?: Locale | null; timeZone?: string | null },
): Promise<void> {
  personOnly(actor);
  await setPreferences(deps.db, actor.userId, p);
}
