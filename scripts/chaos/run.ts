/**
 * @module What a chaos run is given and what it measures, for Rotor and the baseline alike, and
 * the pieces both runs share (a database of their own, the processes' `stats` lines).
 */
import pg from 'pg';
import type { PgCluster } from '../pg-cluster.ts';
import type { PostFigures } from './invariants.ts';
import type { ThreadFigures } from './thread-invariants.ts';
import type { ChaosEvent } from './plan.ts';
import type { ExecutionCounts } from './executor.ts';

export interface RunOptions {
  seed: number;
  durationMs: number;
  /** Longest wait, after the chaos, for the posts to settle (Rotor). */
  settleMs: number;
  workers: number;
  accounts: number;
  callers: number;
  /** Pause between one caller's calls (ms). */
  pauseMs: number;
  postsPerAccount: number;
  /** Access-token life at the emulator (s); each expiry storm moves X's clock this far. */
  accessTokenTtl: number;
  cluster: PgCluster;
  plan: readonly ChaosEvent[];
  log: (line: string) => void;
}

export interface RunResult {
  name: string;
  processes: number;
  callersPerProcess: number;
  accounts: number;
  /** Refresh-token grants X answered or saw (its own count), during the run. */
  refreshes: number;
  reuseDetected: number;
  familiesRevoked: number;
  /** Accounts whose tokens no longer work at the end, with why. */
  lost: { username: string; reason: string }[];
  posts?: PostFigures;
  /** Rotor only: the threads among the posts. */
  threads?: ThreadFigures;
  kills: number;
  freezes: number;
  outages: number;
  faultsAdded: number;
  expiryStorms: number;
  /** Restores of the token sets from a backup (Rotor only; the baseline keeps its tokens elsewhere). */
  restores: number;
  faultHits: number;
  calls: number;
  served: number;
  unexpectedExits: number;
  secrets: number;
  /** Rotor only: invariants the run broke. */
  broken?: string[];
}

/** A new database `name` on the cluster; its URL. */
export async function createDatabase(cluster: PgCluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

/** Sums the last `stats {…}` line of every process a run started. */
export class CallStats {
  readonly #last = new Map<number, { calls: number; served: number }>();

  /** Reads a line a process printed; true when it was a stats line. */
  take(pid: number, line: string): boolean {
    if (!line.startsWith('stats ')) return false;
    const s = JSON.parse(line.slice(6)) as { calls: number; served: number };
    this.#last.set(pid, { calls: s.calls, served: s.served });
    return true;
  }

  total(): { calls: number; served: number } {
    let calls = 0;
    let served = 0;
    for (const s of this.#last.values()) {
      calls += s.calls;
      served += s.served;
    }
    return { calls, served };
  }
}

/** The figures every run reports the same way: what the plan did, and what the callers saw. */
export function commonFigures(
  counts: ExecutionCounts,
  hits: readonly { hits: number }[],
  served: { calls: number; served: number },
  unexpectedExits: number,
): Pick<
  RunResult,
  | 'kills'
  | 'freezes'
  | 'outages'
  | 'faultsAdded'
  | 'expiryStorms'
  | 'restores'
  | 'faultHits'
  | 'calls'
  | 'served'
  | 'unexpectedExits'
> {
  return {
    kills: counts.kills,
    freezes: counts.freezes,
    outages: counts.outages,
    faultsAdded: counts.faultsAdded,
    expiryStorms: counts.expiryStorms,
    restores: counts.restores,
    faultHits: hits.reduce((n, h) => n + h.hits, 0),
    calls: served.calls,
    served: served.served,
    unexpectedExits,
  };
}
