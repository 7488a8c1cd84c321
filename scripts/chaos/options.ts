/**
 * @module `npm run chaos` options: `--short` (CI), `--duration S`, `--workers N`, `--accounts N`,
 * `--callers N`, `--seed N`, `--rotor-only`, `--json`. Parsing only; a bad option is an error.
 */

export interface ChaosOptions {
  durationMs: number;
  /**
   * Longest wait for the posts to settle. A publish job a killed worker held stays `active` in
   * pg-boss until its expiry (4 s here) and the workers' next supervision (every 15 s), so a post can
   * be that late; the wait ends as soon as every post is settled.
   */
  settleMs: number;
  workers: number;
  accounts: number;
  callers: number;
  seed: number;
  postsPerAccount: number;
  baseline: boolean;
  json: boolean;
}

const SHORT = { durationMs: 15_000, settleMs: 75_000, accounts: 24, postsPerAccount: 2 };
const LONG = { durationMs: 120_000, settleMs: 90_000, accounts: 40, postsPerAccount: 5 };

/** Reads the options from `argv` (without node and the script); `randomSeed` when none is given. */
export function parseChaosOptions(argv: readonly string[], randomSeed: number): ChaosOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    if (['short', 'json', 'rotor-only'].includes(name)) flags.set(name, true);
    else if (['duration', 'workers', 'accounts', 'callers', 'seed'].includes(name)) {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
      i += 1;
    } else throw new Error(`unknown option --${name}`);
  }
  const whole = (name: string, min: number, fallback: number): number => {
    const raw = flags.get(name);
    if (raw === undefined || raw === true) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const base = flags.has('short') ? SHORT : LONG;
  return {
    durationMs: whole('duration', 5, base.durationMs / 1000) * 1000,
    settleMs: base.settleMs,
    workers: whole('workers', 1, 3),
    accounts: whole('accounts', 1, base.accounts),
    callers: whole('callers', 1, 4),
    seed: whole('seed', 0, randomSeed),
    postsPerAccount: base.postsPerAccount,
    baseline: !flags.has('rotor-only'),
    json: flags.has('json'),
  };
}
