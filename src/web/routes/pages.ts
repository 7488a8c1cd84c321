/** @module The signed-in pages: dashboard, posts, schedules (reading, and the small actions on them). */
import { Hono, type Context } from 'hono';
import { isRotorError } from '../../core/errors.ts';
import type { PostRow } from '../../store/posts.ts';
import { currentPart } from '../../scheduler/threads.ts';
import type { WebDeps } from '../deps.ts';
import type { MessageKey } from '../i18n.ts';
import { disconnect, findOwnedAccount, listAccountsFor } from '../handlers/accounts.ts';
import { dashboardFor } from '../handlers/dashboard.ts';
import { markNotificationsReadFor } from '../handlers/notifications.ts';
import { cancelPostFor, listPostsFor } from '../handlers/posts.ts';
import { createSchedule, listSchedulesFor, setScheduleState } from '../handlers/schedules.ts';
import { CreateScheduleInput } from '../schemas.ts';
import { cronFromForm, nextFreeSlots } from '../schedule-forms.ts';
import { dashboardView } from '../views/dashboard.ts';
import { page } from '../views/layout.ts';
import { postsView, type PostsTab } from '../views/posts.ts';
import { schedulesView } from '../views/schedules.ts';
import { actorOf, field, signedIn } from './guard.ts';
import type { PageEnv } from './page-env.ts';
import { errorView } from '../views/misc.ts';
import { flashText, viewOnXUrl, withFlash } from '../feedback.ts';
import { userMessage } from '../user-messages.ts';

export function pageRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  app.use('/', signedIn);
  app.use('/accounts/:id/*', signedIn);
  app.use('/posts', signedIn);
  app.use('/posts/*', signedIn);
  app.use('/schedules', signedIn);
  app.use('/schedules/*', signedIn);

  app.get('/', async (c) => {
    const v = c.get('view');
    const dashboard = await dashboardFor(deps, actorOf(c));
    return c.html(
      page(
        v,
        v.t('dash.title'),
        dashboardView(v, {
          ...dashboard,
          flash: flashText(v.t, (n) => c.req.query(n)),
          wrongAccount: wrongAccount(c.req.query('got'), c.req.query('want')),
        }),
      ),
    );
  });

  app.use('/notifications/*', signedIn);
  app.post('/notifications/read', async (c) => {
    await markNotificationsReadFor(deps, actorOf(c));
    return c.redirect(withFlash('/', 'read'), 303);
  });

  app.post('/accounts/:id/disconnect', async (c) => {
    const account = await findOwnedAccount(deps, actorOf(c), c.req.param('id')).catch(() => undefined);
    await disconnect(deps, actorOf(c), c.req.param('id'));
    return c.redirect(withFlash('/', 'disconnected', { user: account?.username ?? '' }), 303);
  });

  app.get('/posts', async (c) => {
    const v = c.get('view');
    const view = c.req.query('view');
    const tab: PostsTab = view === 'queue' || view === 'history' || view === 'drafts' ? view : 'upcoming';
    const actor = actorOf(c);
    const posts =
      tab === 'upcoming'
        ? await listPostsFor(deps, actor, {
            statuses: ['scheduled', 'publishing', 'blocked'],
            ascending: true,
          })
        : tab === 'queue' || tab === 'drafts'
          ? await listPostsFor(deps, actor, {
              statuses: [tab === 'queue' ? 'queued' : 'draft'],
              ascending: true,
            })
          : await listPostsFor(deps, actor, { statuses: ['published', 'failed', 'unknown', 'cancelled'] });
    const notices: Record<string, MessageKey> = {
      cancelled: 'posts.cancelled',
      edited: 'posts.edited',
      retrying: 'compose.retrying',
      blocked: 'compose.blocked',
      checking: 'compose.checking',
    };
    const key = notices[c.req.query('done') ?? ''];
    const done = key ? v.t(key) : undefined;
    const said = <T extends PostRow>(p: T): T => ({
      ...p,
      xUrl: viewOnXUrl(p.xUrl, deps),
      reason: p.reason === null ? null : userMessage(v.t, v.locale, p.reason),
    });
    // A thread's row says where it stands (its current part's reason), and lists its parts.
    const shown = posts.map((p) =>
      p.parts
        ? {
            ...said(p),
            reason: said(currentPart(p.parts) ?? p).reason,
            parts: p.parts.map(said),
          }
        : said(p),
    );
    return c.html(page(v, v.t('posts.title'), postsView(v, tab, shown, done)));
  });

  app.post('/posts/:id/cancel', async (c) => {
    const v = c.get('view');
    try {
      await cancelPostFor(deps, actorOf(c), c.req.param('id'));
    } catch (e) {
      if (isRotorError(e, 'conflict') || isRotorError(e, 'not_found'))
        return c.html(
          page(v, v.t('error.title'), errorView(v, userMessage(v.t, v.locale, e.message))),
          isRotorError(e, 'conflict') ? 409 : 404,
        );
      throw e;
    }
    return c.redirect('/posts?done=cancelled', 303);
  });

  const schedulesPage = async (
    c: Context<PageEnv>,
    message?: { text: string; kind: 'ok' | 'error' },
    status = 200,
  ) => {
    const v = c.get('view');
    const actor = actorOf(c);
    const accounts = await listAccountsFor(deps, actor);
    const schedules = await listSchedulesFor(deps, actor);
    const nextFree = await nextFreeSlots(deps, actor.userId, schedules);
    return c.html(
      page(v, v.t('sched.title'), schedulesView(v, accounts, schedules, message, nextFree)),
      status as 200,
    );
  };

  app.get('/schedules', (c) => {
    const flash = flashText(c.get('view').t, (n) => c.req.query(n));
    const text = flash ?? (c.req.query('done') ? c.get('view').t('sched.saved') : undefined);
    return schedulesPage(c, text ? { text, kind: 'ok' } : undefined);
  });

  app.post('/schedules', async (c) => {
    const form = await c.req.parseBody({ all: true });
    // The grid or the simple repeat, unless a cron was typed.
    const read = cronFromForm(form);
    if ('error' in read) {
      const v = c.get('view');
      return schedulesPage(c, { text: userMessage(v.t, v.locale, read.error), kind: 'error' }, 400);
    }
    const parsed = CreateScheduleInput.safeParse({
      accountId: field(form, 'accountId'),
      kind: field(form, 'kind'),
      cron: read.cron,
      timeZone: field(form, 'timeZone'),
      ...(field(form, 'kind') === 'recurring' ? { template: field(form, 'template') } : {}),
    });
    const v = c.get('view');
    if (!parsed.success) {
      // Said per field, in the user's language.
      const said = parsed.error.issues.map((i) => {
        const f = String(i.path[0] ?? '');
        if (f === 'accountId') return v.t('notFound.account');
        if (f === 'timeZone') return v.t('time.badZone', { zone: field(form, 'timeZone') });
        if (f === 'cron') return v.t('cron.fields', { cron: field(form, 'cron') });
        if (f === 'template') return v.t('text.tooLong', { n: field(form, 'template').length });
        return `${i.path.join('.')}: ${i.message}`;
      });
      return schedulesPage(c, { text: [...new Set(said)].join(' '), kind: 'error' }, 400);
    }
    try {
      await createSchedule(deps, actorOf(c), parsed.data);
    } catch (e) {
      if (isRotorError(e, 'invalid_input') || isRotorError(e, 'not_found'))
        return schedulesPage(c, { text: userMessage(v.t, v.locale, e.message), kind: 'error' }, 400);
      throw e;
    }
    return c.redirect(withFlash('/schedules', parsed.data.kind === 'queue' ? 'slots' : 'created'), 303);
  });

  app.post('/schedules/:id/:action', async (c) => {
    const action = c.req.param('action');
    if (action !== 'pause' && action !== 'resume' && action !== 'delete') return c.notFound();
    try {
      await setScheduleState(deps, actorOf(c), c.req.param('id'), action);
    } catch (e) {
      if (isRotorError(e, 'not_found') || isRotorError(e, 'conflict'))
        return schedulesPage(
          c,
          { text: userMessage(c.get('view').t, c.get('view').locale, e.message), kind: 'error' },
          404,
        );
      throw e;
    }
    const flash = action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'deleted';
    return c.redirect(withFlash('/schedules', flash), 303);
  });

  return app;
}

/** The wrong-account reconnect, from the callback's redirect: who signed in, who still needs it. */
function wrongAccount(got: string | undefined, want: string | undefined) {
  const name = /^\w{1,15}$/;
  return got && want && name.test(got) && name.test(want) ? { got, want } : undefined;
}
