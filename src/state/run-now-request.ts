/**
 * The one-shot "the user asked for this run" request of `sched run-now`.
 *
 * Through systemd, launchd and Task Scheduler, run-now asks the scheduler to start the installed
 * entry (`systemctl start`, `launchctl kickstart`, `schtasks /Run`), whose command line is the
 * scheduled `sched run --trigger BACKEND JOB`: nothing on it can say "by hand", and the wrapper
 * would apply the late-start rule to a run the user asked for. So run-now first leaves this
 * request in the job's state directory, and the wrapper that takes it runs as a manual run.
 *
 * Taking and withdrawing are both an unlink, which exactly one process wins: either a wrapper
 * took the request (the run is manual), or run-now withdrew it (no run started for it). A request
 * older than {@link RUN_NOW_REQUEST_TTL_MS} (its run-now was killed before it could withdraw it)
 * is dropped, so it can never turn a later scheduled run into a "manual" one. The state directory
 * is the user's own (0700), and the file is created exclusively (O_EXCL follows no symlink).
 */
import fs from 'node:fs';
import path from 'node:path';
import { jobStateDir } from './paths.js';

export const RUN_NOW_REQUEST_FILE = 'run-now.request';
/** How long run-now waits for the scheduler to start the wrapper (generous: a loaded host starts node slowly). */
export const RUN_NOW_WAIT_MS = 60_000;
/** How long a request stays valid: longer than run-now waits, so a request it still waits on is never stale. */
export const RUN_NOW_REQUEST_TTL_MS = 2 * RUN_NOW_WAIT_MS;

export function runNowRequestFile(root: string, project: string, job: string): string {
  return path.join(jobStateDir(root, project, job), RUN_NOW_REQUEST_FILE);
}

interface RequestBody {
  requested_at: string;
  via: string;
}

function readRequest(file: string): RequestBody | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch {
    return undefined; // gone, or a symlink: not a request
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const body = JSON.parse(fs.readFileSync(fd, 'utf8')) as Partial<RequestBody>;
    return typeof body.requested_at === 'string' && typeof body.via === 'string'
      ? { requested_at: body.requested_at, via: body.via }
      : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes `file`; true when this call removed it (false: someone else did, or it never was). */
function unlinkWon(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function fresh(body: RequestBody | undefined, now: Date): body is RequestBody {
  if (!body) return false;
  const age = now.getTime() - Date.parse(body.requested_at);
  return age >= -RUN_NOW_REQUEST_TTL_MS && age <= RUN_NOW_REQUEST_TTL_MS;
}

/**
 * Leaves a request for the next wrapper of the job. Throws when another run-now's request is
 * still waiting (two run-nows of one job at once would otherwise share one request).
 */
export function placeRunNowRequest(root: string, project: string, job: string, via: string, now: Date): void {
  const file = runNowRequestFile(root, project, job);
  const body: RequestBody = { requested_at: now.toISOString(), via };
  // Written aside, then linked into place: a wrapper never sees a half-written request, and the
  // link fails (EEXIST) rather than replace another request.
  const aside = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(aside, JSON.stringify(body) + '\n', { flag: 'wx', mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.linkSync(aside, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (fresh(readRequest(file), now)) {
          throw Object.assign(new Error(`a run-now request for ${job} is already waiting`), {
            code: 'EPENDING',
          });
        }
        unlinkWon(file); // stale: its run-now is gone
      }
    }
    throw new Error(`cannot leave a run-now request in ${path.dirname(file)}`);
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/**
 * The wrapper's side: takes the job's request if there is one. Returns the backend it came
 * through when it is fresh (this run is the one the user asked for), else undefined.
 */
export function takeRunNowRequest(root: string, project: string, job: string, now: Date): string | undefined {
  const file = runNowRequestFile(root, project, job);
  const body = readRequest(file);
  // The common case (a scheduled run, no request): one failed open and one lstat.
  if (body === undefined && !fs.lstatSync(file, { throwIfNoEntry: false })) return undefined;
  if (!unlinkWon(file)) return undefined; // run-now withdrew it, or another wrapper took it
  return fresh(body, now) ? body.via : undefined;
}

/** run-now's side: true when the request was still there and is now withdrawn (no wrapper took it). */
export function withdrawRunNowRequest(root: string, project: string, job: string): boolean {
  return unlinkWon(runNowRequestFile(root, project, job));
}

/** Whether the job's request is still waiting for a wrapper. */
export function runNowRequestWaiting(root: string, project: string, job: string): boolean {
  return fs.existsSync(runNowRequestFile(root, project, job));
}
