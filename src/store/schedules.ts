/** @module Recurring schedules and queues in SQL; `next_at` (UTC) is advanced by compare-and-swap. */
import type { Queryable } from './db.ts';

export interface ScheduleRow {
  id: string;
  accountId: string;
  kind: 'recurring' | 'queue';
  cron: string;
  tz: string;
  template: string | null;
  counter: number;
  paused: boolean;
  nextAt: number | null;
}

const COLUMNS = `id, account_id AS "accountId", kind, cron, tz, template, counter, paused,
  (extract(epoch FROM next_at) * 1000)::float8 AS "nextAt"`;

export async function insertSchedule(
  q: Queryable,
  s: {
    accountId: string;
    kind: 'recurring' | 'queue';
    cron: string;
    tz: string;
    template?: string;
    nextAt: number;
  },
): Promise<ScheduleRow> {
  const result = await q.query<ScheduleRow>(
    `INSERT INTO schedules (account_id, kind, cron, tz, template, next_at)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
     ON CONFLICT (account_id) WHERE kind = 'queue'
       DO UPDATE SET cron = EXCLUDED.cron, tz = EXCLUDED.tz, next_at = EXCLUDED.next_at, updated_at = now()
     RETURNING ${COLUMNS}`,
    [s.accountId, s.kind, s.cron, s.tz, s.template ?? null, s.nextAt],
  );
  const row = result.rows[0];
  if (!row) throw new Error('inserting the schedule returned no row');
  return row;
}

export async function getSchedule(q: Queryable, id: string): Promise<ScheduleRow | undefined> {
  return (await q.query<ScheduleRow>(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id])).rows[0];
}

export async function listSchedules(q: Queryable, accountId?: string): Promise<ScheduleRow[]> {
  const result = await q.query<ScheduleRow>(
    `SELECT ${COLUMNS} FROM schedules ${accountId ? 'WHERE account_id = $1' : ''} ORDER BY created_at`,
    accountId ? [accountId] : [],
  );
  return result.rows;
}

/** Moves `next_at` from `at` to `next` (and the counter on) if nobody did it first. */
export async function advanceSchedule(
  q: Queryable,
  id: string,
  at: number,
  next: number,
): Promise<ScheduleRow | undefined> {
  const result = await q.query<ScheduleRow>(
    `UPDATE schedules SET next_at = to_timestamp($3 / 1000.0), counter = counter + 1, updated_at = now()
     WHERE id = $1 AND next_at = to_timestamp($2 / 1000.0) AND NOT paused RETURNING ${COLUMNS}`,
    [id, at, next],
  );
  return result.rows[0];
}

export async function setPaused(
  q: Queryable,
  id: string,
  paused: boolean,
  nextAt?: number,
): Promise<boolean> {
  const result = await q.query(
    `UPDATE schedules SET paused = $2, next_at = COALESCE(to_timestamp($3 / 1000.0), next_at), updated_at = now()
     WHERE id = $1 RETURNING id`,
    [id, paused, nextAt ?? null],
  );
  return result.rows.length === 1;
}

/** Active schedules whose next occurrence is due by `until` (the sweeper's list). */
export async function dueSchedules(q: Queryable, until: number): Promise<ScheduleRow[]> {
  const result = await q.query<ScheduleRow>(
    `SELECT ${COLUMNS} FROM schedules WHERE NOT paused AND next_at <= to_timestamp($1 / 1000.0) ORDER BY next_at LIMIT 500`,
    [until],
  );
  return result.rows;
}

/** Schedules of every account of one owner, with the account's username. */
export async function listOwnerSchedules(
  q: Queryable,
  ownerId: string,
): Promise<(ScheduleRow & { username: string })[]> {
  const result = await q.query<ScheduleRow & { username: string }>(
    `SELECT s.id, s.account_id AS "accountId", s.kind, s.cron, s.tz, s.template, s.counter, s.paused,
       (extract(epoch FROM s.next_at) * 1000)::float8 AS "nextAt", a.username
     FROM schedules s JOIN accounts a ON a.id = s.account_id WHERE a.owner_id = $1
     ORDER BY lower(a.username), s.kind, s.created_at`,
    [ownerId],
  );
  return result.rows;
}

/** Deletes a schedule; posts it made keep their history (their `schedule_id` becomes null). */
export async function deleteSchedule(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM schedules WHERE id = $1 RETURNING id', [id])).rows.length === 1;
}
