/**
 * @module The reasons the scheduler keeps on a post (`scheduler/publish-decisions.ts`, the store's
 * cancel and stale-claim texts), matched to their keys in `i18n/reasons.ts` (read by
 * `user-messages.ts`, which says every stored text in the user's language).
 */
import { STALE_CLAIM_REASON } from '../store/post-claims.ts';
import { CANCELLED_REASON } from '../store/posts.ts';
import { exact, type MessageRule } from './message-rules.ts';

/**
 * Known reasons → keys (or a text made from them); named groups become the key's parameters.
 * A reason given up on carries the one before it, said in the user's language too.
 */
export const REASON_MESSAGES: MessageRule[] = [
  [
    /^(?<reason>.+); gave up after (?<n>\d+) tries \(you can retry it\)$/s,
    (g, t, say) => t('reason.gaveUp', { reason: say(g.reason ?? ''), n: g.n ?? '' }),
  ],
  [/^waiting for X's rate limit \((?<limits>[^)]*)\)$/, 'reason.capWait'],
  [/^could not get a token \((?<code>[^)]*)\); retrying$/, 'reason.tokenRetry'],
  [/^could not get a token: (?<code>\S+)$/, 'reason.tokenFailed'],
  [exact('X refused the access token even after a refresh; reconnect the account'), 'reason.tokenRefused'],
  [exact('X answered 402: the X developer account has no API credits left'), 'reason.noCredits'],
  [/^X refused the post: (?<detail>.*)$/s, 'reason.postRefused'],
  [
    exact('X refused the access token for media upload; reconnect the account (media.write)'),
    'reason.mediaTokenRefused',
  ],
  [/^X did not answer \((?<detail>[^)]*)\); will look whether it was posted$/, 'reason.noAnswer'],
  [exact('X did not list the recent posts; will look again'), 'reason.notListed'],
  [exact('not on X yet; will look again before retrying'), 'reason.notYet'],
  [/^X did not answer (?<n>\d+) times; gave up \(you can retry it\)$/, 'reason.noAnswerGaveUp'],
  [exact('X did not answer; not posted; retrying'), 'reason.notPostedRetry'],
  [
    /^X may have posted it; @(?<user>\S+) needs to be reconnected before Rotor can check$/,
    'reason.lookNeedsReconnect',
  ],
  [exact('could not reach X to check; will look again'), 'reason.lookUnreachable'],
  [
    exact('X did not answer and a post without text cannot be looked up; check X before retrying'),
    'reason.unlookable',
  ],
  [
    /^X did not say whether it was posted after (?<n>\d+) looks; check @(?<user>\S+) on X before retrying$/,
    'reason.looksExhausted',
  ],
  [exact(CANCELLED_REASON), 'reason.cancelled'],
  [exact(STALE_CLAIM_REASON), 'reason.workerStopped'],
];
