/**
 * @module The retry delay Rotor uses after a failure: exponential from a base, capped, and spread
 * by jitter so that many retries do not land together. One formula; callers choose its numbers.
 */

export interface Backoff {
  /** The first delay (ms). */
  baseMs: number;
  /** The longest delay before jitter (ms). */
  capMs: number;
  /** ± this share of the delay at random (0.25: between 75 % and 125 %). */
  spread: number;
}

/**
 * The delay before retry number `retry` (0 for the first): `baseMs · 2^retry`, at most `capMs`,
 * times a factor between `1 − spread` and `1 + spread` from `random` (0 ≤ random() < 1).
 */
export function backoffMs(b: Backoff, retry: number, random: () => number = Math.random): number {
  return Math.min(b.baseMs * 2 ** Math.max(0, retry), b.capMs) * (1 - b.spread + random() * 2 * b.spread);
}
