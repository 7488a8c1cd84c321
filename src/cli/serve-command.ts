/**
 * @module `rotor serve` (what `npm start` runs). Today it starts the X emulator in demo mode
 * with the demo client and explains how to use it; the web app, the API and the worker join
 * it as their issues land.
 */
import { Command } from 'commander';
import { startEmulator } from '../emulator/server.ts';
import { closeOnSignal, readyBanner } from './emulator-command.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run Rotor (for now: the X emulator in demo mode)')
    .action(async () => {
      const port = Number(process.env.ROTOR_EMULATOR_PORT ?? 4100);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error(
          `rotor serve: ROTOR_EMULATOR_PORT must be a port number, got "${process.env.ROTOR_EMULATOR_PORT}"`,
        );
        process.exit(2);
      }
      const emu = await startEmulator({ port });
      console.log(
        [
          'Rotor — demo mode: no X credentials are configured, so Rotor runs its built-in X emulator.',
          '',
          readyBanner(emu),
          '',
          'Try it:',
          `  open ${emu.url}/ to see the seeded users' timelines,`,
          '  or drive it from another terminal (see README, "The X emulator"):',
          `  curl -s ${emu.url}/_emulator/state`,
          '',
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
      closeOnSignal(() => emu.close());
    });
}
