/** @module JSON shapes of the HTTP API (times as ISO 8601 UTC; never a token but the broker's). */
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

export const postJson = (p: PostRow & { username?: string }) => ({
  id: p.id,
  accountId: p.accountId,
  username: p.username ?? null,
  text: p.text,
  status: p.status,
  dueAt: iso(p.dueAt),
  publishedAt: iso(p.publishedAt),
  xPostId: p.xPostId,
  url: p.xUrl,
  reason: p.reason,
  mediaCount: p.mediaCount,
});

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
