/**
 * @module The processes a chaos run starts, in numbered slots: each slot holds one live process;
 * a killed one is replaced in the same slot (same data folder, so its journal is recovered).
 * Every line any of them prints is kept for the secret scan, and handed to `onLine`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SlotProcess {
  slot: number;
  pid: number;
  child: ChildProcess;
}

export interface ProcessGroupOptions {
  /** The command for a slot's process. */
  command: (slot: number) => { file: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Each complete line a process prints on stdout. */
  onLine?: (p: SlotProcess, line: string) => void;
  /**
   * A process {@link ProcessGroup.stop} had to `SIGKILL` (it did not exit within the grace after
   * `SIGTERM`): like a `kill -9`, whatever it had in flight is cut off.
   */
  onForcedKill?: (p: SlotProcess) => void;
}

export class ProcessGroup {
  readonly #o: ProcessGroupOptions;
  readonly #live = new Map<number, SlotProcess>();
  readonly #killed = new Set<number>();
  readonly #frozen = new Set<number>();
  #stopping = false;
  #output: string[] = [];
  /** Processes that ended without being killed or stopped by the harness. */
  unexpectedExits = 0;
  kills = 0;
  /** Processes {@link stop} had to `SIGKILL` after the grace. */
  forcedKills = 0;

  constructor(o: ProcessGroupOptions) {
    this.#o = o;
  }

  /** Starts a process in `slot` (replacing nothing: the slot must be empty). */
  start(slot: number): SlotProcess {
    const { file, args, env } = this.#o.command(slot);
    const child = spawn(file, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const p: SlotProcess = { slot, pid: child.pid ?? -1, child };
    this.#live.set(slot, p);
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.#output.push(text);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.#o.onLine?.(p, line);
    });
    child.stderr?.on('data', (d: Buffer) => this.#output.push(d.toString()));
    child.on('exit', () => {
      if (this.#live.get(slot) === p) this.#live.delete(slot);
      if (!this.#stopping && !this.#killed.has(p.pid)) {
        this.unexpectedExits += 1;
        // A supervisor would start it again; so does the harness.
        setTimeout(() => {
          if (!this.#stopping && !this.#live.has(slot)) this.start(slot);
        }, 500);
      }
    });
    return p;
  }

  /** `kill -9` the process in `slot`; starts a new one there after `restartAfterMs`. */
  kill9(slot: number, restartAfterMs: number): SlotProcess | undefined {
    const p = this.#live.get(slot);
    if (!p) return undefined;
    this.#killed.add(p.pid);
    this.#live.delete(slot);
    p.child.kill('SIGKILL');
    this.kills += 1;
    setTimeout(() => {
      if (!this.#stopping && !this.#live.has(slot)) this.start(slot);
    }, restartAfterMs);
    return p;
  }

  /** `SIGSTOP` the process in `slot`, `SIGCONT` it after `forMs`; a kill meanwhile ends it as usual. */
  freeze(slot: number, forMs: number): SlotProcess | undefined {
    const p = this.#live.get(slot);
    if (!p || this.#frozen.has(p.pid)) return undefined;
    this.#frozen.add(p.pid);
    p.child.kill('SIGSTOP');
    setTimeout(() => {
      this.#frozen.delete(p.pid);
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGCONT');
    }, forMs);
    return p;
  }

  /** Makes sure every slot below `n` has a live process. */
  fill(n: number): void {
    for (let slot = 0; slot < n; slot += 1) if (!this.#live.has(slot)) this.start(slot);
  }

  /**
   * SIGTERM to all, SIGKILL after `graceMs` (told to `onForcedKill` first); resolves when all have
   * exited.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopping = true;
    const all = [...this.#live.values()];
    await Promise.all(
      all.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            const force = setTimeout(() => {
              this.forcedKills += 1;
              this.#o.onForcedKill?.(p);
              p.child.kill('SIGKILL');
            }, graceMs);
            p.child.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            p.child.kill('SIGCONT'); // a frozen process hears SIGTERM only once continued
            p.child.kill('SIGTERM');
          }),
      ),
    );
    this.#live.clear();
  }

  /** Stops every process (SIGTERM), runs `between`, and starts `n` again (an operator's restart). */
  async restartAround(n: number, between: () => Promise<void> | void): Promise<void> {
    await this.stop();
    try {
      await between();
    } finally {
      this.#stopping = false;
      this.fill(n);
    }
  }

  /** Everything the processes printed, stdout and stderr. */
  output(): string {
    return this.#output.join('');
  }
}
