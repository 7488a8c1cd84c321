/** The web texts as areas (src/web/i18n/): merged into one dictionary, a key in two areas refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineTexts, mergeTexts } from '../../src/web/i18n/define.ts';
import { MESSAGE_KEYS, translator } from '../../src/web/i18n.ts';

test('areas merge into one dictionary; an extra area adds its keys; a key defined twice is refused', () => {
  const extra = defineTexts({ 'plan.title': 'Plan {what}' }, { 'plan.title': '{what}の計画' });
  const other = defineTexts({ 'other.x': 'X' }, { 'other.x': 'エックス' });
  const merged = mergeTexts([extra, other]);
  assert.deepEqual(Object.keys(merged.en), ['plan.title', 'other.x']);
  assert.equal(merged.ja['plan.title'], '{what}の計画');
  const clash = defineTexts({ 'plan.title': 'Again' }, { 'plan.title': 'もう一度' });
  assert.throws(() => mergeTexts([extra, clash]), /"plan\.title" is defined in two areas/);
  // The app's own areas: every key once, each translated.
  assert.equal(new Set(MESSAGE_KEYS).size, MESSAGE_KEYS.length);
  assert.equal(translator('en')('app.skip'), 'Skip to content');
});

test('the threads area is merged: its texts in both languages, with the same placeholders', () => {
  const en = translator('en');
  const ja = translator('ja');
  for (const key of ['thread.addPart', 'thread.partMessage', 'thread.ended', 'status.waiting'] as const)
    assert.ok(MESSAGE_KEYS.includes(key), key);
  assert.equal(en('thread.badge', { n: 3 }), 'Thread · 3 parts');
  assert.equal(ja('thread.badge', { n: 3 }), 'スレッド・3 件');
  // Every text, in every area: the Japanese has the English one's placeholders, no more, no fewer.
  const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of MESSAGE_KEYS) assert.deepEqual(names(ja(key)), names(en(key)), key);
});
