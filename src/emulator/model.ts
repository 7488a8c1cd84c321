/**
 * @module The emulator's records. Glossary (as in the rest of Rotor): a **grant** is a user's
 * consent for one client, ended by revocation, expiry or reuse; a **token family** is every
 * access and refresh token issued under one grant.
 */

export interface ClientRecord {
  clientId: string;
  clientSecret: string | undefined;
  redirectUris: string[];
  name: string;
}

export interface UserRecord {
  id: string;
  username: string;
  name: string;
  description: string;
  createdAt: string;
  metrics: { followers_count: number; following_count: number; tweet_count: number; listed_count: number };
}

export type GrantEnd = 'revoked_by_user' | 'revoked_by_client' | 'reuse' | 'code_reuse';

export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string;
  scopes: string[];
  consentedAt: number;
  /** Set when the grant was ended; every token of the family is dead from then on. */
  ended: { reason: GrantEnd; at: number } | undefined;
  /** Set by the control endpoint that ends the refresh-token life early. */
  refreshEndsAt: number | undefined;
  refreshCount: number;
}

export interface CodeRecord {
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string;
  method: 'S256' | 'plain';
  expiresAt: number;
  /** The grant created by the first exchange; a second exchange revokes it. */
  grantId: string | undefined;
  used: boolean;
}

export interface AccessTokenRecord {
  grantId: string;
  expiresAt: number;
  revoked: boolean;
}

/** What a refresh answered, kept so that `grace` reuse can answer the same pair again. */
export interface IssuedPair {
  accessToken: string;
  refreshToken: string | undefined;
}

export interface RefreshTokenRecord {
  grantId: string;
  issuedAt: number;
  spent: { at: number; successor: IssuedPair } | undefined;
}

export interface PostRecord {
  id: string;
  userId: string;
  clientId: string;
  text: string;
  createdAt: number;
  replyTo: string | undefined;
  mediaIds: string[];
  deleted: boolean;
  /** The key X compares duplicates by (from the text as sent). */
  dupKey: string;
}

/** What the token endpoint answers on success, in X's field order. */
export interface TokenResponseBody {
  token_type: 'bearer';
  expires_in: number;
  access_token: string;
  scope: string;
  refresh_token?: string;
}
