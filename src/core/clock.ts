/**
 * @module Clocks. Every decision about time takes a {@link Clock} so that tests and the
 * emulator can move time without sleeping.
 */

/** A source of the current time, in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that runs with real time plus an offset that only ever grows: the emulator's clock,
 * which tests move forward with `POST /_emulator/clock`.
 */
export class OffsetClock implements Clock {
  #offsetMs = 0;
  readonly #base: Clock;

  constructor(base: Clock = systemClock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  /** Moves the clock forward; a negative or non-finite amount is refused. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError('advanceSeconds must be a finite number ≥ 0');
    }
    this.#offsetMs += seconds * 1000;
  }
}

/**
 * The clock of deadlines and waits inside one process: monotonic (a wall-clock jump or an
 * emulator's moved clock never shortens or stretches a lease) and the sleeps measured by it.
 */
export interface Timer {
  /** Milliseconds from an arbitrary origin; never goes back. */
  monotonic(): number;
  sleep(ms: number): Promise<void>;
}

/** The process's monotonic clock and real timers. */
export const systemTimer: Timer = {
  monotonic: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
