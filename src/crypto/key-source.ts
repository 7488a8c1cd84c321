/**
 * @module Where the key ring comes from: `ROTOR_KEYS`, or — in development only — a local key
 * file in the data folder, created by `npm start` with a loud notice. Never a plaintext mode.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyRing, KeyRingError } from './keyring.ts';

export const DEV_KEY_FILE = 'dev-keys';

export interface KeySourceOptions {
  keys: string | undefined;
  dataDir: string;
  /** Create the development key file if there is none (only `rotor serve` in demo mode does). */
  createDevKey: boolean;
  warn: (message: string) => void;
}

export function resolveKeyRing(o: KeySourceOptions): KeyRing {
  if (o.keys !== undefined) return KeyRing.parse(o.keys);
  const file = join(o.dataDir, DEV_KEY_FILE);
  if (existsSync(file)) {
    o.warn(`NOTICE: using the development key in ${file} (set ROTOR_KEYS for real use).`);
    return KeyRing.parse(readFileSync(file, 'utf8'));
  }
  if (!o.createDevKey) {
    throw new KeyRingError(
      'ROTOR_KEYS is not set and there is no development key: Rotor refuses to store tokens unencrypted. ' +
        'Set ROTOR_KEYS (create a key with `rotor keys generate`), or run `npm start` once to create a development key.',
    );
  }
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, KeyRing.generateEntry('dev1'), { mode: 0o600, flag: 'wx' });
  o.warn(
    [
      '',
      '************************************************************************',
      `* NOTICE: no ROTOR_KEYS: created a DEVELOPMENT encryption key in ${file}`,
      '* Tokens are encrypted with it. Anyone with this file can read them.',
      '* For real use, set ROTOR_KEYS (see `rotor keys generate`).',
      '************************************************************************',
      '',
    ].join('\n'),
  );
  return KeyRing.parse(readFileSync(file, 'utf8'));
}
