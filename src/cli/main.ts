/**
 * @module The `rotor` command line: one subcommand per file in this folder.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parseSetting } from '../core/settings.ts';
import { loadDotEnv } from '../ops/env-file.ts';
import { accountsCommand } from './accounts-command.ts';
import { doctorCommand } from './doctor-command.ts';
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
import { initCommand } from './init-command.ts';
import { serveCommand } from './serve-command.ts';
import { vaultCommand } from './vault-command.ts';

// `.env` in the current folder (or ROTOR_ENV_FILE; `none` to skip): fills in variables the
// environment does not set. A broken file stops the command rather than running half-configured.
const envFile = parseSetting('ROTOR_ENV_FILE', process.env) ?? '.env';
if (envFile !== 'none') {
  try {
    loadDotEnv(resolve(envFile));
  } catch (e) {
    console.error(`rotor: cannot read ${envFile}: ${(e as Error).message}`);
    process.exit(2);
  }
}

const program = new Command('rotor')
  .description('Scheduled and automated posting for the X API, with OAuth 2.0 tokens that are never lost')
  .version('0.1.0');
program.addCommand(serveCommand());
program.addCommand(emulatorCommand());
program.addCommand(accountsCommand());
program.addCommand(keysCommand());
program.addCommand(initCommand());
program.addCommand(doctorCommand());
program.addCommand(vaultCommand());
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
