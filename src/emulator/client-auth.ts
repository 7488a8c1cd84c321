/**
 * @module Client authentication at the token and revocation endpoints: HTTP Basic for
 * confidential clients, `client_id` in the body for public ones. Basic is read as X documents
 * it, `base64(client_id:client_secret)` with the values as they are: a percent-encoded id
 * (`rotor%2Ddemo`) is another id, and gets X's `unauthorized_client`. The setting
 * `lenientBasicAuth` also accepts the RFC 6749 §2.3.1 form-urlencoded values.
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

interface BasicCredentials {
  id: string;
  secret: string;
}

/** Parses `Basic base64(id:secret)`, the values as they are; undefined when it is not that. */
export function parseBasic(header: string): BasicCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The same credentials with RFC 6749 §2.3.1's form-urlencoding undone; undefined if malformed. */
function formDecoded(c: BasicCredentials): BasicCredentials | undefined {
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(c.id), secret: decode(c.secret) };
  } catch {
    return undefined;
  }
}

function clientWithSecret(world: EmulatorWorld, c: BasicCredentials): ClientRecord | undefined {
  const client = world.clients.get(c.id);
  return client?.clientSecret !== undefined && safeEqual(client.clientSecret, c.secret) ? client : undefined;
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
    const decoded = world.settings.lenientBasicAuth ? formDecoded(basic) : undefined;
    const client = clientWithSecret(world, basic) ?? (decoded && clientWithSecret(world, decoded));
    if (!client) return fail(oauthErrors.missingClientAuth());
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
