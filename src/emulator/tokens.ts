/**
 * @module Token strings shaped like X's: opaque to clients, but decoding (base64url) to
 * `<45 random chars>:<issued ms>:1:1:<kind>:1`, with kind `at` (access), `rt` (refresh) or
 * `ac` (authorization code).
 */
import { randomBytes, randomInt } from 'node:crypto';

export type TokenKind = 'at' | 'rt' | 'ac';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(n: number): string {
  let out = '';
  for (const byte of randomBytes(n)) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Mints a new, unguessable token string of the given kind. */
export function mintToken(kind: TokenKind, issuedMs: number): string {
  return Buffer.from(`${randomChars(45)}:${Math.floor(issuedMs)}:1:1:${kind}:1`).toString('base64url');
}

/** An opaque random id (for pending consent requests and faults). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomChars(16)}`;
}

/** Makes post ids that look and sort like X's snowflakes: time in the high bits, a sequence below. */
export class SnowflakeIds {
  static readonly #epoch = 1288834974657n;
  #last = 0n;
  readonly #worker = BigInt(randomInt(0, 1024));

  next(nowMs: number): string {
    let id = ((BigInt(Math.floor(nowMs)) - SnowflakeIds.#epoch) << 22n) | (this.#worker << 12n);
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}
