/**
 * @module The retry delay Rotor uses after a failure: exponential from a base, capped, and spread
 * by jitter so that many retries do not land together. One formula; callers choose its numbers
 * and the shape of its jitter:
 * - `spread`: times a factor in [1 − spread, 1 + spread) (the publisher, the notifier);
 * - `below`: times a factor in [1 − below, 1), never longer than the delay itself (the vault's
 *   refresh retries, with 0.5: "equal jitter");
 * - `addedMs`: plus [min, max) ms on top (X's rate limits, whose fallback waits a minute or more).
 */

/** How the delay is spread (one of the three shapes). */
export type Jitter =
  | {
      /** ± this share of the delay at random (0.25: between 75 % and 125 %). */
      spread: number;
    }
  | {
      /** Up to this share of the delay taken off at random (0.5: between 50 % and 100 %). */
      below: number;
    }
  | {
      /** Between `min` and `max` ms added at random. */
      addedMs: { min: number; max: number };
    };

export type Backoff = {
  /** The first delay (ms). */
  baseMs: number;
  /** The longest delay before jitter (ms). */
  capMs: number;
} & Jitter;

/**
 * The delay before retry number `retry` (0 for the first): `baseMs · 2^retry`, at most `capMs`,
 * then jittered by the shape `b` names, with one draw from `random` (0 ≤ random() < 1).
 */
export function backoffMs(b: Backoff, retry: number, random: () => number = Math.random): number {
  const delay = Math.min(b.baseMs * 2 ** Math.max(0, retry), b.capMs);
  if ('spread' in b) return delay * (1 - b.spread + random() * 2 * b.spread);
  if ('below' in b) return delay * (1 - b.below + random() * b.below);
  return delay + addedJitterMs(b.addedMs, random);
}

/** An added jitter alone: between `min` and `max` ms, from one draw of `random`. */
export const addedJitterMs = (j: { min: number; max: number }, random: () => number): number =>
  j.min + random() * (j.max - j.min);
