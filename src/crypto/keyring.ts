/**
 * @module The key ring: the AES-256 keys that seal tokens at rest, each with an id, one of
 * them active (used for every new write); the others stay to read older rows until a
 * rotation pass has moved every row to the active key.
 *
 * Configured by `ROTOR_KEYS`: comma-separated `id:key` entries, key = 32 bytes in base64 or
 * base64url, **the first entry active**. Example: `ROTOR_KEYS=k2:…,k1:…` (k2 new, k1 retiring).
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** One key of the ring. The key bytes are never enumerable, so they cannot leak through logging. */
export interface RingKey {
  readonly id: string;
  readonly bytes: Buffer;
  /** The same key as a `KeyObject`, made once: a cipher built from it skips importing the bytes. */
  readonly secret: KeyObject;
}

/** Refusal to build a key ring; the message names the problem, never key material. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;

function makeKey(id: string, bytes: Buffer): RingKey {
  const key = { id } as RingKey;
  Object.defineProperty(key, 'bytes', { value: bytes, enumerable: false });
  Object.defineProperty(key, 'secret', { value: createSecretKey(bytes), enumerable: false });
  return Object.freeze(key);
}

export class KeyRing {
  readonly #keys: Map<string, RingKey>;
  /** The key every new ciphertext is sealed with. */
  readonly active: RingKey;

  private constructor(keys: RingKey[]) {
    const first = keys[0];
    if (!first) throw new KeyRingError('the key ring is empty');
    this.#keys = new Map(keys.map((k) => [k.id, k]));
    this.active = first;
  }

  /** Builds a ring from keys given in code (first active). */
  static of(keys: { id: string; bytes: Buffer }[]): KeyRing {
    return new KeyRing(keys.map((k) => checked(k.id, k.bytes)));
  }

  /**
   * Parses `ROTOR_KEYS`. Fails closed: no value, a malformed entry, a key that is not 32 bytes or
   * a repeated id is an error — never a silent plaintext mode.
   */
  static parse(value: string | undefined): KeyRing {
    if (value === undefined || value.trim() === '') {
      throw new KeyRingError(
        'ROTOR_KEYS is not set: Rotor refuses to store tokens without an encryption key. Create one with `rotor keys generate`.',
      );
    }
    const keys = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((entry, i) => {
        const colon = entry.indexOf(':');
        if (colon <= 0) throw new KeyRingError(`ROTOR_KEYS entry ${i + 1} is not "id:base64key"`);
        const id = entry.slice(0, colon);
        const material = entry.slice(colon + 1);
        if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material)) {
          throw new KeyRingError(`ROTOR_KEYS key "${id}" is not base64`);
        }
        return checked(id, Buffer.from(material, 'base64'));
      });
    if (new Set(keys.map((k) => k.id)).size !== keys.length)
      throw new KeyRingError('ROTOR_KEYS repeats a key id');
    return new KeyRing(keys);
  }

  /** A new random key entry, `id:base64url`, for `ROTOR_KEYS`. */
  static generateEntry(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
    return `${checked(id, randomBytes(32)).id}:${randomBytes(32).toString('base64url')}`;
  }

  get(id: string): RingKey | undefined {
    return this.#keys.get(id);
  }

  ids(): string[] {
    return [...this.#keys.keys()];
  }
}

function checked(id: string, bytes: Buffer): RingKey {
  // The id is not echoed: a swapped "key:id" entry would put key material in the message.
  if (!ID.test(id)) {
    throw new KeyRingError('a key id must be 1–32 letters, digits, _ or - (entries are "id:base64key")');
  }
  if (bytes.length !== 32)
    throw new KeyRingError(`key "${id}" must be 32 bytes (AES-256), got ${bytes.length}`);
  return makeKey(id, bytes);
}
