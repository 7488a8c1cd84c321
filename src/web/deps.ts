/** @module What the web app is built from: the runtime's parts, passed in (nothing global). */
import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { OAuthProvider } from '../oauth/provider.ts';
import type { PostingService } from '../scheduler/service.ts';
import type { Db } from '../store/db.ts';
import type { Connector } from '../vault/connect.ts';
import type { CookieVault } from '../vault/cookie.ts';
import type { TokenVault } from '../vault/vault.ts';
import type { XClient } from '../x/client.ts';
import type { Logger } from '../ops/logger.ts';
import type { RotorMetrics } from '../ops/metrics.ts';
import type { Audit } from '../ops/audit.ts';
import type { WebSecurity } from './security-config.ts';

export interface WebDeps {
  db: Db;
  vault: TokenVault;
  connector: Connector;
  service: PostingService;
  provider: OAuthProvider;
  keyRing: KeyRing;
  x: XClient;
  /** Cookie mode ("post now" without server-side tokens). */
  cookieVault: CookieVault;
  clock: Clock;
  /** Demo mode: say so on every page. */
  demo: boolean;
  /** Plain http on loopback: cookies without `Secure` and the `__Host-` prefix. */
  insecureLoopback: boolean;
  version: string;
  /** Logs, metrics and audit events (`/metrics`, `/readyz`, request ids); absent in small tests. */
  ops?: { logger: Logger; metrics: RotorMetrics; audit: Audit };
  /** Sessions, rate limits, public origin, `/metrics` token (defaults: docs/security.md). */
  security?: WebSecurity;
}
