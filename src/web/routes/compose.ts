/** @module Compose (post now / schedule / queue, with images), its live counter, and CSV import. */
import { Hono, type Context } from 'hono';
import { isRotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import { findAccount, listAccounts } from '../../store/accounts.ts';
import { postUrl } from '../../x/client.ts';
import type { WebDeps } from '../deps.ts';
import { formatInstant, isTimeZone, zonedToInstant } from '../format.ts';
import { ImportRejectedError, importCsv } from '../handlers/csv-import.ts';
import { createPost } from '../handlers/posts.ts';
import { composeView, type ComposeForm } from '../views/compose.ts';
import { page } from '../views/layout.ts';
import { importView } from '../views/misc.ts';
import { actorOf, field, files, sessionOf, signedIn } from './guard.ts';
import type { PageEnv } from './page-env.ts';

export function composeRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  for (const path of ['/compose', '/compose/*', '/import']) app.use(path, signedIn);

  const render = async (
    c: Context<PageEnv>,
    form: ComposeForm,
    message?: { text: string; kind: 'ok' | 'error'; link?: string },
    status = 200,
  ) => {
    const v = c.get('view');
    const accounts = await listAccounts(deps.db, sessionOf(c).userId);
    const userZone = sessionOf(c).timeZone !== null;
    return c.html(
      page(v, v.t('compose.title'), composeView(v, accounts, form, message, userZone)),
      status as 200,
    );
  };

  app.get('/compose', (c) => {
    const v = c.get('view');
    const done = c.req.query('done');
    const at = Number(c.req.query('at'));
    const message =
      done === 'scheduled' && Number.isFinite(at)
        ? v.t('compose.scheduled', { when: formatInstant(at, v.locale, v.timeZone) })
        : done === 'queued'
          ? v.t('compose.queued', { user: c.req.query('user') ?? '' })
          : undefined;
    return render(
      c,
      { accountId: c.req.query('account') },
      message ? { text: message, kind: 'ok' } : undefined,
    );
  });

  app.get('/compose/count', (c) => {
    const check = checkText(c.req.query('text') ?? '');
    return c.json({ ok: check.ok, weightedLength: check.weightedLength });
  });

  app.post('/compose', async (c) => {
    const v = c.get('view');
    const body = await c.req.parseBody({ all: true });
    const form: ComposeForm = {
      accountId: field(body, 'accountId'),
      text: field(body, 'text'),
      date: field(body, 'date'),
      time: field(body, 'time'),
      timeZone: field(body, 'timeZone'),
    };
    const action = field(body, 'action');
    const mode = action === 'schedule' ? 'schedule' : action === 'queue' ? 'queue' : 'now';
    let at: number | undefined;
    if (mode === 'schedule') {
      const zone = form.timeZone ?? '';
      at = isTimeZone(zone) ? zonedToInstant(form.date ?? '', form.time ?? '', zone) : undefined;
      if (at === undefined)
        return render(
          c,
          form,
          {
            text: v.t('compose.notPosted', { reason: 'choose a date, a time and a time zone' }),
            kind: 'error',
          },
          400,
        );
    }
    const media = await Promise.all(
      files(body, 'media').map(async (f) => Buffer.from(await f.arrayBuffer()).toString('base64')),
    );
    try {
      const { post, result } = await createPost(deps, actorOf(c), {
        accountId: form.accountId ?? '',
        text: form.text ?? '',
        mode,
        ...(at !== undefined ? { at: new Date(at).toISOString() } : {}),
        ...(media.length > 0 ? { media } : {}),
      });
      if (mode === 'schedule')
        return c.redirect(
          `/compose?done=scheduled&at=${post.dueAt ?? at ?? ''}&account=${post.accountId}`,
          303,
        );
      const user = (await findAccount(deps.db, { id: post.accountId }))?.username ?? '';
      if (mode === 'queue') {
        return c.redirect(
          `/compose?done=queued&user=${encodeURIComponent(user)}&account=${post.accountId}`,
          303,
        );
      }
      if (result?.kind === 'published') {
        const link = postUrl(user, result.xPostId);
        return render(c, { accountId: post.accountId }, { text: v.t('compose.posted'), kind: 'ok', link });
      }
      if (result?.kind === 'failed') {
        // Final: X refused it. The text stays in the form to fix and send again.
        return render(
          c,
          form,
          { text: v.t('compose.notPosted', { reason: result.reason }), kind: 'error' },
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
      if (isRotorError(e, 'invalid_input') || isRotorError(e, 'not_found'))
        return render(c, form, { text: v.t('compose.notPosted', { reason: e.message }), kind: 'error' }, 400);
      throw e;
    }
  });

  app.get('/import', async (c) => {
    const v = c.get('view');
    const accounts = await listAccounts(deps.db, sessionOf(c).userId);
    const done = Number(c.req.query('done'));
    return c.html(
      page(
        v,
        v.t('import.title'),
        importView(v, accounts, Number.isFinite(done) && c.req.query('done') ? { done } : undefined),
      ),
    );
  });

  app.post('/import', async (c) => {
    const v = c.get('view');
    const body = await c.req.parseBody({ all: true });
    const [file] = files(body, 'file');
    const accounts = await listAccounts(deps.db, sessionOf(c).userId);
    const zone = field(body, 'timeZone');
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
      return c.html(page(v, v.t('import.title'), importView(v, accounts, { lines })), 400);
    }
  });

  return app;
}
