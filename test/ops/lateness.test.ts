/**
 * Publish lateness for the metrics (ops/lateness.ts): lookups asked together share one query
 * (the morning peak must not cost a SELECT per post), each gets its own post's figure, and a post
 * without a due time gets none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatenessReader } from '../../src/ops/lateness.ts';
import type { Queryable } from '../../src/store/db.ts';
import { insertPost } from '../../src/store/posts.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

test('lateness of many posts asked together: one query, each its own figure', async () => {
  const s = await schedulerSetup('pglite');
  const alice = await s.connectAs('alice');
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const p = await insertPost(s.t.db, {
      accountId: alice,
      text: `late ${i}`,
      status: 'scheduled',
      dueAt: now - 60_000,
    });
    await s.t.db.query(
      `UPDATE posts SET status = 'published', published_at = due_at + $2 * interval '1 second' WHERE id = $1`,
      [p!.id, i],
    );
    ids.push(p!.id);
  }
  const draft = await insertPost(s.t.db, { accountId: alice, text: 'no due time', status: 'draft' });
  let queries = 0;
  const counting: Queryable = {
    query: (text: string, params?: unknown[]) => {
      queries += 1;
      return s.t.db.query(text, params);
    },
  } as Queryable;
  const reader = new LatenessReader(counting);
  const figures = await Promise.all([...ids, draft!.id].map((id) => reader.lateness(id)));
  assert.equal(queries, 1);
  for (let i = 0; i < ids.length; i += 1)
    assert.ok(Math.abs((figures[i] ?? NaN) - i) < 0.01, `post ${i}: ${figures[i]}`);
  assert.equal(figures.at(-1), undefined);
});
