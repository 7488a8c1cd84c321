/** @module Is this post on X? The account's recent posts, matched by text (`publish-decisions.ts`). */
import type { Db } from '../store/db.ts';
import { recordedXPostIds, type PostRow } from '../store/posts.ts';
import { callWithToken, type TokenSource } from '../vault/token-call.ts';
import type { XClient } from '../x/client.ts';
import { firstUnowned, sameText } from './publish-decisions.ts';

/**
 * X's id of the account's post matching this one since `since`: '' if none, undefined if X did
 * not say. A post X has that another of our posts already owns is that one's, not this one's.
 * A 401 → one refresh (property 31); the vault giving no token throws its error.
 */
export async function findOnX(
  d: { db: Db; x: XClient; vault: TokenSource },
  token: string,
  subject: string,
  post: PostRow,
  since: number,
): Promise<string | undefined> {
  const answer = await callWithToken(d.vault, post.accountId, (t) => d.x.recentPosts(t, subject, since), {
    token,
    unauthorized: (r) => r === 'unauthorized',
  });
  if (answer.kind === 'no_token') throw answer.error;
  if (answer.kind !== 'answered' || !answer.result || answer.result === 'unauthorized') return undefined;
  const candidates = sameText(post.text, answer.result);
  return firstUnowned(candidates, await recordedXPostIds(d.db, candidates));
}
