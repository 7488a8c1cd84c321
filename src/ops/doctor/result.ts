/** @module One finding of `rotor doctor`: what was checked, how it went, and how to fix it. */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found, in plain words. */
  message: string;
  /** What to do about it (for `warn` and `fail`). */
  fix?: string;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The report as printed: one line per check, the fix indented below it. */
export function formatReport(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]}  ${r.name}: ${r.message}`);
    if (r.fix && r.status !== 'ok') lines.push(`        fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('');
  lines.push(
    failed > 0
      ? `${failed} problem${failed === 1 ? '' : 's'} to fix${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : warned > 0
        ? `No problems; ${warned} warning${warned === 1 ? '' : 's'}.`
        : 'Everything looks right.',
  );
  return lines.join('\n');
}
