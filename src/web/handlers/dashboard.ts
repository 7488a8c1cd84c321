/**
 * @module What the dashboard reads for its owner: accounts with their health and follower history
 * (90 days), posts published per day (30 days), what is coming up, schedules, unread
 * notifications and the operator's alerts of the last day.
 */
import { metricsSince, type MetricPoint } from '../../store/metrics-history.ts';
import { postsPerDay, type PostRow } from '../../store/posts.ts';
import type { NotificationRow } from '../../store/notifications.ts';
import type { ScheduleRow } from '../../store/schedules.ts';
import { requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { listAccountHealth, type AccountHealth } from './accounts.ts';
import { operatorAlertsSince, unreadNotificationsFor } from './notifications.ts';
import { listPostsFor } from './posts.ts';
import { listSchedulesFor } from './schedules.ts';

const DAY = 86_400_000;

export interface Dashboard {
  now: number;
  accounts: AccountHealth[];
  /** Each account's follower history, by account id. */
  followers: Map<string, MetricPoint[]>;
  /** Posts published per UTC day (`YYYY-MM-DD`). */
  postsPerDay: Map<string, number>;
  upcoming: (PostRow & { username: string })[];
  schedules: (ScheduleRow & { username: string })[];
  notifications: NotificationRow[];
  operatorAlerts: NotificationRow[];
}

export async function dashboardFor(deps: WebDeps, actor: Actor): Promise<Dashboard> {
  const now = deps.clock.now();
  const accounts = await listAccountHealth(deps, actor);
  const followers = new Map(
    await Promise.all(
      accounts.map(async (a) => [a.id, await metricsSince(deps.db, a.id, now - 90 * DAY)] as const),
    ),
  );
  requirePermission(actor, 'posts:read');
  const perDay = new Map((await postsPerDay(deps.db, actor.userId, 30)).map((r) => [r.day, r.count]));
  const upcoming = await listPostsFor(deps, actor, {
    statuses: ['scheduled', 'queued'],
    ascending: true,
    limit: 20,
  });
  const schedules = await listSchedulesFor(deps, actor);
  const notifications = await unreadNotificationsFor(deps, actor, 10);
  const operatorAlerts = await operatorAlertsSince(deps, now - DAY);
  return {
    now,
    accounts,
    followers,
    postsPerDay: perDay,
    upcoming,
    schedules,
    notifications,
    operatorAlerts,
  };
}
