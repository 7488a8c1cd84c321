/**
 * An edit racing the publisher's claim, on both backends: the edit and the claim are each one
 * compare-and-swap on the row, so either the edit lands before the claim (the claim sends the
 * edited text) or it is refused (the post is sent as it was). Never a post changed under a send.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPostEdit } from '../../src/store/post-edits.ts';
import { getPost, insertPost } from '../../src/store/posts.ts';
import { claimForPublishing } from '../../src/store/post-claims.ts';
import { BACKENDS } from '../helpers/db.ts';
import { schedulerSetup } from '../helpers/scheduler.ts';

for (const backend of BACKENDS) {
  describe(`editing against the claim on ${backend}`, async () => {
    const s = await schedulerSetup(backend);

    test('an edit racing a claim never changes a post being sent', async () => {
      const accountId = await s.connectAs('alice');
      let editsWon = 0;
      let claimsFirst = 0;
      for (let i = 0; i < 40; i++) {
        const post = await insertPost(s.t.db, {
          accountId,
          text: `original ${i}`,
          status: 'scheduled',
          dueAt: Date.now() - 1000,
        });
        assert.ok(post);
        const [claimed, edited] = await Promise.all([
          claimForPublishing(s.t.db, post.id),
          s.t.db.transaction((tx) =>
            applyPostEdit(tx, post.id, {
              accountId,
              text: `edited ${i}`,
              status: 'scheduled',
              dueAt: Date.now() - 1000,
              timeZone: null,
            }),
          ),
        ]);
        assert.ok(claimed, 'the post was due and editable: the claim takes it either way');
        const row = await getPost(s.t.db, post.id);
        if (edited) {
          editsWon += 1;
          assert.equal(claimed.text, `edited ${i}`, 'an accepted edit came before the claim');
        } else {
          claimsFirst += 1;
          assert.equal(claimed.text, `original ${i}`);
          assert.equal(row?.text, `original ${i}`, 'a refused edit changed nothing');
        }
        assert.equal(row?.status, 'publishing');
        // Once claimed, no edit gets through.
        const late = await applyPostEdit(s.t.db, post.id, {
          accountId,
          text: 'too late',
          status: 'draft',
          dueAt: null,
          timeZone: null,
        });
        assert.equal(late, undefined);
        assert.equal((await getPost(s.t.db, post.id))?.text, claimed.text);
      }
      assert.equal(editsWon + claimsFirst, 40);
    });
  });
}
