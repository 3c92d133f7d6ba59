/**
 * Reading runs back: history (newest first), the last run (for `sched status`), and logs. Every
 * reader first turns runs whose process died without recording an end into `interrupted`
 * records, so a kill -9 or a power loss shows up at the next look.
 */
import fs from 'node:fs';
import os from 'node:os';
import { UserError } from '../errors.js';
import { reapOrphanGroup } from '../run/exec.js';
import { readNotifyFailures } from '../notify/failures.js';
import { checkJobName } from '../run/project.js';
import { DEFAULT_KILL_GRACE_MS } from '../run/wrapper.js';
import { tailLog } from '../state/log.js';
import { jobStateDir } from '../state/paths.js';
import { pidAlive, RunStore, type RunRecord } from '../state/runs.js';

export type { RunRecord } from '../state/runs.js';

/** A history entry: the record, with the notifications about its run that failed (masked). */
export type HistoryEntry = RunRecord & { notify_failed?: string[] };

export interface SweepOptions {
  now?: Date;
  host?: string;
  isAlive?: (pid: number, start?: string) => boolean;
  staleMs?: number;
}

async function openStore(
  root: string,
  project: string,
  job: string,
  opts: SweepOptions = {},
): Promise<RunStore> {
  checkJobName(job);
  const store = new RunStore(root, project, job);
  if (fs.existsSync(store.dir)) {
    const grace = Number(process.env.SCHED_KILL_GRACE_MS);
    await store.sweepInterrupted({
      now: opts.now ?? new Date(),
      host: opts.host ?? os.hostname(),
      isAlive: opts.isAlive ?? pidAlive,
      staleMs: opts.staleMs,
      reap: (r) =>
        reapOrphanGroup(
          r.pgid!,
          r.pgid_start,
          Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_KILL_GRACE_MS,
        ),
    });
  }
  return store;
}

/**
 * The last run of a job with interrupted-detection applied: a run whose process is gone comes
 * back as `interrupted`. A run still in progress has `result: 'running'` and `end: null`.
 * Undefined when the job never ran.
 */
export async function lastRun(
  root: string,
  project: string,
  job: string,
  opts: SweepOptions = {},
): Promise<RunRecord | undefined> {
  return (await openStore(root, project, job, opts)).readLast();
}

/** Recorded runs, newest first: the runs in progress first (as `running`), then at most `n` finished ones. */
export async function jobHistory(
  root: string,
  project: string,
  job: string,
  n?: number,
  opts: SweepOptions = {},
): Promise<HistoryEntry[]> {
  const store = await openStore(root, project, job, opts);
  if (!fs.existsSync(store.dir)) {
    throw new UserError(
      `no job ${job} in project ${project} on this host`,
      'has it been applied? see `sched status`',
    );
  }
  const running = store
    .listRunning()
    .map((r) => r.record)
    .sort((a, b) => b.start.localeCompare(a.start));
  const finished: HistoryEntry[] = store.readHistory(n);
  // Failed deliveries show on the newest record of their run (its outcome).
  const failures = readNotifyFailures(root, project, job);
  for (const r of finished) {
    const f = failures.get(r.id);
    if (!f) continue;
    failures.delete(r.id);
    r.notify_failed = f.map((x) => `${x.event} to ${x.target}: ${x.error}`);
  }
  return n === undefined ? [...running, ...finished] : [...running, ...finished].slice(0, n);
}

export function jobLogFile(root: string, project: string, job: string): string {
  checkJobName(job);
  return new RunStore(root, project, job).logFile;
}

/** The last `n` lines of a job's log (across rotated files). */
export function jobLogTail(root: string, project: string, job: string, n: number): string[] {
  const file = jobLogFile(root, project, job);
  if (!fs.existsSync(jobStateDir(root, project, job))) {
    throw new UserError(
      `no job ${job} in project ${project} on this host`,
      'has it been applied? see `sched status`',
    );
  }
  return tailLog(file, n);
}

/**
 * Follows a log like `tail -F`: calls `onText` with what is appended, reopening the file after
 * a rotation. Resolves when `signal` aborts.
 */
export async function followLog(
  file: string,
  onText: (text: string) => void,
  signal: AbortSignal,
  pollMs = 250,
): Promise<void> {
  let pos = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  let ino = fs.statSync(file, { throwIfNoEntry: false })?.ino;
  while (!signal.aborted) {
    await pause(pollMs, signal);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.ino !== ino || st.size < pos) {
      // Rotated (new inode) or truncated: start from the beginning of the new file.
      ino = st.ino;
      pos = 0;
    }
    if (st.size > pos) {
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(st.size - pos);
        fs.readSync(fd, buf, 0, buf.length, pos);
        pos = st.size;
        onText(buf.toString('utf8'));
      } finally {
        fs.closeSync(fd);
      }
    }
  }
}

/**
 * Waits `ms`, or less if `signal` aborts. Removes its abort listener either way: a follow polls
 * for hours, and a listener left per cycle grows memory and trips MaxListenersExceededWarning.
 */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
