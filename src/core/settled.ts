/** @module Waiting for promises, bounded. */

/** Every promise settled, or `ms` passed (a real timer, cleared: it keeps no process alive). */
export function settledWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const bound = setTimeout(resolve, ms);
    void Promise.allSettled(promises).then(() => {
      clearTimeout(bound);
      resolve();
    });
  });
}
