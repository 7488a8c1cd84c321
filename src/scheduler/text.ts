/**
 * @module Post text: X's weighted length (`twitter-text`: 280, CJK and emoji weigh 2, URLs 23),
 * checked before a post is accepted, with the weighted count in the error.
 */
import { twitterText } from '../core/twitter-text.ts';

export type TextCheck =
  { ok: true; weightedLength: number } | { ok: false; weightedLength: number; message: string };

export function checkText(text: string): TextCheck {
  if (text.trim() === '') return { ok: false, weightedLength: 0, message: 'the text is empty' };
  const parsed = twitterText().parseTweet(text);
  if (parsed.weightedLength > 280) {
    return {
      ok: false,
      weightedLength: parsed.weightedLength,
      message: `the text is too long: ${parsed.weightedLength} of 280 weighted characters (CJK characters and emoji count 2, links 23)`,
    };
  }
  if (!parsed.valid)
    return {
      ok: false,
      weightedLength: parsed.weightedLength,
      message: 'the text has characters X does not accept',
    };
  return { ok: true, weightedLength: parsed.weightedLength };
}
