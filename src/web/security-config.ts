/**
 * @module The web app's security settings (see docs/security.md), from the configuration
 * (`ROTOR_PUBLIC_URL`, `ROTOR_METRICS_TOKEN`, `ROTOR_SESSION_IDLE_SECONDS`, `ROTOR_RATE_LIMIT_*`,
 * `ROTOR_TRUST_PROXY`: src/core/settings.ts) and how `rotor serve` is reached.
 */
import {
  DEFAULT_RATE_LIMITS,
  DEFAULT_SESSION_IDLE_MS,
  loadConfig,
  type RateLimits,
  type RotorConfig,
} from '../core/config.ts';

export type { RateLimits, RateRule } from '../core/config.ts';
export { DEFAULT_RATE_LIMITS } from '../core/config.ts';

export interface WebSecurity {
  /** The public origin (`https://rotor.example.com`), or undefined: Origin is compared with Host. */
  publicOrigin: string | undefined;
  /** `/metrics` wants `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  /** Without a token, `/metrics` is open (demo mode on loopback) or refused. */
  metricsOpenWithoutToken: boolean;
  /** A session unused this long ends (default 7 days). */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not (30 days). */
  sessionTtlMs: number;
  rateLimits: RateLimits;
  /** Take the client address from the last `X-Forwarded-For` entry (behind one reverse proxy). */
  trustProxy: boolean;
}

export const DEFAULT_WEB_SECURITY: WebSecurity = {
  publicOrigin: undefined,
  metricsToken: undefined,
  metricsOpenWithoutToken: true,
  sessionIdleMs: DEFAULT_SESSION_IDLE_MS,
  sessionTtlMs: 30 * 86_400_000,
  rateLimits: DEFAULT_RATE_LIMITS,
  trustProxy: false,
};

/** The settings of a loaded configuration; `openMetrics`: demo mode on loopback. */
export function webSecurity(
  config: RotorConfig,
  o: { openMetrics: boolean } = { openMetrics: false },
): WebSecurity {
  return {
    publicOrigin: config.web.publicOrigin,
    metricsToken: config.ops.metricsToken,
    metricsOpenWithoutToken: o.openMetrics,
    sessionIdleMs: config.web.sessionIdleMs,
    sessionTtlMs: DEFAULT_WEB_SECURITY.sessionTtlMs,
    rateLimits: config.web.rateLimits,
    trustProxy: config.web.trustProxy,
  };
}

/** Reads the settings from `env`; throws `config_invalid` naming every variable to change. */
export function loadWebSecurity(
  env: Record<string, string | undefined> = process.env,
  o: { openMetrics: boolean } = { openMetrics: false },
): WebSecurity {
  return webSecurity(loadConfig(env), o);
}
