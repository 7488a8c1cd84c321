/**
 * `npm run chaos [-- --short | --duration S] [--workers N] [--accounts N] [--callers N] [--seed N]
 * [--rotor-only] [--json]`: the reliability harness. Runs the storm (see `rotor-run.ts`) against
 * Rotor, then the same plan against `twitter-api-v2` with its token-refresher plugin, prints both
 * side by side, and exits 1 when one of Rotor's invariants broke (`invariants.ts`).
 */
import { randomInt } from 'node:crypto';
import { startCluster } from '../pg-cluster.ts';
import { runBaseline } from './baseline-run.ts';
import { parseChaosOptions } from './options.ts';
import { chaosPlan } from './plan.ts';
import { chaosTable } from './report.ts';
import { runRotor } from './rotor-run.ts';
import type { RunResult } from './run.ts';

let options;
try {
  options = parseChaosOptions(process.argv.slice(2), randomInt(1, 1_000_000));
} catch (e) {
  console.error(`chaos: ${(e as Error).message}`);
  process.exit(2);
}
const o = options;
const log = (line: string) => {
  if (!o.json) console.error(line);
};
const plan = chaosPlan({ seed: o.seed, durationMs: o.durationMs, workers: o.workers });
log(
  `chaos: seed ${o.seed}, ${o.durationMs / 1000} s, ${o.workers} processes × ${o.callers} callers, ${o.accounts} accounts; ` +
    `plan: ${plan.filter((e) => e.kind === 'kill').length} kills, ${plan.filter((e) => e.kind === 'fault').length} faults, ` +
    `${plan.filter((e) => e.kind === 'freeze').length} freezes, ` +
    `${plan.filter((e) => e.kind === 'pg_outage').length} database outage(s)`,
);
const started = Date.now();
const cluster = await startCluster();
const runs: RunResult[] = [];
try {
  const common = {
    seed: o.seed,
    durationMs: o.durationMs,
    settleMs: o.settleMs,
    workers: o.workers,
    accounts: o.accounts,
    callers: o.callers,
    pauseMs: 50,
    postsPerAccount: o.postsPerAccount,
    accessTokenTtl: 7200,
    cluster,
    plan,
    log,
  };
  runs.push(await runRotor(common));
  if (o.baseline) runs.push(await runBaseline(common));
} finally {
  cluster.destroy();
}
const rotor = runs[0];
const broken = rotor?.broken ?? ['the Rotor run did not finish'];
if (o.json) {
  console.log(JSON.stringify({ seed: o.seed, durationMs: o.durationMs, runs, broken }, null, 2));
} else {
  console.log(
    `\n## Chaos run (seed ${o.seed}, ${o.durationMs / 1000} s of chaos, ${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`,
  );
  console.log(chaosTable(runs));
  console.log('');
  if (broken.length === 0) console.log('Every invariant held.');
  else for (const b of broken) console.log(`INVARIANT BROKEN: ${b}`);
  console.log(
    `Replay: npm run chaos -- --seed ${o.seed} --duration ${o.durationMs / 1000} --workers ${o.workers} --accounts ${o.accounts} --callers ${o.callers}`,
  );
}
process.exit(broken.length === 0 ? 0 : 1);
