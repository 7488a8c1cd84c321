/**
 * @module How a refusal or a stored reason in English is matched to its text in the user's
 * language: the rule's shape, and the patterns made from a known English text. Read by
 * `user-messages.ts` and the rule lists it gathers (`planning-messages.ts`, `reason-messages.ts`).
 */
import type { MessageKey, Translate } from './i18n.ts';

/** Says one English text in the user's language (for a text that carries another). */
export type Say = (message: string) => string;

/** A known English text → its key, or a text made from it; named groups become the key's parameters. */
export type MessageRule = [
  RegExp,
  MessageKey | ((g: Record<string, string>, t: Translate, say: Say) => string),
];

/** `s` with the characters a regular expression gives meaning to escaped. */
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Exactly `s`, with or without a final period. */
export const exact = (s: string) => new RegExp(`^${esc(s)}\\.?$`);
