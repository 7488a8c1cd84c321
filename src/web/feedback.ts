/**
 * @module What a person is told after each action (Post/Redirect/Get: the action redirects, and
 * the page it lands on says what happened, so a reload repeats nothing): the flash names in the
 * redirect's query, their texts, and where a demo mode "View on X" link points.
 */
import type { OAuthProvider } from '../oauth/provider.ts';
import type { MessageKey, Translate } from './i18n.ts';

/** The flashes a redirect may carry as `?flash=NAME` (with `&user=` where it names an account). */
export const FLASHES = {
  connected: 'flash.connected',
  reconnected: 'flash.reconnected',
  disconnected: 'flash.disconnected',
  paused: 'flash.paused',
  resumed: 'flash.resumed',
  deleted: 'flash.deleted',
  created: 'flash.created',
  slots: 'flash.slots',
  keyCreated: 'flash.keyCreated',
  keyRevoked: 'flash.keyRevoked',
  settings: 'flash.settings',
  read: 'flash.read',
} as const satisfies Record<string, MessageKey>;
export type Flash = keyof typeof FLASHES;

/** `path` with `flash` (and its parameters) added to the query. */
export function withFlash(path: string, flash: Flash, params: Record<string, string> = {}): string {
  const url = new URL(path, 'http://rotor.invalid');
  url.searchParams.set('flash', flash);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}`;
}

/** The text of the flash a page was reached with, if any. */
export function flashText(t: Translate, query: (name: string) => string | undefined): string | undefined {
  const name = query('flash') ?? '';
  if (!(name in FLASHES)) return undefined;
  return t(FLASHES[name as Flash], { user: query('user') ?? '', name: query('name') ?? '' });
}

/**
 * Where "View on X" points: X's own page, or in demo mode the emulator's page for the post (the
 * emulator serves `/{username}/status/{id}` as x.com does).
 */
export function viewOnXUrl(
  url: string | null,
  o: { demo: boolean; provider: Pick<OAuthProvider, 'server'> },
): string | null {
  if (url === null || !o.demo) return url;
  const endpoint = o.provider.server.authorization_endpoint;
  if (!endpoint) return url;
  return url.replace(/^https:\/\/x\.com\//, `${new URL(endpoint).origin}/`);
}
