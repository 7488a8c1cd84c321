/**
 * @module The chaos plan: what happens when during a run, drawn from a seed before anything
 * starts, so that Rotor and the baseline face the same storm and `--seed` replays it.
 * Decisions only; `executor.ts` carries the plan out.
 */
import { FAULT_CATALOGUE, type FaultRequest } from './faults.ts';
import { between, seeded, shuffled } from './random.ts';

export type ChaosEvent =
  /** `kill -9` the process in `slot`, start a new one there after `restartAfterMs`. */
  | { at: number; kind: 'kill'; slot: number; restartAfterMs: number }
  /**
   * `SIGSTOP` the process in `slot` (a GC pause, a VM freeze), `SIGCONT` it after `forMs`: a lease
   * owner frozen mid-refresh must not send a spent token when it resumes (property 33).
   */
  | { at: number; kind: 'freeze'; slot: number; forMs: number }
  /** Add a fault to the emulator. */
  | { at: number; kind: 'fault'; fault: FaultRequest }
  /** Stop PostgreSQL (immediate shutdown) and start it again after `downMs`. */
  | { at: number; kind: 'pg_outage'; downMs: number }
  /**
   * Move X's clock one access-token life ahead (and the Rotor processes' clock with it, see
   * `storm-clock.ts`): every token expires at once, every caller in every process needs a refresh.
   */
  | { at: number; kind: 'expire_tokens' }
  /** Take a backup of the token sets (`pg_dump`), to restore later in the run. */
  | { at: number; kind: 'backup' }
  /**
   * Stop every Rotor process, restore the token sets from the backup (`pg_restore --clean`: older
   * than every refresh since), start them again: no grant may burn (docs/backups-and-moves.md).
   */
  | { at: number; kind: 'restore_backup' };

export interface PlanOptions {
  seed: number;
  durationMs: number;
  /** Processes (slots) to kill among. */
  workers: number;
  /** Mean time between kills (ms). */
  killEveryMs?: number;
  /** Mean time between faults (ms). */
  faultEveryMs?: number;
  /** One database outage per this much time, at least one (ms). */
  outageEveryMs?: number;
  /** Mean time between expiry storms (ms). */
  expireEveryMs?: number;
  /** Mean time between freezes (ms). */
  freezeEveryMs?: number;
  /** Longest freeze (ms): past the lease, within lease + doubt grace + takeover wait. */
  longestFreezeMs?: number;
}

/**
 * The events of a run, sorted by time (ms from the start). Faults go through the catalogue in a
 * seeded order, again and again, so a run long enough sees every kind; kills pick a random slot;
 * freezes pick a random slot and last up to `longestFreezeMs`; outages fall away from the run's
 * first and last tenth; every access token expires at X half a
 * second in, and again every few seconds.
 */
export function chaosPlan(o: PlanOptions): ChaosEvent[] {
  const random = seeded(o.seed);
  const killEvery = o.killEveryMs ?? 3000;
  const faultEvery = o.faultEveryMs ?? 800;
  const outageEvery = o.outageEveryMs ?? 30_000;
  const events: ChaosEvent[] = [];
  for (let at = between(random, killEvery / 2, killEvery); at < o.durationMs;) {
    events.push({
      at,
      kind: 'kill',
      slot: between(random, 0, o.workers - 1),
      restartAfterMs: between(random, 200, 1500),
    });
    at += between(random, killEvery / 2, (killEvery * 3) / 2);
  }
  let order: FaultRequest[] = [];
  for (let at = between(random, 0, faultEvery); at < o.durationMs;) {
    if (order.length === 0) order = shuffled(random, FAULT_CATALOGUE);
    const fault = order.shift();
    if (fault) events.push({ at, kind: 'fault', fault });
    at += between(random, faultEvery / 2, (faultEvery * 3) / 2);
  }
  const freezeEvery = o.freezeEveryMs ?? 5000;
  for (let at = between(random, freezeEvery / 2, freezeEvery); at < o.durationMs;) {
    events.push({
      at,
      kind: 'freeze',
      slot: between(random, 0, o.workers - 1),
      forMs: between(random, 300, o.longestFreezeMs ?? 8000),
    });
    at += between(random, freezeEvery / 2, (freezeEvery * 3) / 2);
  }
  const expireEvery = o.expireEveryMs ?? 4000;
  for (let at = 500; at < o.durationMs; at += between(random, expireEvery / 2, (expireEvery * 3) / 2)) {
    events.push({ at, kind: 'expire_tokens' });
  }
  const outages = Math.max(1, Math.floor(o.durationMs / outageEvery));
  const span = o.durationMs / outages;
  for (let i = 0; i < outages; i += 1) {
    const from = i * span + span * 0.1;
    const to = (i + 1) * span - span * 0.1;
    events.push({
      at: Math.round(from + random() * (to - from) * 0.7),
      kind: 'pg_outage',
      downMs: between(random, 1500, 4000),
    });
  }
  // One backup in the first third, restored in the second half: the refreshes between are lost
  // to the database and must be brought forward from the newest pairs.
  events.push({ at: Math.round(o.durationMs * (0.15 + random() * 0.15)), kind: 'backup' });
  events.push({ at: Math.round(o.durationMs * (0.55 + random() * 0.2)), kind: 'restore_backup' });
  return events.sort((a, b) => a.at - b.at);
}

/** The instants (epoch ms) of the plan's expiry storms, for a run that starts at `startAt`. */
export function stormTimes(plan: readonly ChaosEvent[], startAt: number): number[] {
  return plan.filter((e) => e.kind === 'expire_tokens').map((e) => startAt + e.at);
}
