/**
 * @module A process's memory as Linux reports it: resident set now (`VmRSS`) and its peak since
 * the process started (`VmHWM`), from `/proc/<pid>/status`. Sampling while it works.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** `VmRSS` and `VmHWM` of `pid` in bytes, or undefined once it is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples `pid` every `everyMs` for `forMs`; the highest peak seen (bytes) and the samples. */
export async function watchMemory(
  pid: number,
  forMs: number,
  everyMs = 250,
): Promise<{ peak: number; samples: number[] }> {
  const samples: number[] = [];
  let peak = 0;
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    const m = memoryOf(pid);
    if (!m) break;
    samples.push(m.rss);
    peak = Math.max(peak, m.peak, m.rss);
    await sleep(everyMs);
  }
  return { peak, samples };
}
