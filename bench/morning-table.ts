/**
 * @module The "09:00" scenario's tables (printed by `bench/scheduler.bench.ts`, written into the
 * report by `bench/report.ts`): the issue's measures with their targets, each Rotor figure beside
 * the baseline measured in the same run, and every run's figures.
 */
import type { MorningRow } from './scheduler.bench.ts';

export interface MorningResult {
  n: number;
  short: boolean;
  leadSeconds: number;
  concurrency: number;
  latency: { post: { fixedMs: number; jitterMs: number }; token: { fixedMs: number; jitterMs: number } };
  rows: MorningRow[];
  refreshRatio?: number | undefined;
}

const tick = (met: boolean) => (met ? '✓ met' : '✗ missed');
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const s = (v: number) => `${v.toFixed(2)} s`;
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** Whether each target holds, from the figures of one run. */
export function morningVerdicts(r: MorningResult) {
  const rotor = (w: number) => r.rows.find((x) => x.label.startsWith('Rotor') && x.processes === w);
  const post = (w: number) => r.rows.find((x) => x.label.includes('POST') && x.processes === w);
  const one = rotor(1);
  const two = rotor(2);
  const rotorRows = r.rows.filter((x) => x.label.startsWith('Rotor'));
  return {
    one,
    two,
    post1: post(1),
    post2: post(2),
    p99: one ? one.p99 <= 5 : false,
    scaling: one && two ? two.rate / one.rate : NaN,
    refreshes: rotorRows.reduce((a, x) => a + (x.refreshesAround ?? 0), 0),
    rss: Math.max(0, ...rotorRows.map((x) => x.peakRss)),
  };
}

export function morningTables(r: MorningResult): string {
  const v = morningVerdicts(r);
  const { one, post1, post2 } = v;
  const lat = `${r.latency.post.fixedMs}–${r.latency.post.fixedMs + r.latency.post.jitterMs} ms per post, ${r.latency.token.fixedMs}–${r.latency.token.fixedMs + r.latency.token.jitterMs} ms per token request`;
  const baseScaling = post1 && post2 ? post2.rate / post1.rate : NaN;
  const summary = table(
    ['measure', 'Rotor', 'baseline (same run)', 'ratio', 'target'],
    [
      [
        `${r.n} posts due at once, 1 worker, p99 lateness`,
        one ? s(one.p99) : '—',
        post1 ? `raw pg-boss POST, 1 process: ${s(post1.p99)}` : '—',
        one && post1 ? (one.p99 / post1.p99).toFixed(2) : '—',
        `≤ 5 s${r.n < 10_000 ? ` (stated for 10,000; here ${r.n})` : ''} ${tick(v.p99)}`,
      ],
      [
        '2 workers ÷ 1 worker, throughput (X latency on)',
        `${v.scaling.toFixed(2)}×`,
        `raw pg-boss POST, 2 ÷ 1 processes: ${baseScaling.toFixed(2)}×`,
        (v.scaling / baseScaling).toFixed(2),
        `≥ 1.7× ${tick(v.scaling >= 1.7)}`,
      ],
      [
        'token refreshes in the 60 s around the due instant (all runs)',
        String(v.refreshes),
        `${r.rows.filter((x) => x.label.startsWith('Rotor')).reduce((a, x) => a + (x.refreshesAhead ?? 0), 0)} done ahead`,
        '',
        `0 ${tick(v.refreshes === 0)}`,
      ],
      [
        'worker peak RSS, default settings (largest of all workers)',
        mb(v.rss),
        post1 ? `raw pg-boss POST process: ${mb(post1.peakRss)}` : '—',
        post1 ? (v.rss / post1.peakRss).toFixed(2) : '—',
        `< 200 MB ${tick(v.rss < 200e6)}`,
      ],
      [
        'refresh ÷ bare oauth4webapi refresh + one UPDATE',
        r.refreshRatio === undefined
          ? 'not measured (vault benchmark not run)'
          : `${r.refreshRatio.toFixed(2)}×`,
        'token vault benchmark, same run',
        '',
        r.refreshRatio === undefined ? '≤ 1.3×' : `≤ 1.3× ${tick(r.refreshRatio <= 1.3)}`,
      ],
    ],
  );
  const detail = table(
    [
      'run',
      'processes',
      'posts',
      'rate',
      'lateness p50',
      'p99',
      'max',
      'refreshes ahead / around due',
      'worker CPU s per 1,000 (of it before due)',
      'PostgreSQL CPU s per 1,000 (of it before due)',
      'peak RSS',
      'lock waiters max / mean',
    ],
    r.rows.map((x) => [
      x.label,
      x.processes,
      x.count,
      `${x.rate.toFixed(0)} /s`,
      s(x.p50),
      s(x.p99),
      s(x.max),
      x.refreshesAround === undefined ? '' : `${x.refreshesAhead} / ${x.refreshesAround}`,
      x.workerCpuPer1k.toFixed(2) +
        (x.aheadCpu ? ` (${((x.aheadCpu.workers / x.count) * 1000).toFixed(2)})` : ''),
      x.pgCpuPer1k.toFixed(2) + (x.aheadCpu ? ` (${((x.aheadCpu.pg / x.count) * 1000).toFixed(2)})` : ''),
      mb(x.peakRss),
      x.lockWaits ? `${x.lockWaits.max} / ${x.lockWaits.mean.toFixed(2)}` : '',
    ]),
  );
  return [
    `## Scheduler: nine o'clock (${r.n} accounts${r.short ? ', short run' : ''})`,
    '',
    `${r.n} accounts, each with an access token that expired hours ago and one post due at the same instant, enqueued ahead; the emulator (its own process) answers in ${lat}. \`rotor worker\` processes with default settings start ${r.leadSeconds} s before the due instant. Lateness is due → X's 201; the rate is posts ÷ (last 201 − due). CPU from \`/proc\` (user + system), PostgreSQL's including its backends, over the whole run (pre-warm included). Baselines run in processes of their own with ${r.concurrency} jobs in flight (Rotor's default).`,
    '',
    summary,
    '',
    detail,
    '',
  ].join('\n');
}
