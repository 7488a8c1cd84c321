/** @module `/calendar`: the week and month views, and the move action (the edit handler's). */
import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import { isRotorError } from '../../core/errors.ts';
import { calendarDays, calendarRange, type CalendarView } from '../calendar-data.ts';
import type { WebDeps } from '../deps.ts';
import { formatInZone } from '../format.ts';
import { calendarFor } from '../handlers/calendar.ts';
import { editPostFor } from '../handlers/post-edit.ts';
import { userMessage } from '../user-messages.ts';
import { calendarView } from '../views/calendar.ts';
import { page } from '../views/layout.ts';
import { actorOf, field } from './guard.ts';
import type { PageEnv } from './page-env.ts';
import { refusalPage } from './planning.ts';

const viewOf = (s: string | undefined): CalendarView => (s === 'month' ? 'month' : 'week');
const dateOf = (s: string | undefined) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : undefined);

export function calendarRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();

  const render = async (
    c: Context<PageEnv>,
    view: CalendarView,
    date: string | undefined,
    message?: { text: string; kind: 'ok' | 'error' },
    status = 200,
  ) => {
    const v = c.get('view');
    const now = deps.clock.now();
    const range = calendarRange(view, date, v.timeZone, now);
    const { posts, schedules, queued, drafts } = await calendarFor(deps, actorOf(c), range.from, range.to);
    const days = calendarDays(range, v.timeZone, now, posts, schedules, queued);
    const today = DateTime.fromMillis(now, { zone: v.timeZone }).toFormat('yyyy-MM-dd');
    return c.html(
      page(v, v.t('cal.title'), calendarView(v, range, days, drafts, today, message)),
      status as 200,
    );
  };

  app.get('/calendar', (c) => {
    const v = c.get('view');
    const at = Number(c.req.query('moved'));
    const message =
      c.req.query('moved') && Number.isFinite(at)
        ? { text: v.t('cal.moved', { when: formatInZone(at, v.locale, v.timeZone) }), kind: 'ok' as const }
        : undefined;
    return render(c, viewOf(c.req.query('view')), dateOf(c.req.query('date')), message);
  });

  // Reschedule: the post's new wall-clock time in the user's zone, through the edit handler.
  app.post('/calendar/move', async (c) => {
    const v = c.get('view');
    const body = await c.req.parseBody({ all: true });
    const view = viewOf(field(body, 'view'));
    const anchor = dateOf(field(body, 'anchor'));
    const back = `/calendar?view=${view}&date=${anchor ?? ''}`;
    try {
      const post = await editPostFor(deps, actorOf(c), field(body, 'postId'), {
        mode: 'schedule',
        localTime: `${field(body, 'date')}T${field(body, 'time')}`,
        timeZone: v.timeZone,
      });
      return c.redirect(`${back}&moved=${post.dueAt ?? ''}`, 303);
    } catch (e) {
      if (isRotorError(e, 'invalid_input')) {
        const text = v.t('edit.notSaved', { reason: userMessage(v.t, v.locale, e.message) });
        return render(c, view, anchor, { text, kind: 'error' }, 400);
      }
      return refusalPage(c, e);
    }
  });

  return app;
}
