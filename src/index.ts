/**
 * @module Rotor's public library API: the token vault without the rest of Rotor.
 *
 * @example
 * ```ts
 * import { Connector, KeyRing, TokenVault, migrate, openPostgres, xProvider } from 'rotor';
 *
 * const db = openPostgres(process.env.DATABASE_URL!);
 * await migrate(db);
 * const keyRing = KeyRing.parse(process.env.ROTOR_KEYS);
 * const provider = xProvider({ clientId, clientSecret, redirectUri: 'http://127.0.0.1:3000/auth/x/callback' });
 *
 * // Connect: send the person to `url`, then hand the callback URL to complete().
 * const connector = new Connector({ db, provider, keyRing });
 * const { url } = await connector.begin();
 * const { accountId } = await connector.complete(callbackUrl);
 *
 * // Anywhere, in any number of processes: a valid access token, refreshed safely.
 * const vault = new TokenVault({ db, provider, keyRing });
 * const { accessToken } = await vault.getAccessToken(accountId);
 * ```
 */

export { TokenVault, type AccessToken, type RefreshStep, type VaultOptions } from './vault/vault.ts';
export { VaultEvents, type VaultEventMap } from './vault/events.ts';
export { Connector, safeReturnTo, type Connected, type ConnectorOptions } from './vault/connect.ts';
export { CookieVault, type CookieSession, type CookieVaultOptions } from './vault/cookie.ts';
export { disconnectAccount, type DisconnectResult } from './vault/disconnect.ts';
export { xProvider, X_SCOPES, type XProviderOptions } from './oauth/x.ts';
export { genericProvider, discover, type GenericProviderOptions } from './oauth/discovery.ts';
export type { OAuthProvider, ProfileEndpoint } from './oauth/provider.ts';
export { KeyRing, KeyRingError } from './crypto/keyring.ts';
export { DecryptionError } from './crypto/aead.ts';
export { openPglite } from './store/pglite.ts';
export { openPostgres } from './store/postgres.ts';
export { migrate } from './store/migrate.ts';
export type { Db, Queryable } from './store/db.ts';
export { listAccounts, findAccount, type AccountRow, type AccountStatus } from './store/accounts.ts';
export { DataDirBusyError } from './store/data-dir-lock.ts';
export {
  RotorError,
  isRotorError,
  REAUTH_EXPLANATIONS,
  type RotorErrorCode,
  type ReauthReason,
} from './core/errors.ts';
export { loadConfig, type RotorConfig } from './core/config.ts';
export type { Clock } from './core/clock.ts';
export { verifyWebhook } from './ops/notifications/webhook.ts';
export { notificationText, type NotificationText } from './ops/notifications/texts.ts';
export { createWebApp, type WebDeps } from './web/app.ts';
export { openApiDocument } from './web/openapi.ts';
