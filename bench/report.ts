/**
 * `npm run bench`'s last step: one report from the figures the benchmarks wrote to
 * `bench-results/*.json` in this run — `bench/report/README.md` (every table, each figure beside
 * its baseline and target) and `bench/report/chart.svg` (hand-drawn bars, one row per measure,
 * each row on its own scale with its target marked). Nothing is typed in: a missing file is a
 * missing section.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { chartSvg, type ChartRow } from './chart.ts';
import { morningTables, morningVerdicts, type MorningResult } from './morning-table.ts';
import { fmt, root } from './support.ts';

interface Vault {
  cached: number;
  cachedBase: number;
  read: number;
  readBase: number;
  refresh: number;
  refreshBase: number;
  /** ns per refresh: Rotor's steps, and the baseline's two parts (absent before 3 December 2026). */
  refreshSteps?: { lease: number; send: number; x: number; store: number; baseX: number; baseUpdate: number };
  /** ns per refresh of a vault without the guard's folder (absent before 3 December 2026). */
  refreshAlone?: number;
  /** ns per refresh, Rotor as run and the baseline, with X answering each token request in `lateXMs`. */
  late?: number;
  lateBase?: number;
  lateXMs?: number;
  contentionRefreshes: number;
  contentionNs: number;
}
interface Memory {
  accounts: number;
  pendingPosts: number;
  publishedDuring: number;
  publishedDuringCapped: number;
  measureMs: number;
  peakBytes: number;
  cappedPeakBytes: number;
  heapCapMb: number;
  baselinePeakBytes: number;
  targetMb: number;
  met: boolean;
  metCapped: boolean;
}
interface Startup {
  runs: number;
  firstMs: number;
  median: number;
  bareMedian: number;
  worst: number;
  targetMs: number;
  met: boolean;
}

const dir = join(root, 'bench-results');
const read = <T>(name: string): T | undefined =>
  existsSync(join(dir, `${name}.json`))
    ? (JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as T)
    : undefined;
const vault = read<Vault>('vault');
const scheduler = read<MorningResult>('scheduler');
const memory = read<Memory>('memory');
const startup = read<Startup>('startup');

const tick = (met: boolean) => (met ? '✓ met' : '✗ missed');
/** Decimal megabytes (10⁶ bytes), as the target is stated. */
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const md: string[] = [
  '# Rotor benchmarks',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}. PostgreSQL and the X emulator run on the same machine, on loopback. Every figure was measured in that run, each beside a baseline of the bare work measured in the same run; a ratio is Rotor ÷ baseline.`,
  '',
  '![every benchmark, one row each](chart.svg)',
  '',
];
const chart: ChartRow[] = [];

if (vault) {
  const refreshRatio = vault.refresh / vault.refreshBase;
  md.push(
    '## Token vault',
    '',
    table(
      ['measure', 'Rotor', 'baseline', 'ratio', 'target'],
      [
        [
          'token retrieval, cached',
          `${fmt(vault.cached)} (${(1e9 / vault.cached / 1e6).toFixed(1)} M calls/s)`,
          `async Map lookup ${fmt(vault.cachedBase)}`,
          (vault.cached / vault.cachedBase).toFixed(2),
          `≥ 1 M calls/s ${tick(1e9 / vault.cached >= 1e6)}`,
        ],
        [
          'token retrieval, from the store',
          fmt(vault.read),
          `one SELECT ${fmt(vault.readBase)}`,
          (vault.read / vault.readBase).toFixed(2),
          '',
        ],
        [
          'refresh as run (lease + guard + X + compare-and-swap)',
          fmt(vault.refresh),
          `bare oauth4webapi refresh + one UPDATE keeping the pair ${fmt(vault.refreshBase)}`,
          refreshRatio.toFixed(2),
          `≤ 1.3× ${tick(refreshRatio <= 1.3)}`,
        ],
        ...(vault.refreshAlone === undefined
          ? []
          : [
              [
                'refresh, the vault alone (no guard folder)',
                fmt(vault.refreshAlone),
                `the same ${fmt(vault.refreshBase)}`,
                (vault.refreshAlone / vault.refreshBase).toFixed(2),
                '',
              ],
            ]),
        ...(vault.late === undefined || vault.lateBase === undefined
          ? []
          : [
              [
                `refresh as run, X answering in ${vault.lateXMs ?? '?'} ms`,
                fmt(vault.late),
                `the same ${fmt(vault.lateBase)}`,
                (vault.late / vault.lateBase).toFixed(3),
                '',
              ],
            ]),
        [
          '64 concurrent callers, one due account',
          `${vault.contentionRefreshes} refresh(es) in ${fmt(vault.contentionNs)}`,
          '',
          '',
          `1 refresh ${tick(vault.contentionRefreshes === 1)}`,
        ],
      ],
    ),
    '',
  );
  const st = vault.refreshSteps;
  if (st)
    md.push(
      `Where a refresh's time goes: Rotor ${fmt(st.lease)} taking the lease (one UPDATE, which also marks the send), ${fmt(st.send)} of checks before sending (the installation's row read, the in-doubt mark kept in a file), ${fmt(st.x)} for X's answer, ${fmt(st.store)} storing the new pair (kept in a file, then one UPDATE); the baseline ${fmt(st.baseX)} for X's answer and ${fmt(st.baseUpdate)} for its UPDATE. Each kept file is a file of its own with two fsyncs (the file, then its folder).`,
      '',
    );
  chart.push(
    {
      label: 'token, cached (ns)',
      bars: [
        ['Map lookup', vault.cachedBase],
        ['Rotor', vault.cached],
      ],
      format: (v) => fmt(v),
    },
    {
      label: 'token, from store',
      bars: [
        ['one SELECT', vault.readBase],
        ['Rotor', vault.read],
      ],
      format: (v) => fmt(v),
    },
    {
      label: 'refresh',
      bars: [
        ['bare refresh', vault.refreshBase],
        ['Rotor', vault.refresh],
      ],
      target: { value: vault.refreshBase * 1.3, label: '1.3×' },
      format: (v) => fmt(v),
    },
    {
      label: '64 callers → refreshes',
      bars: [
        ['callers', 64],
        ['refreshes', vault.contentionRefreshes],
      ],
      target: { value: 1, label: '1' },
      format: (v) => String(v),
    },
  );
}

if (scheduler) {
  md.push(
    morningTables({ ...scheduler, refreshRatio: vault ? vault.refresh / vault.refreshBase : undefined }),
  );
  const v = morningVerdicts(scheduler);
  const rotorRows = scheduler.rows.filter((r) => r.label.startsWith('Rotor'));
  chart.push(
    {
      label: 'publish rate (/s)',
      bars: [
        ...(v.post1 ? [['raw POST, 1', v.post1.rate] as [string, number]] : []),
        ...rotorRows.map((r) => [`${r.processes} worker(s)`, r.rate] as [string, number]),
      ],
      format: (x) => x.toFixed(0),
    },
    {
      label: 'lateness p99 (s)',
      bars: [
        ...(v.post1 ? [['raw POST, 1', v.post1.p99] as [string, number]] : []),
        ...rotorRows.map((r) => [`${r.processes} worker(s)`, r.p99] as [string, number]),
      ],
      target: { value: 5, label: '5 s' },
      format: (x) => `${x.toFixed(1)} s`,
    },
  );
}

if (memory) {
  md.push(
    '## Worker memory',
    '',
    `One \`rotor worker\` on PostgreSQL with ${memory.accounts.toLocaleString('en')} accounts and ${memory.pendingPosts.toLocaleString('en')} pending posts, sweeping every 5 s for ${memory.measureMs / 1000} s while posts fall due; peak resident set (Linux \`VmHWM\`).`,
    '',
    table(
      ['worker', 'peak RSS', 'ratio', 'target'],
      [
        ['empty database (baseline)', mb(memory.baselinePeakBytes), '1.00', ''],
        [
          `loaded, Node's default heap sizing (${memory.publishedDuring} posts published meanwhile)`,
          mb(memory.peakBytes),
          (memory.peakBytes / memory.baselinePeakBytes).toFixed(2),
          `< ${memory.targetMb} MB ${tick(memory.met)}`,
        ],
        [
          `loaded, \`NODE_OPTIONS=--max-old-space-size=${memory.heapCapMb}\` (${memory.publishedDuringCapped} published)`,
          mb(memory.cappedPeakBytes),
          (memory.cappedPeakBytes / memory.baselinePeakBytes).toFixed(2),
          `< ${memory.targetMb} MB ${tick(memory.metCapped)}`,
        ],
      ],
    ),
    '',
    `With V8's old space capped at ${memory.heapCapMb} MB the same work peaks ${mb(memory.peakBytes - memory.cappedPeakBytes)} lower: that much of the default peak is garbage V8 had not yet collected, not data the worker holds. The rest is mostly what an idle worker on an empty database already holds (${mb(memory.baselinePeakBytes)}: Node and the modules loaded at start); the 100,000 accounts and posts themselves stay in PostgreSQL (a sweep reads at most 5,000 due posts).`,
    '',
  );
  chart.push({
    label: 'worker peak RSS',
    bars: [
      ['empty DB', memory.baselinePeakBytes],
      ['loaded', memory.peakBytes],
      [`heap ≤ ${memory.heapCapMb} MB`, memory.cappedPeakBytes],
    ],
    target: { value: memory.targetMb * 1024 * 1024, label: `${memory.targetMb} MB` },
    format: mb,
  });
}

if (startup) {
  md.push(
    '## Start-up',
    '',
    `\`rotor serve\` (demo mode: web app, workers, built-in emulator) from spawn to \`/healthz\` answering 200, on an embedded database created by an earlier start; ${startup.runs} starts.`,
    '',
    table(
      ['measure', 'median', 'worst', 'ratio (median)', 'target'],
      [
        ['bare `node` answering HTTP (baseline)', `${startup.bareMedian.toFixed(0)} ms`, '', '1.00', ''],
        [
          '`rotor serve` → `/healthz` 200',
          `${startup.median.toFixed(0)} ms`,
          `${startup.worst.toFixed(0)} ms`,
          (startup.median / startup.bareMedian).toFixed(2),
          `< ${startup.targetMs} ms every start ${tick(startup.met)}`,
        ],
        ['first start (creates the database)', `${startup.firstMs.toFixed(0)} ms`, '', '', ''],
      ],
    ),
    '',
  );
  chart.push({
    label: 'start-up (ms)',
    bars: [
      ['bare node', startup.bareMedian],
      ['rotor serve', startup.median],
    ],
    target: { value: startup.targetMs, label: '2 s' },
    format: (v) => `${v.toFixed(0)} ms`,
  });
}

const out = join(root, 'bench', 'report');
mkdirSync(out, { recursive: true });
// Formatted as the repository's Prettier check wants it (the report is committed).
const readme = join(out, 'README.md');
const options = (await prettier.resolveConfig(readme)) ?? {};
writeFileSync(readme, await prettier.format(md.join('\n'), { ...options, filepath: readme }));
writeFileSync(join(out, 'chart.svg'), chartSvg(chart));
console.log(`\nReport: bench/report/README.md and bench/report/chart.svg (${chart.length} measures)`);
