/**
 * @module The seed of a test's random choices (kill times, victims): drawn anew each run unless
 * `ROTOR_TEST_SEED` is set, and printed, so that a failing run replays with
 * `ROTOR_TEST_SEED=N npm test -- FILE`.
 */
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';
import { seeded } from '../../scripts/chaos/random.ts';

/** A seeded random source for this test; its seed is printed (stderr and the test's diagnostics). */
export function testRandom(t: TestContext): { seed: number; random: () => number } {
  const given = process.env.ROTOR_TEST_SEED;
  const seed = given !== undefined && given !== '' ? Number(given) >>> 0 : randomInt(2 ** 32);
  const line = `${t.name}: seed ${seed} (replay: ROTOR_TEST_SEED=${seed})`;
  t.diagnostic(line);
  process.stderr.write(`${line}\n`);
  return { seed, random: seeded(seed) };
}
