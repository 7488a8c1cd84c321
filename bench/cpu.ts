/**
 * @module CPU time as Linux accounts it, from `/proc`: a process's own user + system time, and a
 * process tree's (PostgreSQL: the postmaster, the children it has reaped, and its live backends).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const HZ = 100;

/** utime, stime, cutime, cstime of `pid` in seconds; undefined once it is gone. */
function stat(pid: number): { self: number; children: number; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(f[i - 3]);
    return { self: (n(14) + n(15)) / HZ, children: (n(16) + n(17)) / HZ, ppid: n(4) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds `pid` has used so far (0 once it is gone). */
export function cpuSecondsOf(pid: number): number {
  return stat(pid)?.self ?? 0;
}

/**
 * CPU seconds of a server and every process it started: itself, the children it has reaped, and
 * the children alive now (PostgreSQL's backends live as long as their connection).
 */
export function treeCpuSeconds(rootPid: number): number {
  const root = stat(rootPid);
  if (!root) return 0;
  let total = root.self + root.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.ppid === rootPid) total += s.self + s.children;
  }
  return total;
}

/** The postmaster's pid of a PostgreSQL data directory. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}
