/**
 * @module Compose's send to several accounts: one post per account through
 * {@link createForAccounts}, then each account's outcome said on the page. What failed stays in
 * the form (those accounts and their texts); what went through is not sent again.
 */
import type { Context } from 'hono';
import { isRotorError } from '../../core/errors.ts';
import { postUrl } from '../../x/client.ts';
import type { WebDeps } from '../deps.ts';
import { viewOnXUrl } from '../feedback.ts';
import { listAccountsFor } from '../handlers/accounts.ts';
import { createForAccounts } from '../handlers/multi-post.ts';
import { currentPostFor } from '../handlers/posts.ts';
import { statusWord } from '../i18n.ts';
import type { CreatePostInput } from '../schemas.ts';
import { userMessage } from '../user-messages.ts';
import type { AccountOutcomeLine } from '../views/compose-accounts.ts';
import type { ComposeForm } from '../views/compose.ts';
import { actorOf } from './guard.ts';
import type { PageEnv } from './page-env.ts';

type Render = (
  c: Context<PageEnv>,
  form: ComposeForm,
  message?: { text: string; kind: 'ok' | 'error' },
  status?: number,
  outcomes?: AccountOutcomeLine[],
) => Promise<Response>;

export async function sendToAccounts(
  deps: WebDeps,
  c: Context<PageEnv>,
  form: ComposeForm,
  render: Render,
  o: { posts: { accountId: string; text: string }[]; common: Omit<CreatePostInput, 'accountId' | 'text'> },
): Promise<Response> {
  const v = c.get('view');
  const say = (m: string) => userMessage(v.t, v.locale, m);
  const actor = actorOf(c);
  let outcomes;
  try {
    outcomes = await createForAccounts(deps, actor, o.posts, o.common);
  } catch (e) {
    if (!isRotorError(e, 'invalid_input') && !isRotorError(e, 'not_found')) throw e;
    return render(
      c,
      form,
      { text: v.t('compose.notPosted', { reason: say(e.message) }), kind: 'error' },
      400,
    );
  }
  const names = new Map((await listAccountsFor(deps, actor)).map((a) => [a.id, a.username]));
  const lines: AccountOutcomeLine[] = [];
  const failed: string[] = [];
  for (const out of outcomes) {
    const username = names.get(out.accountId) ?? '';
    const result = out.created?.result;
    if (out.error || result?.kind === 'failed') {
      failed.push(out.accountId);
      const reason = out.error?.message ?? (result?.kind === 'failed' ? result.reason : '');
      lines.push({ username, ok: false, text: v.t('compose.notPosted', { reason: say(reason) }) });
      continue;
    }
    const post = out.created ? await currentPostFor(deps, actor, out.created.post) : undefined;
    const link =
      result?.kind === 'published'
        ? (viewOnXUrl(postUrl(username, result.xPostId), deps) ?? undefined)
        : undefined;
    lines.push({
      username,
      ok: true,
      text: statusWord(v.t, post?.status ?? 'scheduled'),
      link,
    });
  }
  // What went through is not in the form any more (sending again cannot post it twice).
  const [first, ...others] = failed;
  const kept: ComposeForm = {
    ...form,
    ...(first
      ? { accountId: first, text: first === form.accountId ? form.text : form.textFor?.[first] }
      : {}),
    alsoTo: others,
    textFor: Object.fromEntries(failed.map((id) => [id, form.textFor?.[id] ?? ''])),
    ...(failed.length === 0 ? { text: '' } : {}),
  };
  return render(
    c,
    kept,
    failed.length > 0
      ? { text: v.t('compose.someFailed'), kind: 'error' }
      : { text: v.t('compose.allDone'), kind: 'ok' },
    failed.length > 0 ? 422 : 200,
    lines,
  );
}
