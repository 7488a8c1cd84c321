/**
 * @module The chaos table: Rotor's figures beside the baseline's, as Markdown, and the verdict.
 */
import type { RunResult } from './run.ts';

const lostText = (r: RunResult) => {
  if (r.lost.length === 0) return '0';
  const reasons = new Map<string, number>();
  for (const l of r.lost) reasons.set(l.reason, (reasons.get(l.reason) ?? 0) + 1);
  return `${r.lost.length}: ${[...reasons].map(([why, n]) => `${n} ${why}`).join('; ')}`;
};

/** A Markdown table with one column per run. */
export function chaosTable(runs: readonly RunResult[]): string {
  const row = (label: string, cell: (r: RunResult) => string | number) =>
    `| ${label} | ${runs.map((r) => String(cell(r))).join(' | ')} |`;
  const posts = (f: (p: NonNullable<RunResult['posts']>) => number) => (r: RunResult) =>
    r.posts ? f(r.posts) : '—';
  return [
    `| | ${runs.map((r) => r.name).join(' | ')} |`,
    `|---|${runs.map(() => '---').join('|')}|`,
    row('processes × callers', (r) => `${r.processes} × ${r.callersPerProcess}`),
    row('accounts', (r) => r.accounts),
    row('API calls (served)', (r) => `${r.calls} (${r.served})`),
    row('refreshes (seen by X)', (r) => r.refreshes),
    row('reuse detected by X', (r) => r.reuseDetected),
    row('accounts lost', lostText),
    row(
      'posts due',
      posts((p) => p.due),
    ),
    row(
      'posts published',
      posts((p) => p.published),
    ),
    row(
      'posts duplicated',
      posts((p) => p.duplicated),
    ),
    row(
      'posts lost',
      posts((p) => p.lost),
    ),
    row(
      'posts waiting for their user (account lost)',
      posts((p) => p.blocked),
    ),
    row(
      "posts moved past the end by X's 429",
      posts((p) => p.later),
    ),
    row(
      'posts on X, not recorded',
      posts((p) => p.unrecorded),
    ),
    row('threads (parts) / published whole / ended by a failed part', (r) =>
      r.threads ? `${r.threads.threads} (${r.threads.parts}) / ${r.threads.whole} / ${r.threads.ended}` : '—',
    ),
    row('thread parts duplicated / out of order / on X after their thread ended', (r) =>
      r.threads ? `${r.threads.duplicatedParts} / ${r.threads.outOfOrder} / ${r.threads.afterEnd}` : '—',
    ),
    row(
      'thread parts not posted (their thread ended)',
      posts((p) => p.ended),
    ),
    row(
      'expiry storms / kill -9 / SIGSTOP freezes / PostgreSQL outages',
      (r) => `${r.expiryStorms} / ${r.kills} / ${r.freezes} / ${r.outages}`,
    ),
    row('token sets restored from a backup (processes stopped and started)', (r) => r.restores),
    row('faults injected (requests hit)', (r) => `${r.faultsAdded} (${r.faultHits})`),
    row('processes that died on their own', (r) => r.unexpectedExits),
    row('secrets found in logs', (r) => r.secrets),
  ].join('\n');
}
