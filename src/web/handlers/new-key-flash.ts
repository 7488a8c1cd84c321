/**
 * @module A new API key, shown once after the redirect that follows its creation (Post/Redirect/Get:
 * reloading the page cannot create a second key). The key travels in a short-lived HttpOnly cookie,
 * sealed with the key ring and bound to its owner, and is deleted when the page has shown it.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { open, seal } from '../../crypto/aead.ts';
import type { WebDeps } from '../deps.ts';
import { dropCookie, putCookie, type CookieNames } from '../session.ts';

const nameOf = (names: CookieNames) => names.session.replace(/session$/, 'newkey');
const binding = (userId: string) => ({ table: 'web_flash', row: userId, field: 'new_api_key' });

/** Keeps `key` for the next page of `userId` (two minutes at most). */
export function giveNewKey(
  c: Context,
  deps: Pick<WebDeps, 'keyRing' | 'insecureLoopback'>,
  names: CookieNames,
  userId: string,
  key: string,
): void {
  putCookie(c, nameOf(names), seal(deps.keyRing, key, binding(userId)), deps.insecureLoopback, 120);
}

/** The key given by {@link giveNewKey}, once; undefined when there is none (or not this user's). */
export function takeNewKey(
  c: Context,
  deps: Pick<WebDeps, 'keyRing' | 'insecureLoopback'>,
  names: CookieNames,
  userId: string,
): string | undefined {
  const sealed = getCookie(c, nameOf(names));
  if (!sealed) return undefined;
  dropCookie(c, nameOf(names), deps.insecureLoopback);
  try {
    return open(deps.keyRing, sealed, binding(userId));
  } catch {
    return undefined;
  }
}
