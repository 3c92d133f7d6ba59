/**
 * Is the process that holds a lock (or ran a job) still there? The one answer every lock, the
 * run records and the daemon share. On Linux, /proc/<pid>/stat decides: a zombie (`Z`, exited but
 * not yet reaped by its parent) or a dying process (`X`) is dead — it will never release what it
 * holds — and a pid whose start time differs from the recorded one belongs to another process
 * (the pid was reused). Elsewhere only `kill(pid, 0)` can tell.
 */
import fs from 'node:fs';

/** What /proc/<pid>/stat says of a process; undefined when it is gone or there is no /proc. */
export interface ProcessStat {
  /** Field 3: R running, S sleeping, D disk sleep, Z zombie, X dead, T stopped… */
  state: string;
  /** Field 22: when it started, in clock ticks since boot. With the pid it names one process. */
  start: string;
}

/** Reads /proc/<pid>/stat (Linux only). The command name (field 2) may hold spaces and ')'. */
export function readProcessStat(pid: number): ProcessStat | undefined {
  if (process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the last ')' come field 3 (state) onwards, separated by single spaces.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  if (!state || !start) return undefined;
  return { state, start };
}

/**
 * When a process started (Linux: clock ticks since boot, field 22 of /proc/PID/stat); undefined
 * elsewhere or when it is gone. With the pid it identifies a process across pid reuse.
 */
export function processStartTicks(pid: number): string | undefined {
  return readProcessStat(pid)?.start;
}

/**
 * True when process `pid` exists on this host (EPERM: exists, owned by someone else), is not a
 * zombie and, when `start` is given and checkable, is the same process that was recorded (not a
 * reused pid).
 */
export function pidAlive(pid: number, start?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcessStat(pid);
  if (stat === undefined) return true; // no /proc (or it just exited): kill(0) said it was there
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return start === undefined || stat.start === start;
}
