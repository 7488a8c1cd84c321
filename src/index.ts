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
 *
 * // Or let the vault make the request: its token, and one refresh if X answers 401.
 * const me = await vault.authorizedFetch(accountId, `${xApiBase()}/2/users/me`);
 * ```
 *
 * Posting (a publisher, the job engine, the posting service) and the web app are exported too;
 * docs/library.md describes them.
 */

export { TokenVault, type AccessToken, type RefreshStep, type VaultOptions } from './vault/vault.ts';
export { VaultEvents, type VaultEventMap, type Listener as VaultListener } from './vault/events.ts';
export { Connector, safeReturnTo, type Connected, type ConnectorOptions } from './vault/connect.ts';
export type { BrowserCompletion } from './vault/connect.ts';
export type { AuthorizationMode } from './store/oauth-transactions.ts';
export type { VaultHooks, ReconcileReport } from './vault/guard.ts';
export type { Rotation } from './store/token-sets.ts';
export { CookieVault, type CookieSession, type CookieVaultOptions } from './vault/cookie.ts';
export { disconnectAccount, type DisconnectResult } from './vault/disconnect.ts';
export { xProvider, xApiBase, X_SCOPES, type XProviderOptions } from './oauth/x.ts';
export { genericProvider, discover, type GenericProviderOptions } from './oauth/discovery.ts';
export type { OAuthProvider, ProfileEndpoint } from './oauth/provider.ts';
export type { BasicCredentialEncoding } from './oauth/client-auth.ts';
export type { FetchLike } from './oauth/bounded-fetch.ts';
export { KeyRing, KeyRingError, type RingKey } from './crypto/keyring.ts';
export { DecryptionError } from './crypto/aead.ts';
export { openPglite } from './store/pglite.ts';
export { openPostgres, type PostgresOptions } from './store/postgres.ts';
export { migrate } from './store/migrate.ts';
export type { Db, Queryable } from './store/db.ts';
export { listAccounts, findAccount, type AccountRow, type AccountStatus } from './store/accounts.ts';
export { DataDirBusyError, type LockInfo } from './store/data-dir-lock.ts';
export {
  RotorError,
  isRotorError,
  REAUTH_EXPLANATIONS,
  type RotorErrorCode,
  type RotorErrorDetails,
  type ReauthReason,
} from './core/errors.ts';
export { systemClock, systemTimer, type Clock, type Timer } from './core/clock.ts';
export { verifyWebhook } from './ops/notifications/webhook.ts';
export { notificationText, type NotificationText } from './ops/notifications/texts.ts';
export type { NotificationData, NotificationKind } from './store/notifications.ts';
export { LOCALES, type Locale } from './core/locale.ts';
export { createWebApp, type WebApp } from './web/web-app.ts';
export type { WebDeps } from './web/deps.ts';
export { openApiDocument } from './web/openapi.ts';
// Posting: the publisher (one post at most once), the job engine (workers, the sweep), the use cases.
export { Publisher, type PublisherOptions, type PublishResult } from './scheduler/publisher.ts';
export type { PublishObserver, PublishStep } from './scheduler/publisher.ts';
export { Engine, QUEUES, type EngineOptions } from './scheduler/engine.ts';
export type { SweepResult } from './scheduler/sweep.ts';
export { PostingService, InvalidInputError, type PostingServiceOptions } from './scheduler/service.ts';
export { THREAD_PARTS, splitThreadText, type ThreadPartDraft } from './scheduler/threads.ts';
export type { PostRow, PostStatus } from './store/posts.ts';
export type { ClaimedPost } from './store/post-claims.ts';
export { EDITABLE_STATUSES, type EditableStatus, type PostEdit } from './store/post-edits.ts';
export type { PostMedia } from './store/post-media.ts';
export type { PrewarmOptions } from './scheduler/prewarm.ts';
export type { ScheduleRow } from './store/schedules.ts';
export { XClient, postUrl, type XClientOptions } from './x/client.ts';
export type { CreatePostOutcome, PostRequest } from './x/client.ts';
export type {
  ChunkedUploadOutcome,
  MediaCallFailure,
  MediaStatusOutcome,
  ProcessingInfo,
} from './x/media-upload.ts';
export type { RateLimits as XRateLimits, LimitWindow } from './x/limits.ts';
// What the web app's optional `ops` and `security` are made of.
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './ops/logger.ts';
export { createMetrics, type RotorMetrics, type RateLimitName } from './ops/metrics.ts';
export { createAudit, type Audit, type AuditEvent } from './ops/audit.ts';
export {
  DEFAULT_WEB_SECURITY,
  type WebSecurity,
  type RateRule,
  type RateLimits as WebRateLimits,
} from './web/security-config.ts';
