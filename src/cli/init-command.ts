/**
 * @module `rotor init`: writes a commented `.env` (every setting, a freshly generated key) in the
 * current folder, or `--file`. Refuses to overwrite an existing file unless `--force`: an
 * overwritten key would make every stored token unreadable.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { KeyRing } from '../crypto/keyring.ts';
import { renderEnvFile } from '../ops/env-file.ts';
import { fail } from './runtime.ts';

export function initCommand(): Command {
  return new Command('init')
    .description('write a commented .env with a new encryption key and every setting')
    .option('--file <path>', 'where to write', '.env')
    .option(
      '--force',
      'overwrite an existing file (its key is lost: stored tokens sealed with it no longer open)',
    )
    .action((opts: { file: string; force?: boolean }) => {
      const file = resolve(opts.file);
      try {
        writeFileSync(file, renderEnvFile(KeyRing.generateEntry()), {
          mode: 0o600,
          flag: opts.force ? 'w' : 'wx',
        });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          fail(
            'init',
            `${file} already exists; not overwritten (its ROTOR_KEYS may be what your stored tokens are sealed with). Use --force to replace it.`,
            1,
          );
        }
        fail('init', `cannot write ${file}: ${(e as Error).message}`, 1);
      }
      console.log(`Wrote ${file} with a new encryption key (ROTOR_KEYS). Keep it private.`);
      console.log(
        'Next: set X_CLIENT_ID and X_CLIENT_SECRET in it (or leave them out for demo mode), then `rotor doctor`.',
      );
    });
}
