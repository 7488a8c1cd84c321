/**
 * @module The X preset: X's endpoints (or the emulator's, at `X_EMULATOR_URL`), the scopes
 * Rotor posts with, and how X says a grant is refused.
 */
import { isLoopbackHost } from '../core/loopback.ts';
import type { OAuthProvider } from './provider.ts';

/** Scopes Rotor asks for: posting, reading the profile, media, and a refresh token. */
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'] as const;

export interface XProviderOptions {
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
  /** Every X endpoint at this origin instead of x.com / api.x.com (the emulator). */
  emulatorUrl?: string | undefined;
  scopes?: readonly string[];
}

const GRANT_REJECTED = /value passed for the (token|authorization code|refresh token) was invalid/i;

/** Where X's v2 API lives: the emulator's origin, or api.x.com. */
export function xApiBase(emulatorUrl?: string): string {
  return emulatorUrl ? new URL(emulatorUrl).origin : 'https://api.x.com';
}

export function xProvider(o: XProviderOptions): OAuthProvider {
  const origin = o.emulatorUrl ? new URL(o.emulatorUrl).origin : undefined;
  const api = origin ?? 'https://api.x.com';
  const web = origin ?? 'https://x.com';
  return {
    id: 'x',
    server: {
      issuer: web,
      authorization_endpoint: `${web}/i/oauth2/authorize`,
      token_endpoint: `${api}/2/oauth2/token`,
      revocation_endpoint: `${api}/2/oauth2/revoke`,
    },
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    // Property 37: Basic base64(client_id:client_secret), the values as they are.
    basicCredentials: 'as-is',
    redirectUri: o.redirectUri,
    scopes: o.scopes ?? X_SCOPES,
    isGrantRejection: (error, description) =>
      error === 'invalid_grant' || (error === 'invalid_request' && GRANT_REJECTED.test(description ?? '')),
    profile: {
      url: `${api}/2/users/me`,
      parse(body) {
        const data = (body as { data?: { id?: unknown; username?: unknown; name?: unknown } } | null)?.data;
        if (typeof data?.id !== 'string' || typeof data.username !== 'string') return undefined;
        return {
          subject: data.id,
          username: data.username,
          ...(typeof data.name === 'string' ? { name: data.name } : {}),
        };
      },
    },
    allowInsecureHttp: origin !== undefined && isLoopbackHost(new URL(origin).hostname),
  };
}
