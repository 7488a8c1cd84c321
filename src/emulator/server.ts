/**
 * @module Starting and stopping the emulator on real HTTP. This is the one narrow function
 * the rest of Rotor may call (`rotor serve` in demo mode); nothing else imports the emulator.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Clock } from '../core/clock.ts';
import { createEmulatorApp } from './app.ts';
import { FaultRegistry } from './faults.ts';
import { parseEmulatorSettings, type EmulatorSettingsInput } from './settings.ts';
import { EmulatorWorld } from './world.ts';

/** A running emulator. */
export interface RunningEmulator {
  /** Origin to use as `X_EMULATOR_URL`, e.g. `http://127.0.0.1:4100`. */
  readonly url: string;
  readonly port: number;
  readonly world: EmulatorWorld;
  readonly faults: FaultRegistry;
  /** Stops listening and ends every open connection, hung ones included. */
  close(): Promise<void>;
}

/**
 * Starts the X emulator.
 * @example
 * const emu = await startEmulator({ port: 0, autoApprove: 'alice' });
 * console.log(emu.url); // http://127.0.0.1:54321
 * await emu.close();
 */
export async function startEmulator(
  input: EmulatorSettingsInput = {},
  clock?: Clock,
): Promise<RunningEmulator> {
  const settings = parseEmulatorSettings(input);
  const world = new EmulatorWorld(settings, clock);
  const faults = new FaultRegistry();
  const closing = new AbortController();
  const app = createEmulatorApp({ world, faults, closing: closing.signal });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: settings.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}`,
    port,
    world,
    faults,
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
