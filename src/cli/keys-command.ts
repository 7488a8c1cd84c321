/** @module `rotor keys generate`: a new key entry for ROTOR_KEYS. (Rotation comes with its issue.) */
import { Command } from 'commander';
import { KeyRing } from '../crypto/keyring.ts';

export function keysCommand(): Command {
  return new Command('keys').description('encryption keys for tokens at rest').addCommand(
    new Command('generate')
      .description('print a new random AES-256 key entry (id:base64url) for ROTOR_KEYS')
      .option('--id <id>', 'key id (default: k + today’s date)')
      .action((opts: { id?: string }) => {
        console.log(KeyRing.generateEntry(opts.id));
      }),
  );
}
