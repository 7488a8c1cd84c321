/**
 * @module What every chaos child process shares: its caller loops, a `ready` line, the running
 * figures (`stats {…}` every second) and the way it stops on SIGTERM (loops end, last figures,
 * close, exit 0).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface CallerLoops {
  /** False once SIGTERM arrived: each loop ends its current call and returns. */
  readonly running: boolean;
}

/**
 * Starts `callers` loops of `caller` and announces the process. `graceMs` bounds the wait for the
 * loops on SIGTERM (none: wait for every one).
 */
export function runCallerLoops(o: {
  callers: number;
  caller: (loops: CallerLoops) => Promise<void>;
  stats: object;
  close: () => Promise<void>;
  graceMs?: number;
}): void {
  const state = { running: true };
  const loops = Array.from({ length: o.callers }, () => o.caller(state));
  const print = () => process.stdout.write(`stats ${JSON.stringify(o.stats)}\n`);
  const ticker = setInterval(print, 1000);
  process.stdout.write(`ready ${process.pid}\n`);
  process.once('SIGTERM', () => {
    state.running = false;
    void (async () => {
      const settled = Promise.allSettled(loops);
      await (o.graceMs === undefined ? settled : Promise.race([settled, sleep(o.graceMs)]));
      clearInterval(ticker);
      print();
      await o.close().catch(() => undefined);
      process.exit(0);
    })();
  });
}
