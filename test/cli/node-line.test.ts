/** `npm start`'s first line says which Node runs Rotor, and what npm's EBADENGINE warnings were about. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeLine } from '../../src/cli/node-line.ts';

test('nodeLine names the Node that runs Rotor; run from the node package npm ci installed, it explains EBADENGINE', () => {
  const fromPackage = nodeLine('/home/me/rotor/node_modules/node/bin/node', 'v24.21.0');
  assert.match(
    fromPackage,
    /^Node\.js v24\.21\.0 runs Rotor \(the one npm ci installed in node_modules; EBADENGINE/,
  );
  assert.equal(nodeLine('/usr/bin/node', 'v24.1.0'), 'Node.js v24.1.0 runs Rotor (/usr/bin/node).');
});
