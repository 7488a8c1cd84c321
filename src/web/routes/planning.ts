/**
 * @module Planning pages: the Edit page of a post (until it publishes) and the calendar with its
 * move action. Both go through {@link editPostFor}, the API's `PATCH /posts/{id}` handler.
 */
import { Hono, type Context } from 'hono';
import { isRotorError } from '../../core/errors.ts';
import type { PostRow } from '../../store/posts.ts';
import type { WebDeps } from '../deps.ts';
import { instantToZoned, isTimeZone } from '../format.ts';
import { listAccountsFor } from '../handlers/accounts.ts';
import { editPostFor, postForEditing, storedPartMedia } from '../handlers/post-edit.ts';
import { getPostFor, type PostView } from '../handlers/posts.ts';
import { partsAction, partsAfter, sentParts } from '../thread-form.ts';
import type { PartField } from '../views/thread-parts.ts';
import type { ViewContext } from '../views/layout.ts';
import type { EditPostInput } from '../schemas.ts';
import { currentZoneName } from '../time-zones.ts';
import { userMessage } from '../user-messages.ts';
import { page } from '../views/layout.ts';
import { errorView } from '../views/misc.ts';
import { editView, type EditForm } from '../views/post-edit.ts';
import { calendarRoutes } from './calendar.ts';
import { previewOf } from '../preview.ts';
import { actorOf, field, signedIn } from './guard.ts';
import type { PageEnv } from './page-env.ts';

/** Where a post is listed on the Posts page. */
export const tabOf = (p: Pick<PostRow, 'status'>) =>
  p.status === 'draft' ? 'drafts' : p.status === 'queued' ? 'queue' : 'upcoming';

/** Says a refusal of editing as a page: 409 once publishing has started, 404 for not yours. */
export function refusalPage(c: Context<PageEnv>, e: unknown) {
  if (!isRotorError(e, 'conflict') && !isRotorError(e, 'not_found')) throw e;
  const v = c.get('view');
  return c.html(
    page(v, v.t('error.title'), errorView(v, userMessage(v.t, v.locale, e.message))),
    isRotorError(e, 'conflict') ? 409 : 404,
  );
}

/** A thread's stored parts as the Edit form shows them: text, status, why, images. */
const storedFields = (v: ViewContext, parts: PostRow[]): PartField[] =>
  parts.map((p, i) => ({
    text: p.text,
    status: p.status,
    reason: p.reason === null ? null : userMessage(v.t, v.locale, p.reason),
    mediaCount: p.mediaCount,
    from: i + 1,
  }));

export function planningRoutes(deps: WebDeps): Hono<PageEnv> {
  const app = new Hono<PageEnv>();
  for (const path of ['/posts/:id/edit', '/calendar', '/calendar/*', '/compose/preview'])
    app.use(path, signedIn);

  // The compose preview as one types (the page script renders it).
  app.get('/compose/preview', (c) => c.json(previewOf(c.req.query('text') ?? '')));

  const render = async (
    c: Context<PageEnv>,
    post: PostView,
    form: EditForm,
    message?: { text: string; kind: 'ok' | 'error' },
    status = 200,
  ) => {
    const v = c.get('view');
    const accounts = await listAccountsFor(deps, actorOf(c));
    return c.html(page(v, v.t('edit.title'), editView(v, post, accounts, form, message)), status as 200);
  };

  app.get('/posts/:id/edit', async (c) => {
    const v = c.get('view');
    let post: PostView;
    let savedZone: string | null;
    try {
      ({ post, timeZone: savedZone } = await postForEditing(deps, actorOf(c), c.req.param('id')));
    } catch (e) {
      return refusalPage(c, e);
    }
    const zone = currentZoneName(savedZone ?? v.timeZone);
    const at = post.dueAt !== null ? instantToZoned(post.dueAt, zone) : { date: '', time: '' };
    const form = {
      accountId: post.accountId,
      text: post.text,
      ...(post.parts ? { parts: storedFields(v, post.parts) } : {}),
      ...at,
      timeZone: zone,
    };
    const saved =
      c.req.query('done') === 'saved' ? { text: v.t('edit.saved'), kind: 'ok' as const } : undefined;
    return render(c, post, form, saved);
  });

  app.post('/posts/:id/edit', async (c) => {
    const v = c.get('view');
    const actor = actorOf(c);
    let post: PostView;
    try {
      post = await getPostFor(deps, actor, c.req.param('id'));
    } catch (e) {
      return refusalPage(c, e);
    }
    const body = await c.req.parseBody({ all: true });
    const zone = currentZoneName(field(body, 'timeZone'));
    const sent = await sentParts(body);
    const stored = post.parts ? storedFields(v, post.parts) : [];
    // Each part as the form shows it again: a stored one keeps its status and image count.
    const fields: PartField[] = sent.map((p) => {
      const was = p.from === undefined ? undefined : stored[p.from - 1];
      return {
        text: p.text,
        ...(p.from === undefined ? {} : { from: p.from }),
        ...(was ? { status: was.status, reason: was.reason, mediaCount: was.mediaCount } : {}),
        ...(p.from === 1 && !post.parts ? { mediaCount: post.mediaCount } : {}),
      };
    });
    const form: EditForm = {
      accountId: field(body, 'accountId'),
      text: sent[0]?.text ?? '',
      parts: fields,
      date: field(body, 'date'),
      time: field(body, 'time'),
      timeZone: isTimeZone(zone) ? zone : v.timeZone,
    };
    const action = field(body, 'action');
    // "Add part" / "Remove part N" without the page script: the form again, texts kept.
    const asked = partsAction(action);
    if (asked) {
      const again = sent.some((p) => p.hasFiles)
        ? { text: v.t('thread.filesAgain'), kind: 'error' as const }
        : undefined;
      return render(c, post, { ...form, parts: partsAfter(fields, asked, { text: '' }) }, again);
    }
    // A thread (or a post becoming one) is sent whole: each part's new images, none, or its own kept.
    const thread = post.parts !== undefined || sent.length > 1;
    const kept =
      thread && sent.some((p) => !p.hasFiles && !p.removeMedia && p.from !== undefined)
        ? await storedPartMedia(deps, actor, post.id)
        : [];
    const parts = sent.map((p) => ({
      text: p.text,
      media: p.hasFiles ? p.media : p.removeMedia || p.from === undefined ? [] : (kept[p.from - 1] ?? []),
    }));
    const images = sent[0]?.media ?? [];
    // "Save" keeps the post's mode; a scheduled one keeps or takes the time in the form.
    const timed = action === 'schedule' || (action === 'save' && post.status === 'scheduled');
    const input: EditPostInput = {
      accountId: form.accountId,
      ...(thread ? { parts } : { text: form.text }),
      ...(action === 'schedule' ? { mode: 'schedule' } : {}),
      ...(action === 'queue' ? { mode: 'queue' } : {}),
      ...(action === 'draft' ? { mode: 'draft' } : {}),
      ...(timed && (form.date !== '' || form.time !== '')
        ? { localTime: `${form.date}T${form.time}`, timeZone: form.timeZone }
        : {}),
      ...(thread ? {} : images.length > 0 ? { media: images } : sent[0]?.removeMedia ? { media: [] } : {}),
    };
    try {
      const edited = await editPostFor(deps, actor, post.id, input);
      return c.redirect(`/posts?view=${tabOf(edited)}&done=edited`, 303);
    } catch (e) {
      if (isRotorError(e, 'invalid_input'))
        return render(
          c,
          post,
          form,
          { text: v.t('edit.notSaved', { reason: userMessage(v.t, v.locale, e.message) }), kind: 'error' },
          400,
        );
      return refusalPage(c, e);
    }
  });

  app.route('/', calendarRoutes(deps));
  return app;
}
