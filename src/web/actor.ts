/**
 * @module Who is asking: a signed-in person (every permission) or an API key (its own
 * permissions). Every handler receives an actor and checks ownership and permission itself.
 */
import { RotorError } from '../core/errors.ts';

/** What an API key may do. A browser session may do all of it. */
export const PERMISSIONS = [
  'accounts:read',
  'posts:read',
  'posts:write',
  'schedules:read',
  'schedules:write',
  'tokens:issue',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Actor {
  userId: string;
  /** Null for a browser session (all permissions). */
  apiKey: { id: string; permissions: ReadonlySet<string> } | null;
}

export const isPermission = (p: string): p is Permission => (PERMISSIONS as readonly string[]).includes(p);

/** Throws `forbidden` unless the actor holds `permission`. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (actor.apiKey && !actor.apiKey.permissions.has(permission)) {
    throw new RotorError('forbidden', `this API key lacks the "${permission}" permission`);
  }
}

/** Throws `forbidden` (saying `message`) unless the actor is a signed-in person, not an API key. */
export function requirePerson(actor: Actor, message: string): void {
  if (actor.apiKey) throw new RotorError('forbidden', message);
}

/** A UUID as PostgreSQL reads it (anything else is "not found" before any query). */
export const isUuid = (v: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
