/**
 * @module Running `bin/rotor.js` as an OS process in tests: a clean environment, the output and
 * exit collected, a line awaited, leftovers killed, and the common start of the CLI suites (an
 * emulator with the confidential client `cli-app` on a free loopback redirect, its own PGlite
 * folder and key, and @alice connected through `rotor accounts connect --no-browser`).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { freePort } from '../../scripts/free-port.ts';
import { KeyRing } from '../../src/crypto/keyring.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import type { EmulatorSettingsInput } from '../../src/emulator/settings.ts';
import { emulator } from './emulator.ts';

export { freePort };

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'rotor.js');
/** How long a command may run, and how long a process may take to print an awaited line. */
export const EXIT_TIMEOUT_MS = 60_000;
export const LINE_TIMEOUT_MS = 30_000;

export type Env = Record<string, string | undefined>;

/**
 * The parent's environment without anything that configures Rotor or ties the child to this test
 * run (X_*, ROTOR_*, DATABASE_URL*, PORT, NODE_TEST*), plus `extra`; an `undefined` in `extra`
 * leaves the variable unset.
 */
export function childEnv(extra: Env = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // ROTOR_LOG_* stays: the test run's debug level and log file reach every rotor process.
    if (!/^(X_|ROTOR_(?!LOG_)|DATABASE_URL|PORT$|NODE_TEST)/.test(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Proc {
  child: ChildProcess;
  label: string;
  stdout: () => string;
  stderr: () => string;
  /** Settles when the process has exited and its output is closed. */
  exited: Promise<Result>;
}

const children = new Set<ChildProcess>();

/** Collects what `child` prints; `killLeftovers` kills it if it is still running. */
export function track(child: ChildProcess, label: string): Proc {
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<Result>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  return { child, label, stdout: () => out, stderr: () => err, exited };
}

/** `node bin/rotor.js …args` in the repository with `childEnv(env)`; stdin is a pipe on request. */
export function spawnRotor(args: string[], env: Env = {}, opts: { stdin?: boolean } = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  return track(child, `rotor ${args.join(' ')}`);
}

/** SIGKILL, unless the process has already ended. */
export function kill(proc: Proc): void {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
}

/** For `after()`: kills every process started here that is still running. */
export function killLeftovers(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** A temp folder for this test file; after the file, leftover processes are killed and it is removed. */
export function cliTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the process to end; past `ms` it is killed and the error shows what it printed. */
export async function waitForExit(proc: Proc, ms = EXIT_TIMEOUT_MS): Promise<Result> {
  try {
    return await withTimeout(proc.exited, ms, proc.label);
  } catch (e) {
    kill(proc);
    throw new Error(`${(e as Error).message}\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`, {
      cause: e,
    });
  }
}

/** Runs `rotor …args` to the end. */
export function runRotor(args: string[], env: Env = {}, ms = EXIT_TIMEOUT_MS): Promise<Result> {
  return waitForExit(spawnRotor(args, env), ms);
}

export const show = (r: Result) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/**
 * Resolves with the first stdout line that matches `match` (a RegExp, or text the line contains);
 * rejects if the process exits first or after `ms`.
 */
export function waitForLine(proc: Proc, match: RegExp | string, ms = LINE_TIMEOUT_MS): Promise<string> {
  const matches = (l: string) => (typeof match === 'string' ? l.includes(match) : match.test(l));
  const what = typeof match === 'string' ? JSON.stringify(match) : String(match);
  return new Promise((resolve, reject) => {
    const stdout = proc.child.stdout;
    assert.ok(stdout);
    const output = () => `\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`;
    const check = () => {
      const line = proc.stdout().split('\n').find(matches);
      if (line === undefined) return;
      done();
      resolve(line);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${proc.label} exited (${code}) before printing a line with ${what}${output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${proc.label}: no line with ${what} within ${ms} ms${output()}`));
    }, ms);
    const onData = () => check();
    const done = () => {
      clearTimeout(timer);
      stdout.off('data', onData);
      proc.child.off('exit', onExit);
    };
    stdout.on('data', onData);
    proc.child.once('exit', onExit);
    check();
  });
}

/** Neither a stack trace nor a raw error (`raw`) on stderr: the CLI's errors are plain messages. */
export function assertCleanError(r: { stderr: string }, raw = /node:internal|\w*Error:|Error \[/): void {
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace expected:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, raw, `no raw error expected:\n${r.stderr}`);
}

/**
 * Shaped like X's (base64url, so `-` and `_`, plus `.` and `~`): the characters that an RFC 6749
 * form-encoding of Basic credentials changes, so every CLI test also checks property 37.
 */
export const CLI_CLIENT_ID = 'cli-app_Q2xp.ZW50~aWQ-x';
export const CLI_CLIENT_SECRET = 'c2Vj-cmV0_Xy.Zw~9-_a';

export interface CliSetup {
  emu: RunningEmulator;
  /** The CLI's X_REDIRECT_URI: the loopback listener of `accounts connect`. */
  redirectUri: string;
  port: number;
  dataDir: string;
  /** X_* and ROTOR_* for the CLI: this emulator and client, the data folder, a key. */
  env: Env;
}

/**
 * A fresh emulator (with `settings`) auto-approving as alice with the client `cli-app` (redirect on a free loopback
 * port), a data folder under `tmp` and a key.
 */
export async function cliSetup(tmp: string, settings: EmulatorSettingsInput = {}): Promise<CliSetup> {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/auth/x/callback`;
  const emu = await emulator({
    ...settings,
    autoApprove: 'alice',
    clients: [{ clientId: CLI_CLIENT_ID, clientSecret: CLI_CLIENT_SECRET, redirectUris: [redirectUri] }],
  });
  const dataDir = mkdtempSync(join(tmp, 'data-'));
  const env: Env = {
    X_EMULATOR_URL: emu.url,
    X_CLIENT_ID: CLI_CLIENT_ID,
    X_CLIENT_SECRET: CLI_CLIENT_SECRET,
    X_REDIRECT_URI: redirectUri,
    ROTOR_DATA_DIR: dataDir,
    ROTOR_KEYS: KeyRing.generateEntry('k1'),
  };
  return { emu, redirectUri, port, dataDir, env };
}

/** Matches a stdout line that is an authorization URL at `emu` (from its start). */
export function authUrlLine(emu: RunningEmulator): RegExp {
  const prefix = `${emu.url}/i/oauth2/authorize?`;
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`);
}

/**
 * `rotor accounts connect --no-browser`, completed by following the emulator's redirect (it
 * auto-approves as alice). `onAuthUrl` checks the printed URL line; `finish` waits for the command
 * (default `waitForExit`). Returns the result and the callback page (its body also as `html`).
 */
export async function connectAlice(
  setup: CliSetup,
  hooks: {
    onAuthUrl?: (line: string) => void;
    finish?: (proc: Proc, authUrl: string) => Promise<Result>;
  } = {},
): Promise<{ result: Result; page: Response; html: string }> {
  const proc = spawnRotor(['accounts', 'connect', '--no-browser'], setup.env);
  try {
    const line = await waitForLine(proc, authUrlLine(setup.emu));
    hooks.onAuthUrl?.(line);
    const res = await fetch(line, { redirect: 'follow' });
    const html = await res.text();
    const result = await (hooks.finish ?? ((p: Proc) => waitForExit(p)))(proc, line);
    return { result, page: new Response(html, { status: res.status, headers: res.headers }), html };
  } finally {
    kill(proc);
  }
}
