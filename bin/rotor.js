#!/usr/bin/env -S node --max-semi-space-size=8
/* global process, console */
// The `rotor` command. Node 22.18+/24 runs the TypeScript sources directly (type stripping).
// The young generation is sized for a worker (8 MB semi-spaces), not for the machine: on a large
// host V8 would otherwise let 128 MB of short-lived garbage pile up (docs/performance.md); old
// space is bounded inside the process (src/ops/heap.ts). The Dockerfile passes the same flag. To
// change it, run Node with your own: `node --max-semi-space-size=16 bin/rotor.js worker` (a flag
// here wins over NODE_OPTIONS).
// Rotor's Node is checked here rather than in package.json's "engines": npm warns (EBADENGINE) on
// the machine's own Node, which only runs npm; npm ci installs Node 24 for npm start/npx rotor.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `rotor: Node.js ${process.version} cannot run Rotor (22.18 or later is needed). Run it through npm (npm start, npx rotor …) after npm ci, which installs Node 24.`,
  );
  process.exit(2);
}
await import('../src/cli/main.ts');
