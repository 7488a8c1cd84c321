/** @module X's rate-limit headers, read into numbers (docs/x-fidelity.md, "Rate limits"). */
import { addedJitterMs, backoffMs, type Backoff } from '../core/backoff.ts';

export interface LimitWindow {
  limit: number;
  remaining: number;
  /** Epoch ms. */
  resetAt: number;
}

export interface RateLimits {
  /** The endpoint's 15-minute window (`x-rate-limit-*`). */
  window?: LimitWindow;
  /** Per-user 24-hour posting cap (`x-user-limit-24hour-*`). */
  user24h?: LimitWindow;
  /** Per-app 24-hour posting cap (`x-app-limit-24hour-*`). */
  app24h?: LimitWindow;
}

function windowFrom(h: Headers, prefix: string): LimitWindow | undefined {
  const limit = Number(h.get(`${prefix}-limit`));
  const remaining = Number(h.get(`${prefix}-remaining`));
  const reset = Number(h.get(`${prefix}-reset`));
  if (
    ![limit, remaining, reset].every((n) => Number.isFinite(n) && n >= 0) ||
    h.get(`${prefix}-reset`) === null
  ) {
    return undefined;
  }
  return { limit, remaining, resetAt: reset * 1000 };
}

export function readRateLimits(h: Headers): RateLimits {
  const out: RateLimits = {};
  const w = windowFrom(h, 'x-rate-limit');
  const u = windowFrom(h, 'x-user-limit-24hour');
  const a = windowFrom(h, 'x-app-limit-24hour');
  if (w) out.window = w;
  if (u) out.user24h = u;
  if (a) out.app24h = a;
  return out;
}

/** Without a usable reset: from a minute, at most an hour, plus 1–5 s (also added to a reset). */
export const RATE_LIMIT_BACKOFF = {
  baseMs: 60_000,
  capMs: 3600_000,
  addedMs: { min: 1000, max: 5000 },
} as const satisfies Backoff;

/**
 * When to try again after a 429 (property 30): X's reset, clamped to sane bounds, with jitter; a
 * missing or absurd reset falls back to exponential backoff from `attempt`.
 */
export function retryAt(now: number, limits: RateLimits, attempt: number, random = Math.random): number {
  const candidates = [limits.window, limits.user24h, limits.app24h]
    .filter((w): w is LimitWindow => w !== undefined && w.remaining === 0)
    .map((w) => w.resetAt);
  const reset = candidates.length > 0 ? Math.max(...candidates) : limits.window?.resetAt;
  if (reset !== undefined && reset > now && reset - now <= 25 * 3600_000)
    return reset + addedJitterMs(RATE_LIMIT_BACKOFF.addedMs, random);
  return now + backoffMs(RATE_LIMIT_BACKOFF, attempt, random);
}
