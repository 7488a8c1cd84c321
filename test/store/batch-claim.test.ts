/**
 * The batch claim (`claimManyForPublishing`, store/posts.ts): the same compare-and-swap as the
 * single claim for every post of a batch — due scheduled posts claimed once each (attempt and
 * claim_seq counted), others left as they are — on both backends; on PostgreSQL a row another
 * claimer holds locked is skipped rather than waited for, and two batches racing over the same
 * posts on two connections claim each post exactly once.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { getPost, insertPost } from '../../src/store/posts.ts';
import { claimManyForPublishing } from '../../src/store/post-claims.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { BACKENDS } from '../helpers/db.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

for (const backend of BACKENDS) {
  describe(`batch claim (${backend})`, () => {
    test('claims the due scheduled posts once each, and nothing else', async () => {
      const s = await schedulerSetup(backend);
      const alice = await s.connectAs('alice');
      const now = Date.now();
      const due = [];
      for (let i = 0; i < 3; i += 1) {
        due.push(
          (await insertPost(s.t.db, {
            accountId: alice,
            text: `due ${i}`,
            status: 'scheduled',
            dueAt: now - 1000,
          }))!,
        );
      }
      const later = (await insertPost(s.t.db, {
        accountId: alice,
        text: 'later',
        status: 'scheduled',
        dueAt: now + 3_600_000,
      }))!;
      const draft = (await insertPost(s.t.db, { accountId: alice, text: 'draft', status: 'draft' }))!;
      const ids = [...due.map((p) => p.id), later.id, draft.id];
      const claims = await claimManyForPublishing(s.t.db, ids);
      assert.deepEqual([...claims.keys()].sort(), due.map((p) => p.id).sort());
      for (const p of due) {
        const c = claims.get(p.id)!;
        assert.equal(c.status, 'publishing');
        assert.equal(c.claimSeq, p.claimSeq + 1);
        assert.equal(c.attempts, p.attempts + 1);
        assert.equal(c.username, 'alice');
        assert.equal(c.cappedUntil, null);
      }
      assert.equal((await getPost(s.t.db, later.id))?.status, 'scheduled');
      assert.equal((await getPost(s.t.db, draft.id))?.status, 'draft');
      assert.equal(
        (await claimManyForPublishing(s.t.db, ids)).size,
        0,
        'a claimed post is not claimed again',
      );
    });
  });
}

describe('batch claim on PostgreSQL, concurrently', () => {
  test('a row locked by another claimer is skipped, not waited for', async () => {
    const s = await schedulerSetup('postgres');
    const alice = await s.connectAs('alice');
    const a = (await insertPost(s.t.db, {
      accountId: alice,
      text: 'a',
      status: 'scheduled',
      dueAt: Date.now() - 1000,
    }))!;
    const b = (await insertPost(s.t.db, {
      accountId: alice,
      text: 'b',
      status: 'scheduled',
      dueAt: Date.now() - 1000,
    }))!;
    const other = new pg.Client({ connectionString: s.t.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM posts WHERE id = $1 FOR UPDATE', [a.id]);
      const claims = await claimManyForPublishing(s.t.db, [a.id, b.id]);
      assert.deepEqual([...claims.keys()], [b.id]);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    assert.equal((await getPost(s.t.db, a.id))?.status, 'scheduled', 'left for its own claim');
  });

  test('two batches racing over the same posts claim each exactly once', async () => {
    const s = await schedulerSetup('postgres');
    const alice = await s.connectAs('alice');
    const ids: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      ids.push(
        (await insertPost(s.t.db, {
          accountId: alice,
          text: `race ${i}`,
          status: 'scheduled',
          dueAt: Date.now() - 1000,
        }))!.id,
      );
    }
    const second = openPostgres(s.t.url!, { max: 4 });
    try {
      const reversed = [...ids].reverse();
      const results = await Promise.all([
        ...[0, 1, 2].map(() => claimManyForPublishing(s.t.db, ids)),
        ...[0, 1, 2].map(() => claimManyForPublishing(second, reversed)),
      ]);
      const won = results.flatMap((m) => [...m.keys()]);
      assert.equal(won.length, ids.length, 'every post claimed');
      assert.equal(new Set(won).size, ids.length, 'no post claimed twice');
      const seqs = await s.t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM posts WHERE id = ANY($1::uuid[]) AND status = 'publishing' AND attempts = 1 AND claim_seq = 1`,
        [ids],
      );
      assert.equal(seqs.rows[0]?.n, ids.length);
    } finally {
      await second.close();
    }
  });
});
