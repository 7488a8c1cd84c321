/**
 * @module `rotor post`, `rotor schedule`, `rotor queue …`, `rotor schedules …`, `rotor posts list`,
 * `rotor worker`. Interface fixed (see docs/cli.md).
 */
import { boundHeapGrowth } from '../ops/heap.ts';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { collect } from './options.ts';
import { DUE_TIME_MESSAGES, dueTimeProblem } from '../core/due-time.ts';
import { systemClock } from '../core/clock.ts';
import { isRotorError } from '../core/errors.ts';
import { listPosts, listQueue, type PostStatus } from '../store/posts.ts';
import { listSchedules } from '../store/schedules.ts';
import { partsOfThread, threadParts } from '../store/threads.ts';
import { currentPart } from '../scheduler/threads.ts';
import { accountIdOf, openPostingRuntime, type PostingRuntime } from './posting.ts';
import { closeOnSignal } from './emulator-command.ts';
import { fail } from './runtime.ts';
import { partLines, readThread, threadConflicts } from './thread-input.ts';
import type { PublishResult } from '../scheduler/publisher.ts';

async function run(command: string, fn: (rt: PostingRuntime) => Promise<void>): Promise<void> {
  const rt = await openPostingRuntime(command);
  try {
    await fn(rt);
  } catch (e) {
    if (isRotorError(e)) fail(command, e.message, 1);
    throw e;
  } finally {
    await rt.close();
  }
}

/** Reads `--media` files, failing with a clear message. */
function readMedia(command: string, files: string[] | undefined): Uint8Array[] {
  return (files ?? []).map((file) => {
    try {
      return readFileSync(file);
    } catch (e) {
      fail(command, `cannot read --media ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function postCommand(): Command {
  return new Command('post')
    .description('post now (a thread with --thread FILE)')
    .argument('<username>')
    .argument('[text]')
    .option('--reply-to <postId>', 'reply to this post')
    .option(
      '--media <file>',
      'attach media: up to 4 images (PNG, JPEG, WebP), or 1 GIF, or 1 MP4 video',
      collect,
    )
    .option('--thread <file>', 'post a thread: its parts in FILE, separated by a line with ---')
    .action(
      async (
        username: string,
        text: string | undefined,
        opts: { replyTo?: string; media?: string[]; thread?: string },
      ) => {
        if (opts.thread !== undefined) return postThread(username, opts.thread, { text, ...opts });
        // Exit 1, as when commander itself found the argument missing (before --thread existed).
        if (text === undefined) fail('post', 'give the text (or --thread FILE)', 1);
        const media = readMedia('post', opts.media);
        await run('post', async (rt) => {
          const { post, result } = await rt.service.postNow(
            await accountIdOf(rt, 'post', username),
            text,
            opts.replyTo,
            media,
          );
          if (result.kind === 'published') {
            const row = (await listPosts(rt.db, { accountId: post.accountId, limit: 50 })).find(
              (p) => p.id === post.id,
            );
            console.log(`Published: ${row?.xUrl ?? result.xPostId}`);
            return;
          }
          notPublished('post', result);
        });
      },
    );
}

/** A post now that did not go out: rescheduled (said, exit 0), or why not (exit 3 blocked, else 1). */
function notPublished(command: string, result: PublishResult): void {
  const why = 'reason' in result ? result.reason : result.kind;
  if (result.kind === 'rescheduled')
    console.log(`Not yet: ${why}; it will be retried at ${iso(result.dueAt)}`);
  else fail(command, `${result.kind}: ${why}`, result.kind === 'blocked' ? 3 : 1);
}

/** `rotor post USERNAME --thread FILE`: every part now, in order, each line saying its fate. */
async function postThread(
  username: string,
  file: string,
  given: { text?: string; media?: string[]; replyTo?: string },
): Promise<void> {
  threadConflicts('post', given);
  const parts = readThread('post', file);
  await run('post', async (rt) => {
    const { post, result } = await rt.service.createThread(await accountIdOf(rt, 'post', username), parts, {
      mode: 'now',
    });
    const stored = await partsOfThread(rt.db, post.id);
    const head = stored[0];
    if (result?.kind === 'published' && stored.every((p) => p.status === 'published'))
      console.log(`Published thread: ${head?.xUrl ?? head?.xPostId ?? post.id} (${stored.length} parts)`);
    else console.log(`Thread ${post.id}: not every part is published yet`);
    for (const line of partLines(stored)) console.log(line);
    if (result && result.kind !== 'published') notPublished('post', result);
  });
}

export function scheduleCommand(): Command {
  return new Command('schedule')
    .description(
      'post at a time (--at; a thread with --thread FILE), or recurring (--cron with --tz, the text a template)',
    )
    .argument('<username>')
    .argument('[text]')
    .option('--at <iso-time>', 'when, e.g. 2026-12-01T09:00:00+09:00')
    .option('--cron <expression>', 'recurring: 5-field cron, e.g. "0 9 * * 1-5"')
    .option('--tz <zone>', 'IANA time zone of --cron, e.g. Asia/Tokyo', 'UTC')
    .option('--media <file>', 'with --at: attach media (up to 4 images, or 1 GIF, or 1 MP4 video)', collect)
    .option('--thread <file>', 'with --at: a thread, its parts in FILE separated by a line with ---')
    .action(
      async (
        username: string,
        text: string | undefined,
        opts: { at?: string; cron?: string; tz: string; media?: string[]; thread?: string },
      ) => {
        if (opts.thread !== undefined) threadConflicts('schedule', { text, ...opts });
        else if (text === undefined) fail('schedule', 'give the text (or --thread FILE)', 1);
        if ((opts.at === undefined) === (opts.cron === undefined))
          fail('schedule', 'give exactly one of --at or --cron');
        if (opts.at !== undefined) {
          // The web app's and the API's rule, in their words: a past time is refused, before
          // anything is opened or saved.
          const problem = dueTimeProblem(Date.parse(opts.at), systemClock.now());
          if (problem) fail('schedule', `--at ${opts.at}: ${DUE_TIME_MESSAGES[problem]}`);
        }
        const thread = opts.thread !== undefined ? readThread('schedule', opts.thread) : undefined;
        await run('schedule', async (rt) => {
          const accountId = await accountIdOf(rt, 'schedule', username);
          if (opts.at !== undefined) {
            const at = Date.parse(opts.at);
            if (Number.isNaN(at)) fail('schedule', `--at is not an ISO 8601 time: "${opts.at}"`);
            if (thread) {
              const { post } = await rt.service.createThread(accountId, thread, { mode: 'schedule', at });
              const stored = await partsOfThread(rt.db, post.id);
              console.log(`Scheduled thread ${post.id} for ${iso(post.dueAt)} (${stored.length} parts)`);
              for (const line of partLines(stored)) console.log(line);
              return;
            }
            const post = await rt.service.schedulePost(
              accountId,
              text ?? '',
              at,
              undefined,
              readMedia('schedule', opts.media),
            );
            console.log(`Scheduled ${post.id} for ${iso(post.dueAt)}`);
          } else {
            const s = await rt.service.createRecurring(accountId, opts.cron ?? '', opts.tz, text ?? '');
            console.log(`Recurring schedule ${s.id}: "${s.cron}" in ${s.tz}, next at ${iso(s.nextAt)}`);
          }
        });
      },
    );
}

export function queueCommand(): Command {
  const queue = new Command('queue').description("an account's queue: posts published in order at its slots");
  queue.addCommand(
    new Command('add')
      .argument('<username>')
      .argument('<text>')
      .description('add a post to the end of the queue')
      .action(async (username: string, text: string) => {
        await run('queue add', async (rt) => {
          const post = await rt.service.addToQueue(await accountIdOf(rt, 'queue add', username), text);
          console.log(`Queued ${post.id}`);
        });
      }),
  );
  queue.addCommand(
    new Command('slots')
      .argument('<username>')
      .description('set the posting slots, e.g. --cron "0 9,18 * * 1-5" --tz Asia/Tokyo')
      .requiredOption('--cron <expression>', 'when the slots are')
      .option('--tz <zone>', 'IANA time zone', 'UTC')
      .action(async (username: string, opts: { cron: string; tz: string }) => {
        await run('queue slots', async (rt) => {
          const s = await rt.service.setQueueSlots(
            await accountIdOf(rt, 'queue slots', username),
            opts.cron,
            opts.tz,
          );
          console.log(`Queue slots "${s.cron}" in ${s.tz}; next slot ${iso(s.nextAt)}`);
        });
      }),
  );
  queue.addCommand(
    new Command('list')
      .argument('<username>')
      .option('--json', 'print JSON')
      .description('the queued posts, in order')
      .action(async (username: string, opts: { json?: boolean }) => {
        await run('queue list', async (rt) => {
          const accountId = await accountIdOf(rt, 'queue list', username);
          const drafts = await listQueue(rt.db, accountId);
          if (opts.json)
            console.log(
              JSON.stringify(
                drafts.map((d) => ({ id: d.id, text: d.text })),
                null,
                2,
              ),
            );
          else drafts.forEach((d, i) => console.log(`${i + 1}. ${d.text}`));
        });
      }),
  );
  return queue;
}

export function schedulesCommand(): Command {
  const cmd = new Command('schedules').description('recurring schedules and queues');
  cmd.addCommand(
    new Command('list').option('--json', 'print JSON').action(async (opts: { json?: boolean }) => {
      await run('schedules list', async (rt) => {
        const rows = await listSchedules(rt.db);
        const out = rows.map((s) => ({ ...s, nextAt: iso(s.nextAt) }));
        if (opts.json) console.log(JSON.stringify(out, null, 2));
        else
          for (const s of out)
            console.log(
              `${s.id}\t${s.kind}\t"${s.cron}" ${s.tz}\t${s.paused ? 'paused' : `next ${s.nextAt}`}`,
            );
      });
    }),
  );
  for (const action of ['pause', 'resume'] as const) {
    cmd.addCommand(
      new Command(action).argument('<scheduleId>').action(async (id: string) => {
        await run(`schedules ${action}`, async (rt) => {
          await rt.service[action](id);
          console.log(`${action === 'pause' ? 'Paused' : 'Resumed'} ${id}`);
        });
      }),
    );
  }
  return cmd;
}

export function postsCommand(): Command {
  return new Command('posts').description('posts and their status').addCommand(
    new Command('list')
      .option(
        '--json',
        'print JSON: [{ id, username, status, text, dueAt, postId, url, reason, attempts, parts? }]',
      )
      .option('--status <status>', 'only this status')
      .option('--limit <n>', 'how many (newest first)', '200')
      .action(async (opts: { json?: boolean; status?: PostStatus; limit: string }) => {
        await run('posts list', async (rt) => {
          const rows = await listPosts(rt.db, {
            ...(opts.status ? { status: opts.status } : {}),
            limit: Number(opts.limit) || 200,
          });
          const threads = await threadParts(
            rt.db,
            rows.flatMap((p) => (p.threadId === null ? [] : [p.threadId])),
          );
          const out = rows.map((p) => {
            // A thread: listed once, by the part that says where it stands, with its parts.
            const parts = p.threadId === null ? undefined : threads.get(p.threadId);
            const now = (parts && currentPart(parts)) ?? p;
            return {
              id: p.id,
              username: p.username,
              status: now.status,
              text: p.text,
              dueAt: iso(now.dueAt),
              postId: p.xPostId,
              url: p.xUrl,
              reason: now.reason,
              retryable: now.retryable,
              attempts: p.attempts,
              ...(parts
                ? {
                    parts: parts.map((part) => ({
                      text: part.text,
                      status: part.status,
                      postId: part.xPostId,
                      url: part.xUrl,
                      reason: part.reason,
                    })),
                  }
                : {}),
            };
          });
          if (opts.json) console.log(JSON.stringify(out, null, 2));
          else
            for (const p of out)
              console.log(
                `${p.dueAt ?? '-'}\t@${p.username}\t${p.status}\t${p.url ?? p.reason ?? ''}\t${p.text.slice(0, 40)}`,
              );
        });
      }),
  );
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('run the posting workers (start many, on many machines, against one PostgreSQL)')
    .action(async () => {
      const rt = await openPostingRuntime('worker', { work: true });
      if (rt.db.kind === 'pglite') {
        console.error(
          'rotor worker: using the embedded database (one process); set DATABASE_URL to run many workers.',
        );
      }
      console.log(`rotor worker ${process.pid} running`);
      boundHeapGrowth(); // once started: start-up itself grows the heap fastest
      closeOnSignal(() => rt.close());
    });
}
