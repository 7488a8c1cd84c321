/** `rotor serve` (what `npm start` runs): demo mode starts the emulator and says how to use it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('rotor serve starts the emulator in demo mode, says so, and stops on SIGTERM', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'rotor.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, ROTOR_EMULATOR_PORT: String(port) },
  });
  try {
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line; got: ${out}`)), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl+C')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.match(out, /demo mode/);
    assert.ok(out.includes(`http://127.0.0.1:${port}`));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /alice/);
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('rotor serve refuses a bad ROTOR_EMULATOR_PORT with a clear message', async () => {
  const child = spawn(process.execPath, [join(root, 'bin', 'rotor.js'), 'serve'], {
    cwd: root,
    env: { ...process.env, ROTOR_EMULATOR_PORT: 'eighty' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /ROTOR_EMULATOR_PORT must be a port number/);
});
