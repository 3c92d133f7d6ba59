/**
 * `sched run-now`: start a job now through its backend (systemctl start, launchctl kickstart,
 * schtasks /Run, kubectl create job), or — for crontab and embedded, which have no "start now" —
 * as a detached `sched run`. Either way the run goes through the wrapper and lands in history,
 * as a manual run: a run the user asked for is never "late". The detached `sched run` has no
 * `--trigger`; a scheduler-started entry carries `--trigger`, so run-now leaves a one-shot
 * request the wrapper takes (state/run-now-request.ts) and waits until it is taken. A Kubernetes
 * Job runs the command itself, with no wrapper and no late-start rule.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../errors.js';
import { selectBackend } from '../backends/registry.js';
import { runArgv } from '../backends/invocation.js';
import { AppliedSpecStore } from '../state/applied.js';
import {
  placeRunNowRequest,
  RUN_NOW_WAIT_MS,
  runNowRequestWaiting,
  withdrawRunNowRequest,
} from '../state/run-now-request.js';
import type { HostSettings } from './host.js';
import { hostOptions, renderContext } from './host.js';
import { loadValidProject, type LoadedProject } from './plan.js';

export interface RunNowResult {
  backend: string;
  /** How it was started, for the user. */
  via: string;
}

export interface RunNowOptions {
  /** How long the scheduler has to start the wrapper (default {@link RUN_NOW_WAIT_MS}). */
  waitMs?: number;
  /** Test hook: resolves after `ms`. */
  sleep?: (ms: number) => Promise<void>;
  /** A project already loaded (a library caller's), used instead of reading `file`. */
  loaded?: LoadedProject;
}

export async function runNow(
  file: string,
  job: string,
  host: HostSettings,
  options: RunNowOptions = {},
): Promise<RunNowResult> {
  const { project } = options.loaded ?? (await loadValidProject(path.resolve(file), host, file));
  const ctx = renderContext(host);
  const spec = await new AppliedSpecStore(ctx.stateDir).read(project.name, job);
  if (!spec) {
    const { unknownJobError } = await import('./job-lookup.js');
    throw await unknownJobError({
      root: ctx.stateDir,
      project: project.name,
      job,
      file,
      fileJobs: project.jobs.map((j) => j.name),
    });
  }
  if (!spec.job.enabled)
    throw new UserError(
      `job ${job} is paused (enabled: false)`,
      'Set enabled: true and apply, or use `sched run` to run it by hand.',
    );
  const { backend } = await selectBackend(spec.backend, hostOptions(host));
  if (backend.runNow) {
    if (!backend.runNowStartsEntry) {
      await backend.runNow(project.name, job);
      return { backend: backend.name, via: backend.name };
    }
    await startEntryAsked(
      ctx.stateDir,
      project.name,
      job,
      backend.name,
      () => backend.runNow!(project.name, job),
      options,
    );
    return { backend: backend.name, via: backend.name };
  }
  // No --trigger: a start by hand, which the late-start rule must not skip.
  const argv = runArgv({ project: project.name, stateDir: ctx.explicitStateDir, job });
  const child = spawn(ctx.nodePath, [ctx.schedBin, ...argv], {
    detached: true,
    stdio: 'ignore',
    env: host.env,
  });
  child.unref();
  return { backend: backend.name, via: `a detached \`sched run\` (pid ${child.pid})` };
}

/**
 * Starts the scheduler's entry with a run-now request beside it, and waits until a wrapper took
 * the request. When none did in time, the request is withdrawn and the user told: no run started
 * for it (systemd and launchd start one instance of an entry at a time; a run may be active).
 */
async function startEntryAsked(
  root: string,
  project: string,
  job: string,
  backend: string,
  start: () => Promise<void>,
  options: RunNowOptions,
): Promise<void> {
  const waitMs = options.waitMs ?? RUN_NOW_WAIT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  try {
    placeRunNowRequest(root, project, job, backend, new Date());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPENDING') throw e;
    throw new UserError(
      `another \`sched run-now ${job}\` is waiting for ${backend} to start the job`,
      'Wait for it to finish, then look at `sched history ' + job + '`.',
    );
  }
  try {
    await start();
  } catch (e) {
    withdrawRunNowRequest(root, project, job);
    throw e;
  }
  const deadline = Date.now() + waitMs;
  while (runNowRequestWaiting(root, project, job) && Date.now() < deadline) await sleep(100);
  if (withdrawRunNowRequest(root, project, job)) {
    throw new UserError(
      `${backend} did not start job ${job} within ${Math.round(waitMs / 1000)} s, so no run was started for this request`,
      `Is a run of it still active? ${backend} starts one instance of a job at a time: see \`sched status\` and \`sched history ${job}\`.`,
    );
  }
}
