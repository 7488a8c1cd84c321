/**
 * @module Notifications as the dashboard shows them: the actor's unread ones, marking them read,
 * and the operator's alerts (no owner; a banner every signed-in person sees).
 */
import { requirePerson, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import {
  listNotifications,
  listOperatorNotifications,
  markNotificationsRead,
  type NotificationRow,
} from '../../store/notifications.ts';

const personOnly = (actor: Actor) => requirePerson(actor, 'notifications are read by a signed-in person');

/** The actor's unread notifications, newest first, at most `limit`. */
export async function unreadNotificationsFor(
  deps: WebDeps,
  actor: Actor,
  limit: number,
): Promise<NotificationRow[]> {
  personOnly(actor);
  return listNotifications(deps.db, actor.userId, { unreadOnly: true, limit });
}

/** Marks all of the actor's notifications read; returns how many changed. */
export async function markNotificationsReadFor(deps: WebDeps, actor: Actor): Promise<number> {
  personOnly(actor);
  return markNotificationsRead(deps.db, actor.userId);
}

/** The operator's alerts since `sinceMs` (epoch ms), newest first. */
export async function operatorAlertsSince(deps: WebDeps, sinceMs: number): Promise<NotificationRow[]> {
  return listOperatorNotifications(deps.db, sinceMs);
}
