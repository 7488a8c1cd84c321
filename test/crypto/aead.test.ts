/**
 * Tokens at rest (properties 19–21): the key ring from `ROTOR_KEYS`, sealing and opening with
 * AES-256-GCM bound to row and field, one generic error for every ciphertext that does not open,
 * key rotation, and the local journal that reuses the same sealing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptionError, keyIdOf, open, seal, type Binding } from '../../src/crypto/aead.ts';
import { KeyRing, KeyRingError } from '../../src/crypto/keyring.ts';
import { Journal, type JournalEntry } from '../../src/vault/journal.ts';

const b64 = (bytes: Buffer) => bytes.toString('base64');
const b64url = (bytes: Buffer) => bytes.toString('base64url');
const ringOf = (...keys: [string, Buffer][]) => KeyRing.of(keys.map(([id, bytes]) => ({ id, bytes })));

/** Asserts `fn` throws a KeyRingError whose message matches `pattern` and leaks none of `secrets`. */
function assertKeyRingError(fn: () => unknown, pattern: RegExp, secrets: string[] = []): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KeyRingError, `expected a KeyRingError, got ${String(e)}`);
    assert.match(e.message, pattern);
    for (const s of secrets) assert.ok(!e.message.includes(s), 'the message must not contain key material');
    return true;
  });
}

describe('KeyRing.parse (ROTOR_KEYS)', () => {
  test('unset or empty → KeyRingError naming ROTOR_KEYS (no silent plaintext mode)', () => {
    for (const value of [undefined, '', '   ', '\n']) {
      assertKeyRingError(() => KeyRing.parse(value), /ROTOR_KEYS/);
    }
  });

  test('a malformed entry (no id, no colon, empty key) is a clear error without key material', () => {
    const key = b64(randomBytes(32));
    assertKeyRingError(() => KeyRing.parse(key), /ROTOR_KEYS entry 1 is not "id:base64key"/, [key]);
    assertKeyRingError(() => KeyRing.parse(`:${key}`), /ROTOR_KEYS entry 1/, [key]);
    assertKeyRingError(() => KeyRing.parse(`k1:${key},${key}`), /ROTOR_KEYS entry 2/, [key]);
    assertKeyRingError(() => KeyRing.parse('k1:'), /"k1" is not base64/);
  });

  test('a key that is not base64 is refused without echoing it', () => {
    const material = 'not*base64!at all, surely';
    assertKeyRingError(() => KeyRing.parse(`k1:${material}`), /ROTOR_KEYS key "k1" is not base64/, [
      material,
    ]);
  });

  test('a key of the wrong length (16 bytes: AES-128) is refused, naming the length only', () => {
    const short = b64(randomBytes(16));
    assertKeyRingError(() => KeyRing.parse(`k1:${short}`), /"k1" must be 32 bytes.*got 16/, [short]);
    const long = b64(randomBytes(48));
    assertKeyRingError(() => KeyRing.parse(`k1:${long}`), /must be 32 bytes.*got 48/, [long]);
  });

  test('a repeated key id is refused', () => {
    const [a, b] = [b64(randomBytes(32)), b64(randomBytes(32))];
    assertKeyRingError(() => KeyRing.parse(`k1:${a},k1:${b}`), /repeats a key id/, [a, b]);
  });

  test('a key id with bad characters (or too long) is refused', () => {
    const key = b64(randomBytes(32));
    for (const id of ['bad id', 'k.1', 'k/1', 'ключ', 'x'.repeat(33)]) {
      assertKeyRingError(() => KeyRing.parse(`${id}:${key}`), /must be 1–32 letters, digits, _ or -/, [key]);
    }
  });

  test('the first entry is active; the others stay readable', () => {
    const [k2, k1] = [randomBytes(32), randomBytes(32)];
    const ring = KeyRing.parse(` k2:${b64(k2)} , k1:${b64(k1)} `);
    assert.equal(ring.active.id, 'k2');
    assert.deepEqual(ring.active.bytes, k2);
    assert.deepEqual(ring.ids(), ['k2', 'k1']);
    assert.deepEqual(ring.get('k1')?.bytes, k1);
    assert.equal(ring.get('k3'), undefined);
  });

  test('base64 and base64url are both accepted and decode to the same key', () => {
    // A key whose encodings differ: bytes 0xfb 0xff give "+/" in base64 and "-_" in base64url.
    const bytes = Buffer.concat([Buffer.from([0xfb, 0xff, 0xfe]), randomBytes(29)]);
    const std = b64(bytes);
    const url = b64url(bytes);
    assert.notEqual(std, url);
    assert.match(std, /[+/]/);
    assert.match(std, /=$/);
    assert.deepEqual(KeyRing.parse(`a:${std}`).active.bytes, bytes);
    assert.deepEqual(KeyRing.parse(`a:${url}`).active.bytes, bytes);
  });

  test('key bytes are not enumerable, so logging a key or the ring shows no material', () => {
    const bytes = randomBytes(32);
    const ring = KeyRing.parse(`k1:${b64(bytes)}`);
    const shown = JSON.stringify(ring.active) + JSON.stringify(ring) + JSON.stringify({ ...ring.active });
    assert.ok(!shown.includes(b64(bytes)) && !shown.includes(bytes.toString('hex')));
    assert.deepEqual(Object.keys(ring.active), ['id']);
  });

  test('KeyRing.generateEntry() gives an entry that parses back to a 32-byte active key', () => {
    const entry = KeyRing.generateEntry('k7');
    assert.match(entry, /^k7:[A-Za-z0-9_-]{43}$/);
    const ring = KeyRing.parse(entry);
    assert.equal(ring.active.id, 'k7');
    assert.equal(ring.active.bytes.length, 32);
    assert.deepEqual(ring.active.bytes, Buffer.from(entry.slice(3), 'base64url'));
    assert.notEqual(KeyRing.generateEntry('k7'), entry, 'a fresh random key each time');
    const dated = KeyRing.generateEntry();
    assert.equal(KeyRing.parse(dated).active.bytes.length, 32);
    assert.throws(() => KeyRing.generateEntry('bad id'), KeyRingError);
  });
});

describe('seal and open (properties 19, 20)', () => {
  const ring = ringOf(['k1', randomBytes(32)]);
  const binding: Binding = { table: 'token_sets', row: randomUUID(), field: 'refresh' };
  const secret = `rt-${randomBytes(24).toString('base64url')}`;
  const sealed = seal(ring, secret, binding);
  const [version = '', kid = '', ivText = '', bodyText = ''] = sealed.split('.');
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  const GENERIC = new DecryptionError().message;

  /** Opening must throw the one generic DecryptionError and never return text. */
  function refused(value: string, b: Binding = binding, r: KeyRing = ring): void {
    assert.throws(
      () => open(r, value, b),
      (e: unknown) => {
        assert.ok(e instanceof DecryptionError, `expected DecryptionError, got ${String(e)}`);
        assert.equal(e.message, GENERIC);
        assert.equal(e.code, 'decryption_failed');
        assert.ok(!e.message.includes(secret));
        return true;
      },
    );
  }
  const assemble = (v: string, k: string, i: Buffer, c: Buffer) => `${v}.${k}.${b64url(i)}.${b64url(c)}`;

  test('round trip, including Japanese and emoji text and the empty string', () => {
    for (const text of [secret, '山田花子のトークン 🔑🚀 ✨', '👩‍👩‍👧‍👦', '', 'x'.repeat(5000)]) {
      assert.equal(open(ring, seal(ring, text, binding), binding), text);
    }
  });

  test('format v1.<kid>.<iv>.<ciphertext+tag>, 96-bit IV and 128-bit tag', () => {
    assert.match(sealed, /^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    assert.equal(version, 'v1');
    assert.equal(kid, 'k1');
    assert.equal(keyIdOf(sealed), 'k1');
    assert.equal(iv.length, 12);
    assert.equal(
      body.length,
      Buffer.byteLength(secret) + 16,
      'ciphertext is as long as the text, plus the tag',
    );
    assert.ok(!sealed.includes(secret));
  });

  test('the IV is random: two seals of the same text differ in IV and ciphertext', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      const [, , i2 = '', c2 = ''] = seal(ring, secret, binding).split('.');
      seen.add(i2);
      assert.notEqual(c2, bodyText);
    }
    assert.equal(seen.size, 50);
    assert.ok(!seen.has(ivText));
  });

  test('flipping any bit of any byte of the IV, ciphertext or tag → generic DecryptionError', () => {
    for (let i = 0; i < iv.length; i += 1) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(iv);
        bad[i] = (bad[i] ?? 0) ^ mask;
        refused(assemble(version, kid, bad, body));
      }
    }
    for (let i = 0; i < body.length; i += 1) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(body);
        bad[i] = (bad[i] ?? 0) ^ mask;
        refused(assemble(version, kid, iv, bad));
      }
    }
  });

  test('truncation at every length → generic DecryptionError', () => {
    for (let n = 0; n < sealed.length; n += 1) refused(sealed.slice(0, n));
    for (let n = 0; n < body.length; n += 1) refused(assemble(version, kid, iv, body.subarray(0, n)));
    for (let n = 0; n < iv.length; n += 1) refused(assemble(version, kid, iv.subarray(0, n), body));
    // the tag cut off but the ciphertext kept, and the ciphertext cut off but the tag kept
    refused(assemble(version, kid, iv, body.subarray(0, body.length - 16)));
    refused(assemble(version, kid, iv, body.subarray(body.length - 16)));
  });

  test('a ciphertext moved to another row, field or table does not open (binding)', () => {
    refused(sealed, { ...binding, row: randomUUID() });
    refused(sealed, { ...binding, field: 'access' });
    refused(sealed, { ...binding, table: 'journal' });
    refused(sealed, { table: 'oauth_transactions', row: binding.row, field: 'verifier' });
    assert.equal(open(ring, sealed, { ...binding }), secret);
  });

  test('an unknown key id, or the wrong key under the same id → generic DecryptionError', () => {
    refused(`${version}.k9.${ivText}.${bodyText}`);
    refused(sealed, binding, ringOf(['k2', randomBytes(32)]));
    refused(sealed, binding, ringOf(['k1', randomBytes(32)]));
    // the key id is authenticated too: the same key under another id does not open it
    const k1 = ring.get('k1')?.bytes ?? Buffer.alloc(0);
    refused(`${version}.k2.${ivText}.${bodyText}`, binding, ringOf(['k2', k1]));
  });

  test('a changed version prefix or a different shape → generic DecryptionError', () => {
    for (const v of ['v2', 'v0', 'V1', '', 'v1 ']) refused(`${v}.${kid}.${ivText}.${bodyText}`);
    refused(`${sealed}.extra`);
    refused(`${kid}.${ivText}.${bodyText}`);
    refused('');
    refused('plaintext-token');
  });

  test('rotation: the new key seals, the retired-but-present key still opens old rows', () => {
    const k1 = ring.get('k1')?.bytes ?? Buffer.alloc(0);
    const rotated = ringOf(['k2', randomBytes(32)], ['k1', k1]);
    assert.equal(open(rotated, sealed, binding), secret, 'old ciphertext still opens');
    const fresh = seal(rotated, secret, binding);
    assert.equal(keyIdOf(fresh), 'k2');
    assert.equal(open(rotated, fresh, binding), secret);
    refused(fresh, binding, ring); // the old ring lacks k2
    refused(sealed, binding, ringOf(['k2', rotated.active.bytes])); // k1 dropped: old rows no longer open
  });
});

describe('journal (property 13)', () => {
  const ring = ringOf(['k1', randomBytes(32)]);
  const entry = (accountId: string, fromVersion = 1): JournalEntry => ({
    accountId,
    fromVersion,
    rotation: {
      accessCt: seal(ring, 'at', { table: 'token_sets', row: accountId, field: 'access' }),
      refreshCt: seal(ring, 'rt', { table: 'token_sets', row: accountId, field: 'refresh' }),
      keyId: 'k1',
      accessExpiresAt: 1_700_000_000_000,
      scope: 'tweet.read tweet.write users.read offline.access',
    },
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-journal-'));
    return { dir: join(dir, 'journal'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  };

  test('write then list returns the entry; remove takes it away; the file is sealed', () => {
    const { dir, cleanup } = tempDir();
    try {
      const journal = new Journal(dir, ring);
      assert.deepEqual(journal.list(), [], 'no folder yet → nothing');
      const e = entry(randomUUID(), 3);
      journal.write(e);
      assert.deepEqual(journal.list(), [e]);
      const [name] = readdirSync(dir);
      assert.equal(name, `${e.accountId}.3.journal`);
      const raw = readFileSync(join(dir, name), 'utf8');
      assert.match(raw, /^v1\.k1\./);
      assert.ok(!raw.includes(e.rotation.scope), 'nothing in the clear');
      journal.remove(e);
      assert.deepEqual(journal.list(), []);
    } finally {
      cleanup();
    }
  });

  test('a tampered journal file is skipped, not thrown; the others are still listed', () => {
    const { dir, cleanup } = tempDir();
    try {
      const journal = new Journal(dir, ring);
      const [good, bad] = [entry(randomUUID()), entry(randomUUID())];
      journal.write(good);
      journal.write(bad);
      const file = join(dir, `${bad.accountId}.1.journal`);
      const [v, k, i, c = ''] = readFileSync(file, 'utf8').split('.');
      const body = Buffer.from(c, 'base64url');
      body[5] = (body[5] ?? 0) ^ 0x01;
      writeFileSync(file, `${v}.${k}.${i}.${body.toString('base64url')}`);
      assert.deepEqual(journal.list(), [good]);
      writeFileSync(file, 'garbage');
      assert.deepEqual(journal.list(), [good]);
    } finally {
      cleanup();
    }
  });

  test('a file renamed to another account id is skipped (bound to its account)', () => {
    const { dir, cleanup } = tempDir();
    try {
      const journal = new Journal(dir, ring);
      const e = entry(randomUUID());
      journal.write(e);
      renameSync(join(dir, `${e.accountId}.1.journal`), join(dir, `${randomUUID()}.1.journal`));
      assert.deepEqual(journal.list(), []);
    } finally {
      cleanup();
    }
  });

  test('an entry sealed with a key the ring lacks is skipped', () => {
    const { dir, cleanup } = tempDir();
    try {
      new Journal(dir, ringOf(['k1', randomBytes(32)])).write(entry(randomUUID()));
      assert.deepEqual(new Journal(dir, ring).list(), []);
    } finally {
      cleanup();
    }
  });
});
