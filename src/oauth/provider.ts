/**
 * @module An OAuth 2.0 authorization server as Rotor talks to it, and the client registered
 * there. X is one preset of this shape (`x.ts`); any standard server works from explicit
 * endpoints or RFC 8414 discovery (`discovery.ts`).
 */
import type { AuthorizationServer } from 'oauth4webapi';
import type { BasicCredentialEncoding } from './client-auth.ts';

export interface OAuthProvider {
  /** A short stable name stored with each account, e.g. `x`. */
  readonly id: string;
  readonly server: AuthorizationServer;
  readonly clientId: string;
  /** Absent → a public client (PKCE only, `client_id` in the body). */
  readonly clientSecret: string | undefined;
  /**
   * How a confidential client's id and secret go into its HTTP Basic header (`client-auth.ts`):
   * `as-is` for X (as X documents it), `form-urlencoded` (RFC 6749 §2.3.1) for standard servers.
   */
  readonly basicCredentials: BasicCredentialEncoding;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  /** Extra authorization-request parameters the provider wants. */
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /**
   * Whether a token-endpoint error means the grant itself was refused (the user must come back).
   * Standard servers say `invalid_grant`; X also says `invalid_request` "Value passed for the
   * token was invalid." — classify on both, never on `invalid_grant` alone.
   */
  isGrantRejection(error: string, description: string | undefined): boolean;
  /** Reads the connected user's identity with an access token. */
  readonly profile: ProfileEndpoint;
  /** Plain http allowed (only ever for loopback addresses). */
  readonly allowInsecureHttp: boolean;
}

/** Where and how to read who the token belongs to. */
export interface ProfileEndpoint {
  url: string;
  /** Picks `{ subject, username, name }` out of the endpoint's JSON, or undefined if it is not there. */
  parse(body: unknown): { subject: string; username: string; name?: string } | undefined;
}

/** The standard rule: `invalid_grant` only. */
export const standardGrantRejection = (error: string): boolean => error === 'invalid_grant';
