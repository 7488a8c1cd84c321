/**
 * @module What the web app says when something is refused, in the user's language. The scheduler,
 * the vault and the store refuse in English (the CLI's and the API's words, and what the database
 * keeps as a post's reason); each known refusal is matched here once and said from the
 * translation table (`i18n.ts`), with its figures and names carried over. An unknown text is shown
 * as it is (the test of every error path in Japanese fails on one).
 */
import { REASON_TEXTS, reasonText } from '../core/reason-texts.ts';
import { DUE_TIME_MESSAGES } from '../core/due-time.ts';
import { PLANNING_MESSAGES } from './planning-messages.ts';
import { THREAD_ENDED } from '../store/post-claims.ts';
import { REASON_MESSAGES } from './reason-messages.ts';
import { exact, type MessageRule, type Say } from './message-rules.ts';
import { statusWord, type Translate } from './i18n.ts';
import type { Locale } from './i18n.ts';

/** Known English refusals → keys; named groups become the key's parameters. */
const RULES: MessageRule[] = [
  // First: a reason given up on starts with the reason before it, which other rules would take.
  ...REASON_MESSAGES,
  [exact('the text is empty'), 'text.empty'],
  [/^the text is too long: (?<n>\d+) of 280/, 'text.tooLong'],
  [exact('the text has characters X does not accept'), 'text.invalid'],
  [exact(DUE_TIME_MESSAGES.past), 'time.past'],
  [exact(DUE_TIME_MESSAGES.too_far), 'time.tooFar'],
  [/^"(?<zone>[^"]*)" is not a time zone$/, 'time.badZone'],
  [/^"(?<when>[^"]*)" is not a date and time/, 'time.notDate'],
  [/^.* is in the past$/, 'time.past'],
  [/^not a CSV file/, 'csv.notCsv'],
  [exact('the file has no posts'), 'csv.noPosts'],
  [/^at most (?<max>\d+) posts per file$/, 'csv.tooMany'],
  [/^the header line must name a "text" column$/, 'csv.noText'],
  [/^@(?<user>\S+) is not one of your accounts$/, 'csv.notYours'],
  [exact('the file is not UTF-8 text'), 'csv.notUtf8'],
  [/^unknown template variable\(s\): (?<vars>.*)$/, 'tpl.unknownVar'],
  [/^the template would post the same text twice \((?<first>\S+) and (?<second>\S+)\)/, 'tpl.repeats'],
  [
    /^occurrence (?<n>\d+) \((?<when>[^)]*)\): (?<message>.*)$/s,
    // The inner text is a refusal of its own.
    (g, t, say) => t('tpl.occurrence', { ...g, message: say(g.message ?? '') }),
  ],
  [/^a recurring schedule needs its text/, 'tpl.needed'],
  // Threads (property 40): a refusal about one part names it; the inner text is said as its own.
  [
    /^part (?<n>\d+): (?<message>.*)$/s,
    (g, t, say) => t('thread.partMessage', { ...g, message: say(g.message ?? '') }),
  ],
  [/^a thread has 2 to 25 parts \(this one has (?<n>\d+)\)$/, 'thread.count'],
  [exact('a thread has 2 to 25 parts'), 'thread.countRange'],
  [/^the same text as part (?<first>\d+); X refuses a duplicate$/, 'thread.sameText'],
  [/^this post is a thread: give its "parts"/, 'thread.giveParts'],
  [exact(THREAD_ENDED), 'thread.ended'],
  [exact('a thread needs its parts'), 'thread.needsParts'],
  [/^"(?<cron>.*)" is not a 5-field cron expression/, 'cron.fields'],
  [/^"(?<cron>.*)" is not a valid cron expression/, 'cron.invalid'],
  [/^"(?<cron>.*)" never fires$/, 'cron.never'],
  [/^unknown time zone "(?<zone>[^"]*)"/, 'time.badZone'],
  [/^X refused it as a duplicate/, 'x.duplicate'],
  [/^X rate limit/, 'x.rateLimit'],
  [/^@(?<user>\S+) is already connected to Rotor by another user/, 'connect.otherUser'],
  [/^You chose not to authorize Rotor on X/, 'connect.denied'],
  [/^This sign-in link has expired or was already used/, 'connect.expired'],
  [/^This sign-in was started in another browser or tab/, 'connect.otherTab'],
  [/^You signed out after starting to connect/, 'connect.signedOut'],
  [exact('no such account among yours'), 'notFound.account'],
  [exact('no such post among yours'), 'notFound.post'],
  [exact('no such schedule among yours'), 'notFound.schedule'],
  [exact('no such schedule'), 'notFound.schedule'],
  [
    /^this post is (?<status>\w+) and can no longer be cancelled$/,
    (g, t) => t('post.notCancellable', { status: statusWord(t, g.status) }),
  ],
  [exact('the schedule is already gone'), 'sched.gone'],
  [exact('choose a date, a time and a time zone'), 'time.missing'],
  [
    /^(?<time>\d\d:\d\d) does not exist on (?<date>\S+) in (?<zone>\S+): the clocks go forward then \(it would become (?<shifted>\d\d:\d\d)\)/,
    'time.gap',
  ],
  [/^the request body is too large/, 'form.tooLarge'],
  [/^file (?<n>\d+) is not a PNG, JPEG, WebP or GIF image or an MP4 video$/, 'media.notSupported'],
  [
    /^file (?<n>\d+) is (?<size>[\d.]+) MB; X takes at most (?<max>\d+) MB for a (?<what>video|GIF|image)$/,
    (g, t) => t('media.tooLarge', { ...g, what: mediaWord(t, g.what) }),
  ],
  [
    /^a (?<what>video|GIF|image) must be the only file of its post/,
    (g, t) => t('media.alone', { what: mediaWord(t, g.what) }),
  ],
  [/^at most (?<max>\d+) images per post$/, 'media.tooMany'],
  [
    /^X refused the (?<what>video|GIF|image): (?<detail>.*)$/s,
    (g, t) => t('media.refused', { ...g, what: mediaWord(t, g.what) }),
  ],
  [
    /^X could not process the (?<what>video|GIF|image): (?<detail>.*)$/s,
    (g, t) => t('media.processingFailed', { ...g, what: mediaWord(t, g.what) }),
  ],
  [
    /^X is still processing the (?<what>video|GIF|image); will look again$/,
    (g, t) => t('media.stillProcessing', { what: mediaWord(t, g.what) }),
  ],
  [
    /^X no longer has the uploaded (?<what>video|GIF|image); it will be uploaded again$/,
    (g, t) => t('media.gone', { what: mediaWord(t, g.what) }),
  ],
  [/^media upload failed \((?<detail>[^)]*)\); retrying$/, 'media.uploadFailed'],
  ...PLANNING_MESSAGES,
];

/** `video`, `GIF` or `image` (the scheduler's word) in the user's language. */
function mediaWord(t: Translate, word: string | undefined): string {
  return t(word === 'video' ? 'media.video' : word === 'GIF' ? 'media.gif' : 'media.image');
}

/** The reason an account needs reconnecting, from its English explanation back to its code. */
const REASON_BY_TEXT = new Map(Object.entries(REASON_TEXTS.en).map(([code, text]) => [text, code]));

/**
 * A refusal's text in the user's language. `message` is the English text the core said (several
 * joined by "; " are each said).
 */
export function userMessage(t: Translate, locale: Locale, message: string): string {
  const say: Say = (m) => userMessage(t, locale, m);
  const reconnect = /^@(?<user>\S+) needs to be reconnected: (?<why>.*?)(; connect the account again)?$/.exec(
    message,
  );
  if (reconnect?.groups) {
    const code = REASON_BY_TEXT.get(reconnect.groups.why ?? '');
    return t('x.needsReconnect', { user: reconnect.groups.user ?? '', reason: reasonText(locale, code) });
  }
  for (const [pattern, to] of RULES) {
    const m = pattern.exec(message.trim());
    if (!m) continue;
    const groups = { ...m.groups };
    return typeof to === 'function' ? to(groups, t, say) : t(to, groups);
  }
  if (message.includes('; ')) {
    const parts = message.split('; ');
    const said = parts.map(say);
    if (said.some((s, i) => s !== parts[i])) return said.join(locale === 'ja' ? '' : ' ');
  }
  return message;
}
