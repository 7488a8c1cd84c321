/**
 * @module The English refusals of editing and planning, matched to their keys in
 * `i18n-planning.ts` (read by `user-messages.ts`, which says every refusal in the user's language).
 */
import { QUEUE_TEXT_ONLY } from '../scheduler/service.ts';
import { statusWord } from './i18n.ts';
import { esc, type MessageRule } from './message-rules.ts';
import { SAME_TEXT_MESSAGE } from './handlers/multi-post.ts';

/** Known English refusals → keys (or a text made from them); named groups become the key's parameters. */
export const PLANNING_MESSAGES: MessageRule[] = [
  [new RegExp(`^${esc(SAME_TEXT_MESSAGE)}$`), 'compose.sameText'],
  [/^choose at least one account$/, 'compose.oneAccount'],
  [/^tick at least one day for a time in the grid$/, 'grid.noSlot'],
  [/^"(?<time>[^"]*)" is not a time \(HH:MM\)$/, 'grid.badTime'],
  [/^give a time for each row of ticked days$/, 'grid.needTime'],
  [/^choose the weekday$/, 'grid.needDay'],
  [
    /^this post is (?<status>\w+) and can no longer be edited$/,
    // The status in the user's language too, not the English word of the refusal.
    (g, t) => t('edit.notEditable', { status: statusWord(t, g.status) }),
  ],
  [new RegExp(`^${esc(QUEUE_TEXT_ONLY)}\\.?$`), 'queue.textOnly'],
  [/^give "at", or "localTime" with "timeZone", to schedule$/, 'edit.needTime'],
  [/^a time \("at", "localTime"\) goes with mode "schedule"$/, 'edit.timeForSchedule'],
];
