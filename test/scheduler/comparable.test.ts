/** How a post's text is compared with the text X keeps, for lookups of unknown outcomes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparable } from '../../src/scheduler/publisher.ts';

test('what X changes is ignored; what the author wrote is not', () => {
  const same: [string, string][] = [
    ['Tom & Jerry <3', 'Tom &amp; Jerry &lt;3'],
    ['see https://example.com/a?b=1 now', 'see https://t.co/AbCdEf1234 now'],
    ['with a picture', 'with a picture https://t.co/Media12345'],
    ['thanks!', '@alice @bob thanks!'],
    ['Cafe\u0301  spaced', 'Café spaced'],
  ];
  for (const [sent, kept] of same) assert.equal(comparable(sent), comparable(kept), `${sent} ~ ${kept}`);
  const different: [string, string][] = [
    ['first https://example.com/x', 'second https://t.co/abc'],
    ['Tom & Jerry', 'Tom and Jerry'],
  ];
  for (const [a, b] of different) assert.notEqual(comparable(a), comparable(b), `${a} ≠ ${b}`);
});
