/**
 * @module Waiting for something another process does (a refresh to end, a lease to free):
 * try, and try again every `stepMs`, until it is done or the time is up, measured by one timer.
 */
import { systemTimer, type Timer } from './clock.ts';

/**
 * Calls `attempt` until it returns a value, every `stepMs`, for at most `timeoutMs` (the first
 * call at once, the last at or after the deadline). Undefined: the time ran out.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  o: { timeoutMs: number; stepMs: number; timer?: Timer },
): Promise<T | undefined> {
  const timer = o.timer ?? systemTimer;
  const until = timer.monotonic() + o.timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (timer.monotonic() >= until) return undefined;
    await timer.sleep(o.stepMs);
  }
}
