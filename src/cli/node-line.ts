/**
 * @module The first line `rotor serve` (`npm start`) prints: which Node.js runs Rotor. `npm ci`
 * installs Node 24 (the `node` package) for every `npm run`/`npm start`/`npx rotor`; npm itself
 * still runs on the machine's own Node, and on an older one it prints EBADENGINE warnings about
 * packages that want a newer Node. Those warnings are about npm's Node, not the one below.
 */
import { sep } from 'node:path';

/** "Node.js v24.21.0 runs Rotor (installed by npm ci in node_modules)…" for this process. */
export function nodeLine(execPath = process.execPath, version = process.version): string {
  const fromPackage = execPath.includes(`${sep}node_modules${sep}node${sep}`);
  return fromPackage
    ? `Node.js ${version} runs Rotor (the one npm ci installed in node_modules; EBADENGINE warnings from npm were about the machine's own Node, which only runs npm).`
    : `Node.js ${version} runs Rotor (${execPath}).`;
}
