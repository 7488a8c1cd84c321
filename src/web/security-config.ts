/**
 * @module The web app's security settings, from the environment (see docs/security.md):
 * `ROTOR_PUBLIC_URL` (the origin browsers use; Origin is compared with it), `ROTOR_METRICS_TOKEN`
 * (bearer token for `/metrics`), `ROTOR_SESSION_IDLE_SECONDS` (sessions unused this long end)
 * and the rate limits `ROTOR_RATE_LIMIT_*` ("N/SECONDS", or "off").
 */
import { RotorError } from '../core/errors.ts';

/** At most `max` events per `windowMs`; `max: 0` means no limit. */
export interface RateRule {
  max: number;
  windowMs: number;
}

/** What each limit counts. */
export interface RateLimits {
  /** Sign-in (and connect, cookie-mode) starts, per client address. */
  signinStart: RateRule;
  /** OAuth callbacks, per client address. */
  callback: RateRule;
  /** Failed API-key authentications, per client address. */
  apiKeyFailure: RateRule;
  /** Token broker hand-outs (`POST /api/v1/accounts/:id/token`), per API key or session user. */
  tokenPerKey: RateRule;
  /** Token broker hand-outs, per client address. */
  tokenPerAddress: RateRule;
}

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

const MINUTE = 60_000;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  signinStart: { max: 30, windowMs: MINUTE },
  callback: { max: 30, windowMs: MINUTE },
  apiKeyFailure: { max: 10, windowMs: MINUTE },
  tokenPerKey: { max: 120, windowMs: MINUTE },
  tokenPerAddress: { max: 300, windowMs: MINUTE },
};

export const DEFAULT_WEB_SECURITY: WebSecurity = {
  publicOrigin: undefined,
  metricsToken: undefined,
  metricsOpenWithoutToken: true,
  sessionIdleMs: 7 * 86_400_000,
  sessionTtlMs: 30 * 86_400_000,
  rateLimits: DEFAULT_RATE_LIMITS,
  trustProxy: false,
};

const RATE_VARS: Record<keyof RateLimits, string> = {
  signinStart: 'ROTOR_RATE_LIMIT_SIGNIN',
  callback: 'ROTOR_RATE_LIMIT_CALLBACK',
  apiKeyFailure: 'ROTOR_RATE_LIMIT_API_KEY_FAILURES',
  tokenPerKey: 'ROTOR_RATE_LIMIT_TOKENS_PER_KEY',
  tokenPerAddress: 'ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS',
};

/** Reads the settings; throws `config_invalid` naming every variable to change. */
export function loadWebSecurity(
  env: Record<string, string | undefined> = process.env,
  o: { openMetrics: boolean } = { openMetrics: false },
): WebSecurity {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  let publicOrigin: string | undefined;
  const publicUrl = get('ROTOR_PUBLIC_URL');
  if (publicUrl !== undefined) {
    const url = URL.canParse(publicUrl) ? new URL(publicUrl) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      problems.push(`ROTOR_PUBLIC_URL must be an http(s) URL such as https://rotor.example.com`);
    else publicOrigin = url.origin;
  }
  const metricsToken = get('ROTOR_METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken))
    problems.push('ROTOR_METRICS_TOKEN must be at least 16 printable characters without spaces');
  let sessionIdleMs = DEFAULT_WEB_SECURITY.sessionIdleMs;
  const idle = get('ROTOR_SESSION_IDLE_SECONDS');
  if (idle !== undefined) {
    if (!/^\d+$/.test(idle) || Number(idle) < 60)
      problems.push(`ROTOR_SESSION_IDLE_SECONDS must be whole seconds ≥ 60, got "${idle}"`);
    else sessionIdleMs = Number(idle) * 1000;
  }
  const rateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const [key, name] of Object.entries(RATE_VARS) as [keyof RateLimits, string][]) {
    const raw = get(name);
    if (raw === undefined) continue;
    if (raw === 'off') {
      rateLimits[key] = { max: 0, windowMs: MINUTE };
      continue;
    }
    const m = /^(\d+)\/(\d+)$/.exec(raw);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
      problems.push(`${name} must be "COUNT/SECONDS" (e.g. "30/60") or "off", got "${raw}"`);
    else rateLimits[key] = { max: Number(m[1]), windowMs: Number(m[2]) * 1000 };
  }
  const trust = get('ROTOR_TRUST_PROXY');
  if (trust !== undefined && trust !== '1' && trust !== '0')
    problems.push(`ROTOR_TRUST_PROXY must be 1 or 0, got "${trust}"`);
  if (problems.length > 0)
    throw new RotorError(
      'config_invalid',
      `configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  return {
    publicOrigin,
    metricsToken,
    metricsOpenWithoutToken: o.openMetrics,
    sessionIdleMs,
    sessionTtlMs: DEFAULT_WEB_SECURITY.sessionTtlMs,
    rateLimits,
    trustProxy: trust === '1',
  };
}
