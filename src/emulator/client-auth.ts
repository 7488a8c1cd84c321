/**
 * @module Client authentication at the token and revocation endpoints: HTTP Basic for
 * confidential clients, `client_id` in the body for public ones (RFC 6749 §2.3.1).
 */
import { timingSafeEqual } from 'node:crypto';
import type { ClientRecord } from './model.ts';
import { fail, ok, oauthErrors, type OAuthResult } from './oauth-errors.ts';
import type { EmulatorWorld } from './world.ts';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `Basic base64(urlencode(id):urlencode(secret))`; undefined when it is not that. */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** Finds the calling client, or the error X answers. */
export function authenticateClient(
  world: EmulatorWorld,
  authorization: string | undefined,
  bodyClientId: string | undefined,
): OAuthResult<ClientRecord> {
  if (authorization !== undefined && authorization !== '') {
    const basic = parseBasic(authorization);
    if (!basic) return fail(oauthErrors.missingClientAuth());
    const client = world.clients.get(basic.id);
    if (!client?.clientSecret || !safeEqual(client.clientSecret, basic.secret)) {
      return fail(oauthErrors.missingClientAuth());
    }
    if (bodyClientId !== undefined && bodyClientId !== client.clientId)
      return fail(oauthErrors.missingClientAuth());
    return ok(client);
  }
  if (bodyClientId === undefined || bodyClientId === '')
    return fail(oauthErrors.missingParameter('client_id'));
  const client = world.clients.get(bodyClientId);
  if (!client) return fail(oauthErrors.unknownClient());
  // A confidential client must prove itself; its id alone is not enough.
  if (client.clientSecret !== undefined) return fail(oauthErrors.missingClientAuth());
  return ok(client);
}
