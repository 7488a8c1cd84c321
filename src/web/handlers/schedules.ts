/** @module Recurring schedules and queue slots for their owner: list, create, pause, resume, delete. */
import { RotorError } from '../../core/errors.ts';
import { deleteSchedule, getSchedule, listOwnerSchedules, type ScheduleRow } from '../../store/schedules.ts';
import { isUuid, requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import type { CreateScheduleInput } from '../schemas.ts';
import { ownedAccount } from './accounts.ts';

export async function listSchedulesFor(
  deps: WebDeps,
  actor: Actor,
): Promise<(ScheduleRow & { username: string })[]> {
  requirePermission(actor, 'schedules:read');
  return listOwnerSchedules(deps.db, actor.userId);
}

export async function createSchedule(
  deps: WebDeps,
  actor: Actor,
  input: CreateScheduleInput,
): Promise<ScheduleRow> {
  requirePermission(actor, 'schedules:write');
  const account = await ownedAccount(deps, actor, input.accountId);
  if (input.kind === 'queue') return deps.service.setQueueSlots(account.id, input.cron, input.timeZone);
  if (input.template === undefined || input.template.trim() === '')
    throw new RotorError('invalid_input', 'a recurring schedule needs its text ("template")');
  return deps.service.createRecurring(account.id, input.cron, input.timeZone, input.template);
}

async function ownedSchedule(deps: WebDeps, actor: Actor, id: string): Promise<ScheduleRow> {
  const schedule = isUuid(id) ? await getSchedule(deps.db, id) : undefined;
  const mine = schedule && (await ownedAccount(deps, actor, schedule.accountId).catch(() => undefined));
  if (!schedule || !mine) throw new RotorError('not_found', 'no such schedule among yours');
  return schedule;
}

export async function setScheduleState(
  deps: WebDeps,
  actor: Actor,
  id: string,
  action: 'pause' | 'resume' | 'delete',
): Promise<ScheduleRow | undefined> {
  requirePermission(actor, 'schedules:write');
  const schedule = await ownedSchedule(deps, actor, id);
  if (action === 'delete') {
    if (!(await deleteSchedule(deps.db, id)))
      throw new RotorError('conflict', 'the schedule is already gone');
    return undefined;
  }
  if (action === 'pause') await deps.service.pause(schedule.id);
  else await deps.service.resume(schedule.id);
  return getSchedule(deps.db, id);
}
