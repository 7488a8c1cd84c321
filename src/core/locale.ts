/** @module The languages Rotor speaks: web pages, e-mail and webhook texts, reasons shown to people. */

/** Every language Rotor has texts for; the first is the default. */
export const LOCALES = ['en', 'ja'] as const;

/** A language Rotor has texts for. */
export type Locale = (typeof LOCALES)[number];

/** True when `v` names a language Rotor has texts for. */
export const isLocale = (v: unknown): v is Locale => LOCALES.includes(v as Locale);
