#!/usr/bin/env node
// The `rotor` command. Node 22.18+/24 runs the TypeScript sources directly (type stripping).
await import('../src/cli/main.ts');
