/**
 * @module The `rotor` command line: one subcommand per file in this folder.
 */
import { Command } from 'commander';
import { accountsCommand } from './accounts-command.ts';
import { emulatorCommand } from './emulator-command.ts';
import { keysCommand } from './keys-command.ts';
import {
  postCommand,
  postsCommand,
  queueCommand,
  scheduleCommand,
  schedulesCommand,
  workerCommand,
} from './post-commands.ts';
import { serveCommand } from './serve-command.ts';

const program = new Command('rotor')
  .description('Scheduled and automated posting for the X API, with OAuth 2.0 tokens that are never lost')
  .version('0.1.0');
program.addCommand(serveCommand());
program.addCommand(emulatorCommand());
program.addCommand(accountsCommand());
program.addCommand(keysCommand());
for (const c of [
  postCommand(),
  scheduleCommand(),
  queueCommand(),
  schedulesCommand(),
  postsCommand(),
  workerCommand(),
]) {
  program.addCommand(c);
}

await program.parseAsync(process.argv);
