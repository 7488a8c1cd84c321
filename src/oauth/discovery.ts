/**
 * @module Any standard OAuth 2.0 server: endpoints given, or found by RFC 8414 / OpenID
 * discovery. The profile comes from the OpenID userinfo endpoint (`sub`, `preferred_username`).
 */
import * as oauth from 'oauth4webapi';
import { isLoopbackHost } from '../core/loopback.ts';
import type { BasicCredentialEncoding } from './client-auth.ts';
import { standardGrantRejection, type OAuthProvider } from './provider.ts';

export interface GenericProviderOptions {
  id: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  scopes: string[];
  server: oauth.AuthorizationServer;
  authorizationParams?: Record<string, string>;
  /**
   * How the client's id and secret go into its HTTP Basic header: `form-urlencoded` (RFC 6749
   * §2.3.1, the default) or `as-is` for servers that read Basic without decoding, as X does.
   */
  basicCredentials?: BasicCredentialEncoding;
}

function profileFromUserinfo(body: unknown) {
  const b = body as { sub?: unknown; preferred_username?: unknown; name?: unknown } | null;
  if (typeof b?.sub !== 'string') return undefined;
  const username = typeof b.preferred_username === 'string' ? b.preferred_username : b.sub;
  return { subject: b.sub, username, ...(typeof b.name === 'string' ? { name: b.name } : {}) };
}

export function genericProvider(o: GenericProviderOptions): OAuthProvider {
  const userinfo = o.server.userinfo_endpoint;
  if (!userinfo) throw new Error(`provider ${o.id}: a userinfo endpoint is needed to learn who connected`);
  return {
    id: o.id,
    server: o.server,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    basicCredentials: o.basicCredentials ?? 'form-urlencoded',
    redirectUri: o.redirectUri,
    scopes: o.scopes,
    ...(o.authorizationParams ? { authorizationParams: o.authorizationParams } : {}),
    isGrantRejection: standardGrantRejection,
    profile: { url: userinfo, parse: profileFromUserinfo },
    allowInsecureHttp: isLoopbackHost(new URL(o.server.issuer).hostname),
  };
}

/** Finds a server's metadata by RFC 8414 (`oauth2`) or OpenID discovery (`oidc`). */
export async function discover(
  issuer: string,
  algorithm: 'oauth2' | 'oidc' = 'oidc',
): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  const insecure = isLoopbackHost(url.hostname);
  const response = await oauth.discoveryRequest(url, {
    algorithm,
    signal: AbortSignal.timeout(10_000),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  });
  return oauth.processDiscoveryResponse(url, response);
}
