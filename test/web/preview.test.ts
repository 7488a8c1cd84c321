/**
 * The compose preview's reading of a text: links as X displays them (no scheme, cut after 25
 * characters) and weighed 23 each, as X counts them; mentions and hashtags marked; the rest as typed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayUrl, previewOf } from '../../src/web/preview.ts';

test('links shortened as X shows them, and counted as 23 characters', () => {
  const long = 'https://www.example.com/a/very/long/path/that/goes/on?x=1';
  const p = previewOf(`Read 😀 ${long} now @bob #rotor`);
  assert.deepEqual(p.parts, [
    { kind: 'text', text: 'Read 😀 ' },
    { kind: 'url', text: 'example.com/a/very/long/p…', href: long },
    { kind: 'text', text: ' now ' },
    { kind: 'mention', text: '@bob' },
    { kind: 'text', text: ' ' },
    { kind: 'hashtag', text: '#rotor' },
  ]);
  // "Read " 5 + emoji 2 + " " 1 + link 23 + " now " 5 + "@bob" 4 + " " 1 + "#rotor" 6
  assert.equal(p.weightedLength, 47);
  assert.equal(p.links, 1);
  assert.equal(displayUrl('http://x.com/a'), 'x.com/a', 'short links are shown whole');
  assert.equal(previewOf('example.org').parts[0]?.kind, 'url', 'a bare domain is a link for X too');
});

test('Japanese text weighs 2 per character; plain text is one part', () => {
  const p = previewOf('こんにちは');
  assert.deepEqual(p.parts, [{ kind: 'text', text: 'こんにちは' }]);
  assert.equal(p.weightedLength, 10);
  assert.equal(p.ok, true);
  assert.equal(previewOf('').parts.length, 0);
});
