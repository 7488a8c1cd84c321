/**
 * The public API (`src/index.ts`) names only what it exports: every type in the signature of an
 * exported name (parameters, results, properties, public members, what it extends) that is
 * declared in `src/` is exported too, so a library user can name what they pass and are handed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apiGaps } from '../helpers/api-closure.ts';

test('every type the public API names is exported from src/index.ts', () => {
  const gaps = apiGaps(join(import.meta.dirname, '..', '..'));
  assert.deepEqual(gaps, [], `named by the public API but not exported:\n${gaps.join('\n')}`);
});
