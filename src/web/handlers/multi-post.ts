/**
 * @module One compose, several accounts: each account gets its own post (its own row, its own
 * fate: one may be published while another is refused). X's automation rules forbid posting the
 * same content from several accounts one controls, so the texts must differ: identical texts
 * across the chosen accounts are refused, with the reason, before anything is stored.
 */
import { RotorError } from '../../core/errors.ts';
import { checkText } from '../../scheduler/text.ts';
import { requirePermission, type Actor } from '../actor.ts';
import type { WebDeps } from '../deps.ts';
import type { CreatePostInput } from '../schemas.ts';
import { ownedAccount } from './accounts.ts';
import { createPost, type CreatedPost } from './posts.ts';

/** The refusal of identical texts (said in the user's language by the web app). */
export const SAME_TEXT_MESSAGE =
  "the same text cannot go to several accounts: X's automation rules forbid posting identical content from accounts you control; write a different text for each account, or repost from the others";

/** Text as X would compare it for sameness: Unicode-normalized, spaces collapsed, trimmed. */
export const comparable = (text: string) => text.normalize('NFKC').replace(/\s+/g, ' ').trim();

/** Whether any two of these texts are the same (as X would see them). */
export function repeatedText(texts: string[]): boolean {
  const seen = new Set<string>();
  for (const t of texts.map(comparable)) {
    if (seen.has(t)) return true;
    seen.add(t);
  }
  return false;
}

export interface AccountOutcome {
  accountId: string;
  created?: CreatedPost;
  /** Why this account's post was not made (the others go on). */
  error?: RotorError;
}

/**
 * Creates one post per account (`posts`: each account with its own text), all with the same
 * mode, time and images. Every account is checked as the actor's and every text checked, and
 * identical texts refused, before any post is made; then each post goes its own way.
 */
export async function createForAccounts(
  deps: WebDeps,
  actor: Actor,
  posts: { accountId: string; text: string }[],
  common: Omit<CreatePostInput, 'accountId' | 'text'>,
): Promise<AccountOutcome[]> {
  requirePermission(actor, 'posts:write');
  if (posts.length === 0) throw new RotorError('invalid_input', 'choose at least one account');
  if (new Set(posts.map((p) => p.accountId)).size !== posts.length)
    throw new RotorError('invalid_input', 'each account once');
  for (const p of posts) await ownedAccount(deps, actor, p.accountId);
  if (posts.length > 1 && repeatedText(posts.map((p) => p.text)))
    throw new RotorError('invalid_input', SAME_TEXT_MESSAGE);
  const withImages = (common.media?.length ?? 0) > 0;
  for (const p of posts) {
    if (withImages && p.text.trim() === '') continue;
    const check = checkText(p.text);
    if (!check.ok) throw new RotorError('invalid_input', check.message);
  }
  const out: AccountOutcome[] = [];
  for (const p of posts) {
    try {
      out.push({ accountId: p.accountId, created: await createPost(deps, actor, { ...common, ...p }) });
    } catch (e) {
      if (!(e instanceof RotorError)) throw e;
      out.push({ accountId: p.accountId, error: e });
    }
  }
  return out;
}
