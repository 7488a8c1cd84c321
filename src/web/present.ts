/** @module JSON shapes of the HTTP API (times as ISO 8601 UTC; never a token but the broker's). */
import { currentPart } from '../scheduler/threads.ts';
import type { PostRow } from '../store/posts.ts';
import type { ScheduleRow } from '../store/schedules.ts';
import type { AccountHealth } from './handlers/accounts.ts';
import { reasonText } from '../core/reason-texts.ts';

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export const accountJson = (a: AccountHealth) => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  status: a.status,
  reason: a.reason,
  reasonText: a.status === 'active' ? null : reasonText('en', a.reason),
  refreshedAt: iso(a.refreshedAt),
  connectionEndsAt: new Date(a.connectionEndsAt).toISOString(),
  daysLeft: a.daysLeft,
  reconnectUrl: '/accounts/connect',
});

/**
 * A post as the API shows it. A thread (`parts` given) is its first part's row with its parts in
 * order; its status and reason are those of the part that says where it stands.
 */
export const postJson = (p: PostRow & { username?: string; parts?: PostRow[] }) => {
  const now = p.parts ? (currentPart(p.parts) ?? p) : p;
  return {
    id: p.id,
    accountId: p.accountId,
    username: p.username ?? null,
    text: p.text,
    status: now.status,
    dueAt: iso(now.dueAt),
    publishedAt: iso(p.publishedAt),
    xPostId: p.xPostId,
    url: p.xUrl,
    reason: now.reason,
    mediaCount: p.mediaCount,
    ...(p.parts
      ? { parts: p.parts.map((part) => ({ text: part.text, status: part.status, xPostId: part.xPostId })) }
      : {}),
  };
};

export const scheduleJson = (s: ScheduleRow & { username?: string }) => ({
  id: s.id,
  accountId: s.accountId,
  username: s.username ?? null,
  kind: s.kind,
  cron: s.cron,
  timeZone: s.tz,
  template: s.template,
  paused: s.paused,
  nextAt: iso(s.nextAt),
});
