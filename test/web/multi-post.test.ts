/**
 * Several accounts from one compose: texts the same as X would see them are found (spaces and
 * Unicode forms do not make them differ), and the refusal is said in English and Japanese; so are
 * the refusals that name a post's status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repeatedText, SAME_TEXT_MESSAGE } from '../../src/web/handlers/multi-post.ts';
import { translator } from '../../src/web/i18n.ts';
import { userMessage } from '../../src/web/user-messages.ts';

test('identical texts across accounts are found, as X would compare them', () => {
  assert.equal(repeatedText(['Hello', 'Hello ']), true, 'trailing space');
  assert.equal(repeatedText(['Hello  world', 'Hello\nworld']), true, 'spaces and line breaks');
  assert.equal(repeatedText(['ＡＢＣ', 'ABC']), true, 'full-width letters are the same letters');
  assert.equal(repeatedText(['Hello', 'Hello!']), false);
  assert.equal(repeatedText(['a', 'b', 'c']), false);
  assert.equal(repeatedText(['a', 'b', 'a']), true);
});

test('the refusal of identical texts says why, in English and in Japanese', () => {
  const en = userMessage(translator('en'), 'en', SAME_TEXT_MESSAGE);
  const ja = userMessage(translator('ja'), 'ja', SAME_TEXT_MESSAGE);
  assert.match(en, /X’s automation rules/);
  assert.match(ja, /自動化ルール/);
  assert.notEqual(ja, SAME_TEXT_MESSAGE);
});

for (const [what, verb] of [
  ['an edit', 'edited'],
  ['a cancel', 'cancelled'],
] as const) {
  test(`${what} refused once publishing started names the status in the user’s language`, () => {
    const refusal = `this post is publishing and can no longer be ${verb}`;
    const ja = userMessage(translator('ja'), 'ja', refusal);
    assert.ok(ja.includes(translator('ja')('status.publishing')), ja);
    assert.ok(!/publishing/.test(ja), `no English status word: ${ja}`);
    assert.ok(userMessage(translator('en'), 'en', refusal).includes('publishing'));
  });
}
