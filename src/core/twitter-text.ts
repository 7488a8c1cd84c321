/**
 * @module X's own text rules (`twitter-text`: weighted length, entities), loaded at first use: a
 * process that never checks or previews a text (a `rotor worker`) never loads it (about 11 MB of
 * resident memory, with the `core-js` it pulls in).
 */
import { createRequire } from 'node:module';
import type * as TwitterText from 'twitter-text';

let loaded: typeof TwitterText | undefined;

/** The `twitter-text` module (CommonJS, loaded synchronously on the first call). */
export function twitterText(): typeof TwitterText {
  loaded ??= createRequire(import.meta.url)('twitter-text') as typeof TwitterText;
  return loaded;
}
