/**
 * @module The clock a chaos run's Rotor processes decide expiries by. At each expiry storm the
 * harness moves X's clock one access-token life ahead; this clock moves at the same planned
 * instants by the same amount, so Rotor and X agree on which tokens have expired (as they do in
 * life, where both follow real time) and the storm is met by ordinary refreshes past expiry.
 */
import { systemClock, type Clock } from '../../src/core/clock.ts';

/** `base` plus `jumpMs` for every instant of `storms` (epoch ms) already past by `base`. */
export function stormClock(storms: readonly number[], jumpMs: number, base: Clock = systemClock): Clock {
  return {
    now: () => {
      const t = base.now();
      let passed = 0;
      for (const at of storms) if (at <= t) passed += 1;
      return t + passed * jumpMs;
    },
  };
}
