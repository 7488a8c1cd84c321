/** The scanner `npm test` runs over its own output (property 26) finds what it must. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSecrets } from '../scripts/secret-scan.ts';
import { KeyRing } from '../src/crypto/keyring.ts';
import { mintToken } from '../src/emulator/tokens.ts';

test('finds X-shaped tokens and codes, and key entries, but not ordinary text', () => {
  const text = `a ${mintToken('at', Date.now())} b ${mintToken('rt', Date.now())}\nc=${mintToken('ac', Date.now())}\nROTOR_KEYS=${KeyRing.generateEntry('k1')}`;
  assert.deepEqual(
    findSecrets(text).map((f) => f.kind),
    ['x_token', 'x_token', 'x_token', 'key_entry'],
  );
  assert.deepEqual(
    findSecrets('ok 12 - refresh storm (8211 ms) 4f0c9a2b-aaaa-bbbb-cccc-123456789012 sha:abc'),
    [],
  );
});
