/**
 * @module Notifications in SQL: recorded once per event (a unique `dedupe_key`), listed and marked
 * read for the app, and their e-mail and webhook deliveries claimed, retried and settled.
 */
import type { Queryable } from './db.ts';

export type NotificationKind =
  | 'reauth_required'
  | 'horizon_approaching'
  | 'post_failed'
  | 'post_unknown'
  | 'invalid_client'
  | 'decryption_failed';

export type DeliveryChannel = 'email' | 'webhook';

/** What the texts need; never a secret. */
export interface NotificationData {
  username?: string;
  reason?: string;
  /** Epoch ms: the grant's end (horizon), or the post's due time. */
  at?: number;
  /** The post's text, shortened. */
  text?: string;
  clientId?: string;
}

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  ownerId: string | null;
  accountId: string | null;
  postId: string | null;
  data: NotificationData;
  createdAt: number;
  readAt: number | null;
}

export interface NewNotification {
  dedupeKey: string;
  kind: NotificationKind;
  ownerId: string | null;
  accountId: string | null;
  postId: string | null;
  data: NotificationData;
}

/** The columns of a notification row, from table alias `t` (empty for none). */
const columns = (t = '') => `${t}id, ${t}kind, ${t}owner_id AS "ownerId", ${t}account_id AS "accountId",
  ${t}post_id AS "postId", ${t}data, (extract(epoch FROM ${t}created_at) * 1000)::float8 AS "createdAt",
  (extract(epoch FROM ${t}read_at) * 1000)::float8 AS "readAt"`;
const COLUMNS = columns();

/**
 * Records a notification and its deliveries, unless the same event (`dedupeKey`) was recorded
 * before. Returns the new row, or undefined for a repeat: only the first reporter sends.
 */
export async function recordNotification(
  q: Queryable,
  n: NewNotification,
  channels: DeliveryChannel[],
): Promise<NotificationRow | undefined> {
  const result = await q.query<NotificationRow>(
    `INSERT INTO notifications (dedupe_key, kind, owner_id, account_id, post_id, data)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (dedupe_key) DO NOTHING RETURNING ${COLUMNS}`,
    [n.dedupeKey, n.kind, n.ownerId, n.accountId, n.postId, JSON.stringify(n.data)],
  );
  const row = result.rows[0];
  if (row && channels.length > 0) {
    await q.query(
      `INSERT INTO notification_deliveries (notification_id, channel) SELECT $1, unnest($2::text[])`,
      [row.id, channels],
    );
  }
  return row;
}

/**
 * A user's notifications, newest first (at most `limit`, default 50). Operator alerts (no owner,
 * e.g. X refusing the client) are not included: see {@link listOperatorNotifications}.
 *
 * @example
 * const unread = await listNotifications(db, user.id, { unreadOnly: true });
 */
export async function listNotifications(
  q: Queryable,
  ownerId: string,
  opts: { unreadOnly?: boolean; limit?: number } = {},
): Promise<NotificationRow[]> {
  const result = await q.query<NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications WHERE owner_id = $1 ${opts.unreadOnly ? 'AND read_at IS NULL' : ''}
     ORDER BY created_at DESC, id LIMIT $2`,
    [ownerId, opts.limit ?? 50],
  );
  return result.rows;
}

/** Operator alerts (no owner) since `sinceMs` (epoch ms), newest first: for a banner shown to everyone. */
export async function listOperatorNotifications(q: Queryable, sinceMs: number): Promise<NotificationRow[]> {
  const result = await q.query<NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications WHERE owner_id IS NULL AND created_at >= to_timestamp($1 / 1000.0)
     ORDER BY created_at DESC, id LIMIT 20`,
    [sinceMs],
  );
  return result.rows;
}

/** Marks the user's notifications read (all of them when `ids` is omitted); returns how many changed. */
export async function markNotificationsRead(q: Queryable, ownerId: string, ids?: string[]): Promise<number> {
  const result = await q.query<{ id: string }>(
    `UPDATE notifications SET read_at = now()
     WHERE owner_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) RETURNING id`,
    [ownerId, ids ?? null],
  );
  return result.rows.length;
}

export async function countUnreadNotifications(q: Queryable, ownerId: string): Promise<number> {
  const result = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM notifications WHERE owner_id = $1 AND read_at IS NULL',
    [ownerId],
  );
  return result.rows[0]?.n ?? 0;
}

export interface ClaimedDelivery {
  notification: NotificationRow;
  channel: DeliveryChannel;
  attempts: number;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs` (compare-and-swap: two processes never send the
 * same one at once) and counts the attempt.
 */
export async function claimDeliveries(q: Queryable, leaseMs: number, limit = 20): Promise<ClaimedDelivery[]> {
  const result = await q.query<NotificationRow & { channel: DeliveryChannel; attempts: number }>(
    `WITH due AS (
       SELECT notification_id, channel FROM notification_deliveries
       WHERE status = 'pending' AND next_at <= now() AND (claimed_until IS NULL OR claimed_until <= now())
       ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE notification_deliveries d SET claimed_until = now() + $1 * interval '1 millisecond',
         attempts = d.attempts + 1
       FROM due WHERE d.notification_id = due.notification_id AND d.channel = due.channel
       RETURNING d.notification_id, d.channel, d.attempts)
     SELECT ${columns('n.')},
       c.channel, c.attempts
     FROM claimed c JOIN notifications n ON n.id = c.notification_id`,
    [leaseMs, limit],
  );
  return result.rows.map(({ channel, attempts, ...notification }) => ({ notification, channel, attempts }));
}

/** Records a delivery's result: delivered, failed for good, or due again at `retryAt` (epoch ms). */
export async function settleDelivery(
  q: Queryable,
  d: { notificationId: string; channel: DeliveryChannel },
  outcome: { status: 'delivered' } | { status: 'failed'; error: string } | { retryAt: number; error: string },
): Promise<void> {
  if ('retryAt' in outcome) {
    await q.query(
      `UPDATE notification_deliveries SET claimed_until = NULL, last_error = $3, next_at = to_timestamp($4 / 1000.0)
       WHERE notification_id = $1 AND channel = $2`,
      [d.notificationId, d.channel, outcome.error, outcome.retryAt],
    );
    return;
  }
  await q.query(
    `UPDATE notification_deliveries SET claimed_until = NULL, status = $3, last_error = $4,
       delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
     WHERE notification_id = $1 AND channel = $2`,
    [d.notificationId, d.channel, outcome.status, outcome.status === 'failed' ? outcome.error : null],
  );
}

/** Every delivery of a notification (tests, `rotor doctor`). */
export async function listDeliveries(
  q: Queryable,
  notificationId: string,
): Promise<{ channel: DeliveryChannel; status: string; attempts: number; lastError: string | null }[]> {
  const result = await q.query<{
    channel: DeliveryChannel;
    status: string;
    attempts: number;
    lastError: string | null;
  }>(
    `SELECT channel, status, attempts, last_error AS "lastError" FROM notification_deliveries
     WHERE notification_id = $1 ORDER BY channel`,
    [notificationId],
  );
  return result.rows;
}
