/** @module Compose (post now / schedule / queue, with images; a post or a thread), its live counter, and CSV import. */
import { Hono, type Context } from 'hono';
import { isRotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import { postUrl } from '../../x/client.ts';
import type { WebDeps } from '../deps.ts';
import { dueTimeProblem } from '../../core/due-time.ts';
import { formatInZone, isTimeZone } from '../format.ts';
import { currentZoneName, readWallClock } from '../time-zones.ts';
import { userMessage } from '../user-messages.ts';
import { viewOnXUrl } from '../feedback.ts';
import { ImportRejectedError, importCsv } from '../handlers/csv-import.ts';
import { findOwnedAccount, listAccountsFor } from '../handlers/accounts.ts';
import { createPost } from '../handlers/posts.ts';
import { listSchedulesFor } from '../handlers/schedules.ts';
import { sendToAccounts } from './compose-accounts.ts';
import { nextFreeSlots } from '../schedule-forms.ts';
import type { AccountOutcomeLine } from '../views/compose-accounts.ts';
import { composeView, type ComposeForm } from '../views/compose.ts';
import { page } from '../views/layout.ts';
import { importView } from '../views/misc.ts';
import { actorOf, field, files, sessionOf, signedIn } from './guard.ts';
import { partsAction, partsAfter, sentParts } from '../thread-form.ts';
import type { PageEnv } from './page-env.ts';

export function composeRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  for (const path of ['/compose', '/compose/*', '/import']) app.use(path, signedIn);

  const render = async (
    c: Context<PageEnv>,
    form: ComposeForm,
    message?: { text: string; kind: 'ok' | 'error'; link?: string; linkText?: string },
    status = 200,
    outcomes: AccountOutcomeLine[] = [],
  ) => {
    const v = c.get('view');
    const actor = actorOf(c);
    const accounts = await listAccountsFor(deps, actor);
    const userZone = sessionOf(c).timeZone !== null;
    // When a post added to each account's queue now would go out.
    const queues = await listSchedulesFor(deps, actor);
    const free = await nextFreeSlots(deps, actor.userId, queues);
    const nextFree = queues.flatMap((q) => {
      const at = free.get(q.id);
      return at === undefined ? [] : [{ username: q.username, at }];
    });
    return c.html(
      page(v, v.t('compose.title'), composeView(v, accounts, form, message, userZone, outcomes, nextFree)),
      status as 200,
    );
  };

  app.get('/compose', (c) => {
    const v = c.get('view');
    const done = c.req.query('done');
    const at = Number(c.req.query('at'));
    // The confirmation says the time in the zone the user picked, and names it.
    const tz = c.req.query('tz') ?? '';
    const zone = isTimeZone(tz) ? currentZoneName(tz) : v.timeZone;
    const user = c.req.query('user') ?? '';
    const message =
      done === 'scheduled' && Number.isFinite(at)
        ? v.t('compose.scheduled', { when: formatInZone(at, v.locale, zone) })
        : done === 'drafted'
          ? v.t('compose.drafted')
          : done === 'queued'
            ? v.t('compose.queued', { user }) +
              (c.req.query('slots') === '0' ? ` ${v.t('queue.noSlots', { user })}` : '')
            : undefined;
    const link = done === 'queued' && c.req.query('slots') === '0' ? '/schedules' : undefined;
    return render(
      c,
      {
        accountId: c.req.query('account'),
        ...(done === 'scheduled' && isTimeZone(tz) ? { timeZone: zone } : {}),
      },
      message
        ? { text: message, kind: 'ok', ...(link ? { link, linkText: v.t('queue.noSlotsLink') } : {}) }
        : undefined,
    );
  });

  app.get('/compose/count', (c) => {
    const check = checkText(c.req.query('text') ?? '');
    return c.json({ ok: check.ok, weightedLength: check.weightedLength });
  });

  app.post('/compose', async (c) => {
    const v = c.get('view');
    const body = await c.req.parseBody({ all: true });
    // Part 1 in `text` and `media` (a single post), parts 2… in `partText:N` and `partMedia:N`.
    const sent = await sentParts(body);
    const form: ComposeForm = {
      accountId: field(body, 'accountId'),
      text: sent[0]?.text ?? '',
      moreParts: sent.slice(1).map((p) => p.text),
      date: field(body, 'date'),
      time: field(body, 'time'),
      timeZone: field(body, 'timeZone'),
    };
    // "Also post to" other accounts (checkboxes), each with its own text if given.
    const alsoTo = ([] as unknown[])
      .concat(body.alsoTo ?? [])
      .filter((x): x is string => typeof x === 'string' && x !== form.accountId);
    const accountIds = [form.accountId ?? '', ...new Set(alsoTo)];
    const textFor = Object.fromEntries(
      Object.entries(body)
        .filter(([k, t]) => k.startsWith('textFor:') && typeof t === 'string' && t.trim() !== '')
        .map(([k, t]) => [k.slice('textFor:'.length), t as string]),
    );
    form.alsoTo = alsoTo;
    form.textFor = textFor;
    const textOf = (id: string) => (id === form.accountId ? form.text : textFor[id]) ?? form.text ?? '';
    // "Add part" / "Remove part N" without the page script: the form again, texts kept.
    const asked = partsAction(field(body, 'action'));
    if (asked) {
      const [first = '', ...more] = partsAfter(
        sent.map((p) => p.text),
        asked,
        '',
      );
      const again = sent.some((p) => p.hasFiles)
        ? { text: v.t('thread.filesAgain'), kind: 'error' as const }
        : undefined;
      return render(c, { ...form, text: first, moreParts: more }, again);
    }
    const thread = sent.length > 1;
    if (thread && accountIds.length > 1)
      return render(
        c,
        form,
        { text: v.t('compose.notPosted', { reason: v.t('thread.oneAccount') }), kind: 'error' },
        400,
      );
    const action = field(body, 'action');
    const mode =
      action === 'schedule'
        ? 'schedule'
        : action === 'queue'
          ? 'queue'
          : action === 'draft'
            ? 'draft'
            : 'now';
    let at: number | undefined;
    if (mode === 'schedule') {
      // Property 41: the zone the user picked goes back into the form with every refusal, and a
      // time that does not exist (a DST gap) or has passed is said before anything is saved.
      const zone = isTimeZone(form.timeZone ?? '') ? currentZoneName(form.timeZone ?? '') : undefined;
      const refuse = (text: string) =>
        render(
          c,
          { ...form, ...(zone ? { timeZone: zone } : { timeZone: undefined }) },
          { text: v.t('compose.notPosted', { reason: text }), kind: 'error' },
          400,
        );
      const wall = zone
        ? readWallClock(form.date ?? '', form.time ?? '', zone)
        : { kind: 'malformed' as const };
      if (wall.kind === 'malformed') return refuse(v.t('time.missing'));
      if (wall.kind === 'gap')
        return refuse(
          v.t('time.gap', {
            date: form.date ?? '',
            time: form.time ?? '',
            zone: zone ?? '',
            shifted: wall.shifted,
          }),
        );
      const problem = dueTimeProblem(wall.at, deps.clock.now());
      if (problem) return refuse(v.t(problem === 'past' ? 'time.past' : 'time.tooFar'));
      at = wall.at;
      form.timeZone = zone;
    }
    const media = sent[0]?.media ?? [];
    if (accountIds.length > 1) {
      const timed = at !== undefined ? { at: new Date(at).toISOString(), timeZone: form.timeZone ?? '' } : {};
      return sendToAccounts(deps, c, form, render, {
        posts: accountIds.map((id) => ({ accountId: id, text: textOf(id) })),
        common: { mode, ...timed, ...(media.length > 0 ? { media } : {}) },
      });
    }
    try {
      const { post, result } = await createPost(deps, actorOf(c), {
        accountId: form.accountId ?? '',
        ...(thread
          ? {
              parts: sent.map((p) => ({ text: p.text, ...(p.media.length > 0 ? { media: p.media } : {}) })),
            }
          : { text: form.text ?? '', ...(media.length > 0 ? { media } : {}) }),
        mode,
        ...(at !== undefined ? { at: new Date(at).toISOString(), timeZone: form.timeZone ?? '' } : {}),
      });
      if (mode === 'schedule')
        return c.redirect(
          `/compose?done=scheduled&at=${post.dueAt ?? at ?? ''}&tz=${encodeURIComponent(form.timeZone ?? '')}&account=${post.accountId}`,
          303,
        );
      if (mode === 'draft') return c.redirect(`/compose?done=drafted&account=${post.accountId}`, 303);
      const user = (await findOwnedAccount(deps, actorOf(c), post.accountId))?.username ?? '';
      if (mode === 'queue') {
        // A queue without slots posts nothing: say so where the post was added.
        const slots = (await listSchedulesFor(deps, actorOf(c))).some(
          (s) => s.kind === 'queue' && s.accountId === post.accountId && !s.paused,
        );
        return c.redirect(
          `/compose?done=queued&user=${encodeURIComponent(user)}&account=${post.accountId}${slots ? '' : '&slots=0'}`,
          303,
        );
      }
      if (result?.kind === 'published') {
        const link = viewOnXUrl(postUrl(user, result.xPostId), deps) ?? '';
        const said = thread ? v.t('thread.posted', { n: sent.length }) : v.t('compose.posted');
        return render(c, { accountId: post.accountId }, { text: said, kind: 'ok', link });
      }
      if (result?.kind === 'failed' && thread) {
        // A part X refused ends the thread there; the parts before it are on X, so the form is
        // not kept (sending it again would post them twice). The Posts page shows each part.
        const reason = userMessage(v.t, v.locale, result.reason);
        return render(
          c,
          { accountId: post.accountId },
          {
            text: v.t('compose.notPosted', { reason }),
            kind: 'error',
            link: '/posts?view=history',
            linkText: v.t('posts.title'),
          },
          422,
        );
      }
      if (result?.kind === 'failed') {
        // Final: X refused it. The text stays in the form to fix and send again.
        return render(
          c,
          form,
          {
            text: v.t('compose.notPosted', { reason: userMessage(v.t, v.locale, result.reason) }),
            kind: 'error',
          },
          422,
        );
      }
      // Rescheduled (X's limit), blocked (the account needs reconnecting) or outcome unknown: the
      // post is kept and Rotor goes on with it. The form is cleared, so that sending it again
      // cannot make a second post.
      const next =
        result?.kind === 'blocked' ? 'blocked' : result?.kind === 'rescheduled' ? 'retrying' : 'checking';
      return c.redirect(
        `/posts?view=${next === 'retrying' || next === 'blocked' ? 'upcoming' : 'history'}&done=${next}`,
        303,
      );
    } catch (e) {
      if (
        isRotorError(e, 'invalid_input') ||
        isRotorError(e, 'invalid_media') ||
        isRotorError(e, 'not_found')
      )
        return render(
          c,
          form,
          {
            text: v.t('compose.notPosted', { reason: userMessage(v.t, v.locale, e.message) }),
            kind: 'error',
          },
          400,
        );
      throw e;
    }
  });

  app.get('/import', async (c) => {
    const v = c.get('view');
    const accounts = await listAccountsFor(deps, actorOf(c));
    const done = Number(c.req.query('done'));
    return c.html(
      page(
        v,
        v.t('import.title'),
        importView(
          v,
          accounts,
          Number.isFinite(done) && c.req.query('done') ? { done } : undefined,
          deps.clock.now(),
        ),
      ),
    );
  });

  app.post('/import', async (c) => {
    const v = c.get('view');
    const body = await c.req.parseBody({ all: true });
    const [file] = files(body, 'file');
    const accounts = await listAccountsFor(deps, actorOf(c));
    const zone = currentZoneName(field(body, 'timeZone'));
    try {
      const csv = file ? new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()) : '';
      const { scheduled, queued } = await importCsv(deps, actorOf(c), csv, {
        accountId: field(body, 'accountId'),
        timeZone: isTimeZone(zone) ? zone : v.timeZone,
      });
      return c.redirect(`/import?done=${scheduled + queued}`, 303);
    } catch (e) {
      const lines =
        e instanceof ImportRejectedError
          ? e.lines
          : isRotorError(e, 'not_found') || isRotorError(e, 'invalid_input')
            ? [{ line: 0, message: e.message }]
            : e instanceof TypeError
              ? [{ line: 0, message: 'the file is not UTF-8 text' }]
              : undefined;
      if (!lines) throw e;
      const said = lines.map((l) => ({ ...l, message: userMessage(v.t, v.locale, l.message) }));
      return c.html(
        page(v, v.t('import.title'), importView(v, accounts, { lines: said }, deps.clock.now())),
        400,
      );
    }
  });

  return app;
}
