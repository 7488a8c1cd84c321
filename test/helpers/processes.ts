/** @module Spawning vault processes (test/fixtures/vault-process.ts) and collecting what they print. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'vault-process.ts');

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runVaultProcess(args: Record<string, unknown>): {
  child: ChildProcess;
  done: Promise<ProcessResult>;
} {
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ProcessResult>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
