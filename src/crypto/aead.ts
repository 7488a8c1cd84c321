/**
 * @module Sealing and opening token ciphertexts: AES-256-GCM, a random 96-bit IV per seal, a
 * 128-bit tag, the key id in the clear, and associated data that binds each ciphertext to its
 * row and field — a ciphertext copied to another account or field does not open.
 *
 * Format: `v1.<key id>.<iv base64url>.<ciphertext+tag base64url>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './keyring.ts';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The one error for every ciphertext that does not open: tampered, truncated, moved, unknown key
 * id or wrong key. It says nothing more, on purpose (no oracle, no partial plaintext).
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  readonly code = 'decryption_failed';
  constructor() {
    super('a stored secret could not be decrypted (tampered, moved, or sealed with a key this ring lacks)');
  }
}

/** What a ciphertext is bound to: e.g. `{ table: 'token_sets', row: accountId, field: 'refresh' }`. */
export interface Binding {
  table: string;
  row: string;
  field: string;
}

function aad(keyId: string, b: Binding): Buffer {
  return Buffer.from(JSON.stringify([VERSION, keyId, b.table, b.row, b.field]));
}

/** Seals `plaintext` with the ring's active key. */
export function seal(ring: KeyRing, plaintext: string, binding: Binding): string {
  const key = ring.active;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.secret, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(key.id, binding));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${key.id}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** The key id a ciphertext was sealed with (for rotation), or undefined if it is not one of ours. */
export function keyIdOf(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 4 && parts[0] === VERSION ? parts[1] : undefined;
}

/** Opens a ciphertext; throws {@link DecryptionError} for anything that is not exactly right. */
export function open(ring: KeyRing, sealed: string, binding: Binding): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError();
  const [, keyId = '', ivText = '', bodyText = ''] = parts;
  // Exactly our own encoding, byte for byte: no padding, no stray characters.
  if (!B64URL.test(ivText) || !B64URL.test(bodyText)) throw new DecryptionError();
  const key = ring.get(keyId);
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (!key || iv.length !== IV_BYTES || body.length < TAG_BYTES || body.toString('base64url') !== bodyText) {
    throw new DecryptionError();
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId, binding));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  } catch {
    throw new DecryptionError();
  }
}
