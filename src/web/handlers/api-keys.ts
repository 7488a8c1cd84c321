/**
 * @module API keys: created by a signed-in person (shown once), kept as SHA-256 only, revocable;
 * the actor a presented key stands for; the token hand-outs made to the keys.
 * A key looks like `rotor_` + 32 random bytes (base64url).
 */
import { createHash, randomBytes } from 'node:crypto';
import { RotorError } from '../../core/errors.ts';
import {
  insertApiKey,
  listApiKeys,
  listHandouts,
  revokeApiKey,
  useApiKey,
  type ApiKeyRow,
  type HandoutRow,
} from '../../store/api-keys.ts';
import { isUuid, requirePerson, type Actor, type Permission } from '../actor.ts';
import type { WebDeps } from '../deps.ts';

export const API_KEY_PREFIX = 'rotor_';

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

const sessionOnly = (actor: Actor) => requirePerson(actor, 'API keys are managed by a signed-in person');

/** The actor a presented key (`rotor_…`) stands for, marking the key used; undefined if unknown or revoked. */
export async function actorForApiKey(deps: WebDeps, key: string): Promise<Actor | undefined> {
  const row = await useApiKey(deps.db, hashApiKey(key));
  return row
    ? { userId: row.ownerId, apiKey: { id: row.id, permissions: new Set(row.permissions) } }
    : undefined;
}

export async function createApiKey(
  deps: WebDeps,
  actor: Actor,
  input: { name: string; permissions: Permission[] },
): Promise<{ key: string; row: ApiKeyRow }> {
  sessionOnly(actor);
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await insertApiKey(deps.db, {
    ownerId: actor.userId,
    name: input.name,
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    hash: hashApiKey(key),
    permissions: [...new Set(input.permissions)],
  });
  return { key, row };
}

export async function listApiKeysFor(deps: WebDeps, actor: Actor): Promise<ApiKeyRow[]> {
  sessionOnly(actor);
  return listApiKeys(deps.db, actor.userId);
}

export async function revokeApiKeyFor(deps: WebDeps, actor: Actor, id: string): Promise<void> {
  sessionOnly(actor);
  if (!isUuid(id) || !(await revokeApiKey(deps.db, actor.userId, id)))
    throw new RotorError('not_found', 'no such key among yours');
}

/** The token broker's recent hand-outs to the actor's keys (the Settings page's list). */
export async function listHandoutsFor(deps: WebDeps, actor: Actor): Promise<HandoutRow[]> {
  sessionOnly(actor);
  return listHandouts(deps.db, actor.userId);
}
