/**
 * @module How an area of web texts is written (`defineTexts`: the Japanese must have exactly the
 * English keys, checked by the compiler) and how the areas become one dictionary (`mergeTexts`:
 * a key in two areas is refused).
 */

/** One area's texts: English, and Japanese for every English key. */
export interface Texts<E extends Record<string, string>> {
  en: E;
  ja: Record<keyof E, string>;
}

/** An area of texts; `{name}` in a text is a placeholder, the same in both languages. */
export function defineTexts<const E extends Record<string, string>>(
  en: E,
  ja: Record<keyof E, string>,
): Texts<E> {
  return { en, ja };
}

type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The English texts of every area, as one type. */
export type MergedTexts<A extends readonly Texts<Record<string, string>>[]> = Intersect<A[number]['en']>;

/**
 * The areas as one dictionary.
 * @throws {Error} when two areas define the same key (a programming error, found at start)
 */
export function mergeTexts<const A extends readonly Texts<Record<string, string>>[]>(
  areas: A,
): { en: MergedTexts<A>; ja: Record<keyof MergedTexts<A>, string> } {
  const en: Record<string, string> = {};
  const ja: Record<string, string> = {};
  for (const area of areas) {
    for (const key of Object.keys(area.en)) {
      if (key in en) throw new Error(`web text "${key}" is defined in two areas`);
      en[key] = area.en[key] as string;
      ja[key] = area.ja[key] as string;
    }
  }
  return { en: en as MergedTexts<A>, ja: ja as Record<keyof MergedTexts<A>, string> };
}
