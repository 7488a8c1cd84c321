/**
 * What the benchmarks share: a free port, the emulator as its own process, the consent step, a
 * connector for the demo client, timing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConnector, type DemoConnector } from '../scripts/demo-connector.ts';
import { freePort } from '../scripts/free-port.ts';
import type { Db } from '../src/store/db.ts';

export const root = join(import.meta.dirname, '..');

export { freePort };

/**
 * The flags `bin/rotor.js` gives Node (its `#!` line), as `npx rotor` runs it: a process the
 * benchmarks start runs with the same, Rotor's and the baselines' alike.
 */
export const rotorNodeFlags: string[] = (
  readFileSync(join(root, 'bin', 'rotor.js'), 'utf8').split('\n')[0] ?? ''
)
  .split(/\s+/)
  .filter((a) => a.startsWith('--'));

/**
 * Starts `rotor emulator` as a separate process with `users` seeded users b0…bN and `settings`.
 * `onOutput` receives everything it prints (stdout and stderr), e.g. for a secret scan; without it
 * its stderr goes to ours.
 */
export async function startEmulatorProcess(
  users: number,
  settings: Record<string, unknown> = {},
  onOutput?: (text: string) => void,
): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-bench-'));
  const config = join(dir, 'emulator.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...settings,
      users: Array.from({ length: users }, (_, i) => ({
        id: String(3000000000000000000n + BigInt(i)),
        username: `b${i}`,
        name: `B ${i}`,
      })),
    }),
  );
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'rotor.js'), 'emulator', '--port', String(port), '--config', config],
    {
      stdio: ['ignore', 'pipe', onOutput ? 'pipe' : 'inherit'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => onOutput?.(d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      onOutput?.(d.toString());
      out += d.toString();
      if (out.includes(`http://127.0.0.1:${port}`)) resolve();
    });
    child.on('exit', () => reject(new Error('emulator exited')));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Answers the emulator's consent page as `username`; returns the redirect Location. */
export async function consentAs(emulatorUrl: string, authUrl: string, username: string): Promise<string> {
  const page = await (await fetch(authUrl)).text();
  const id = /name="request_id" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const res = await fetch(`${emulatorUrl}/i/oauth2/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: id, username, decision: 'allow' }),
  });
  return res.headers.get('location') ?? '';
}

/** The demo client's connector on `db` for the emulator at `emulatorUrl`, with a fresh key. */
export function benchConnector(db: Db, emulatorUrl: string): DemoConnector {
  return demoConnector({
    db,
    emulatorUrl,
    consent: (authUrl, username) => consentAs(emulatorUrl, authUrl, username),
  });
}

/** Runs `fn` `n` times in sequence; ns per call. */
export async function perCall(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

export const fmt = (ns: number) =>
  ns < 1000
    ? `${ns.toFixed(0)} ns`
    : ns < 1e6
      ? `${(ns / 1000).toFixed(1)} µs`
      : `${(ns / 1e6).toFixed(2)} ms`;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
