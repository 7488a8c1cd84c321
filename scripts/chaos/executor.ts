/**
 * @module Carries a chaos plan out on a clock: kills and freezes processes, adds faults, stops and restarts
 * PostgreSQL. The same plan runs against Rotor and against the baseline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgCluster } from '../pg-cluster.ts';
import type { FaultLedger } from './emulator.ts';
import type { ChaosEvent } from './plan.ts';
import type { ProcessGroup, SlotProcess } from './processes.ts';

export interface ExecutionCounts {
  kills: number;
  outages: number;
  faultsAdded: number;
  expiryStorms: number;
  freezes: number;
  /** Restores of the token sets from a backup taken earlier in the run. */
  restores: number;
}

/**
 * Runs `events` (ms from now) to the end of `durationMs`. `onKill` hears of each victim right
 * after its `kill -9`. PostgreSQL is always running again when this returns.
 */
export async function execute(
  events: readonly ChaosEvent[],
  durationMs: number,
  world: {
    group: ProcessGroup;
    faults: FaultLedger;
    cluster: PgCluster;
    /** Makes every access token expire at X. */
    expireTokens: () => Promise<void>;
    /** Takes a backup of the token sets; without it, `backup` and `restore_backup` are skipped. */
    backup?: () => void;
    /** Stops the processes, restores the backup, starts them again. */
    restoreBackup?: () => Promise<void>;
    /** When the plan's time 0 is (epoch ms); default now. */
    startAt?: number;
    onKill?: (victim: SlotProcess) => void;
    log?: (line: string) => void;
  },
): Promise<ExecutionCounts> {
  const counts: ExecutionCounts = {
    kills: 0,
    outages: 0,
    faultsAdded: 0,
    expiryStorms: 0,
    freezes: 0,
    restores: 0,
  };
  const start = world.startAt ?? Date.now();
  // Expiry storms keep their own time: the Rotor processes' clock jumps at the planned instants
  // (storm-clock.ts), so X's must too, even while a restore holds up the other events.
  const storms = events
    .filter((e) => e.kind === 'expire_tokens')
    .map(async (e) => {
      await sleep(Math.max(0, start + e.at - Date.now()));
      await world.expireTokens();
      counts.expiryStorms += 1;
    });
  let restartAt = 0;
  let down = false;
  const restartIfDue = () => {
    if (down && Date.now() >= restartAt) {
      world.cluster.start();
      down = false;
      world.log?.(`${((Date.now() - start) / 1000).toFixed(1)} s: PostgreSQL back`);
    }
  };
  for (const event of events) {
    while (Date.now() - start < event.at) {
      restartIfDue();
      await sleep(Math.min(100, Math.max(1, event.at - (Date.now() - start))));
    }
    restartIfDue();
    const t = `${((Date.now() - start) / 1000).toFixed(1)} s`;
    switch (event.kind) {
      case 'kill': {
        const victim = world.group.kill9(event.slot, event.restartAfterMs);
        if (victim) {
          counts.kills += 1;
          world.onKill?.(victim);
          world.log?.(`${t}: kill -9 ${victim.pid} (slot ${event.slot})`);
        }
        break;
      }
      case 'freeze': {
        const frozen = world.group.freeze(event.slot, event.forMs);
        if (frozen) {
          counts.freezes += 1;
          world.log?.(`${t}: SIGSTOP ${frozen.pid} (slot ${event.slot}) for ${event.forMs} ms`);
        }
        break;
      }
      case 'fault':
        await world.faults.add(event.fault);
        counts.faultsAdded += 1;
        world.log?.(`${t}: fault ${event.fault.target} ${event.fault.kind}`);
        break;
      case 'expire_tokens':
        break; // on its own timer, above
      case 'backup':
      case 'restore_backup':
        if (!world.backup || !world.restoreBackup) break;
        // Both need the server: an outage under way ends first.
        restartAt = 0;
        restartIfDue();
        if (event.kind === 'backup') world.backup();
        else {
          await world.restoreBackup();
          counts.restores += 1;
        }
        world.log?.(
          `${t}: ${event.kind === 'backup' ? 'token sets backed up' : 'token sets restored from the backup'}`,
        );
        break;
      case 'pg_outage':
        if (down) break;
        world.cluster.stop();
        down = true;
        restartAt = Date.now() + event.downMs;
        counts.outages += 1;
        world.log?.(`${t}: PostgreSQL stopped for ${event.downMs} ms`);
        break;
    }
  }
  while (Date.now() - start < durationMs) {
    restartIfDue();
    await sleep(100);
  }
  if (down) {
    restartAt = 0;
    restartIfDue();
  }
  await Promise.all(storms);
  return counts;
}
