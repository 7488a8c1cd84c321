/**
 * @module Bulk import of posts from CSV: a header line, then one post per line. Columns: `text`
 * (required); `at` (`YYYY-MM-DD HH:MM`) with `time_zone` schedules it; without `at` it joins the
 * queue; `account` (a username) picks another of the owner's accounts. Every line is checked
 * first: one bad line imports nothing, and the answer names each bad line.
 */
import { parse } from 'csv-parse/sync';
import { RotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import { listAccounts } from '../../store/accounts.ts';
import { requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import { dueTimeProblem } from '../../core/due-time.ts';
import { gapMessage, isTimeZone } from '../format.ts';
import { readWallClock } from '../time-zones.ts';
import { ownedAccount } from './accounts.ts';

export const MAX_IMPORT_LINES = 1000;

export interface ImportLineError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  message: string;
}

interface PlannedPost {
  accountId: string;
  text: string;
  at: number | undefined;
}

export class ImportRejectedError extends RotorError {
  readonly lines: ImportLineError[];
  constructor(lines: ImportLineError[]) {
    super('invalid_input', `${lines.length} line(s) of the CSV are not valid; nothing was imported`);
    this.lines = lines;
  }
}

/** Reads and checks the whole file; throws {@link ImportRejectedError} naming every bad line. */
export async function planImport(
  deps: WebDeps,
  actor: Actor,
  csv: string,
  defaults: { accountId: string; timeZone: string },
): Promise<PlannedPost[]> {
  let records: Record<string, string>[];
  try {
    records = parse<Record<string, string>>(csv.replace(/^\uFEFF/, ''), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: false,
      trim: false,
    });
  } catch (e) {
    throw new ImportRejectedError([{ line: 0, message: `not a CSV file: ${(e as Error).message}` }]);
  }
  if (records.length === 0) throw new ImportRejectedError([{ line: 0, message: 'the file has no posts' }]);
  if (records.length > MAX_IMPORT_LINES)
    throw new ImportRejectedError([{ line: 0, message: `at most ${MAX_IMPORT_LINES} posts per file` }]);
  if (!('text' in (records[0] ?? {})))
    throw new ImportRejectedError([{ line: 1, message: 'the header line must name a "text" column' }]);
  const mine = new Map(
    (await listAccounts(deps.db, actor.userId)).map((a) => [a.username.toLowerCase(), a.id]),
  );
  const errors: ImportLineError[] = [];
  const planned: PlannedPost[] = [];
  const now = deps.clock.now();
  records.forEach((r, i) => {
    const line = i + 2;
    const text = r.text ?? '';
    const check = checkText(text);
    if (!check.ok) errors.push({ line, message: check.message });
    let accountId = defaults.accountId;
    const username = (r.account ?? '').trim().replace(/^@/, '').toLowerCase();
    if (username !== '') {
      const id = mine.get(username);
      if (id === undefined) errors.push({ line, message: `@${username} is not one of your accounts` });
      else accountId = id;
    }
    let at: number | undefined;
    const when = (r.at ?? '').trim();
    if (when !== '') {
      const zone = (r.time_zone ?? '').trim() || defaults.timeZone;
      const [date = '', time = ''] = when.split(/[ T]/);
      if (!isTimeZone(zone)) errors.push({ line, message: `"${zone}" is not a time zone` });
      else {
        const wall = readWallClock(date, time, zone);
        if (wall.kind === 'malformed')
          errors.push({ line, message: `"${when}" is not a date and time (YYYY-MM-DD HH:MM)` });
        else if (wall.kind === 'gap')
          errors.push({ line, message: gapMessage(date, time, zone, wall.shifted) });
        else if (dueTimeProblem(wall.at, now) === 'past')
          errors.push({ line, message: `${when} is in the past` });
        else at = wall.at;
      }
    }
    planned.push({ accountId, text, at });
  });
  if (errors.length > 0) throw new ImportRejectedError(errors);
  return planned;
}

/** Imports a checked file in one transaction: scheduled lines are scheduled, the others join their account's queue. */
export async function importCsv(
  deps: WebDeps,
  actor: Actor,
  csv: string,
  defaults: { accountId: string; timeZone: string },
): Promise<{ scheduled: number; queued: number }> {
  requirePermission(actor, 'posts:write');
  await ownedAccount(deps, actor, defaults.accountId);
  const plan = await planImport(deps, actor, csv, defaults);
  const rows = await deps.service.importPosts(plan);
  const scheduled = rows.filter((r) => r.status === 'scheduled').length;
  const queued = rows.length - scheduled;
  return { scheduled, queued };
}
