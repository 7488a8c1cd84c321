/**
 * @module The heap of a long-running Rotor process (`rotor worker`, `rotor serve`). A post or a
 * refresh in flight waits 100–400 ms on X, long enough for what it allocated to survive two
 * scavenges and move to V8's old space, where it dies. V8 lets the old space grow to several times
 * what survived its last full collection before collecting again, and on a large host it has room
 * to: at the morning peak a worker's heap grew by 80 MB of such dead objects in 20 s (measured in
 * `docs/performance.md`). Old space is therefore allowed to grow by a quarter of what survived
 * (`--heap-growing-percent=25`): full collections come sooner, over a heap that is mostly live
 * (about 40 MB), and nothing caps the heap, so a process that really needs more still gets it.
 *
 * The setting is made inside the process, once it has started (start-up grows the heap fastest,
 * and a bound then would cost it a second: `bench/startup.bench.ts`), followed by one full
 * collection: V8 computes the old space's next limit only at a full collection, so without it the
 * limit start-up left (several times what was live then) would hold until reached, and a worker
 * would fill it with dead objects in its first half-minute of pre-warming (190–204 MB against
 * 150–167 MB with four workers, `docs/performance.md`). The setting holds however the process was
 * started (`npx rotor`, `npm start`, the Docker image, `node bin/rotor.js`). Node's
 * own `--heap-growing-percent` on its command line wins (`node --heap-growing-percent=50
 * bin/rotor.js worker`; Node does not take this flag from `NODE_OPTIONS`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Old space grows by at most this share (%) of what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 25;

/**
 * Bounds old-space growth for this process, unless `execArgv` sets it already, then collects once
 * so that the bound applies from now on (tens of ms, once). Returns the percentage in force, or
 * undefined when the command line decides.
 */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent')))
    return undefined;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  collectOnce();
  return HEAP_GROWING_PERCENT;
}

/**
 * One full collection. `gc` is made for a new context only, and the flag is taken back at once:
 * this process's own global never gets a `gc`.
 */
function collectOnce(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  gc();
}
