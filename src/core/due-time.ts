/**
 * @module When a one-off post may be due: the one rule the web app, the HTTP API, CSV import and
 * the command line all apply (property 41: a post goes out when the user meant). A time more than a
 * minute in the past is refused (a form filled slowly is still "now"), and so is one more than three
 * years ahead. The English texts are the CLI's and the API's; the web app says the same in the
 * user's language (keys `time.past` and `time.tooFar`).
 */

/** How far in the past a due time is still taken as "now" (a form filled slowly). */
export const DUE_GRACE_MS = 60_000;
/** The furthest ahead a post can be scheduled. */
export const DUE_MAX_AHEAD_MS = 3 * 366 * 86_400_000;

export type DueTimeProblem = 'past' | 'too_far';

export const DUE_TIME_MESSAGES: Record<DueTimeProblem, string> = {
  past: 'that time has already passed; choose a later one, or post now',
  too_far: 'that is more than 3 years ahead',
};

/** Why `at` cannot be a post's due time at `now`, or undefined when it can. */
export function dueTimeProblem(at: number, now: number): DueTimeProblem | undefined {
  if (at < now - DUE_GRACE_MS) return 'past';
  if (at > now + DUE_MAX_AHEAD_MS) return 'too_far';
  return undefined;
}
