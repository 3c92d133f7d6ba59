/**
 * `sched run-now`: start a job now through its backend (systemctl start, launchctl kickstart,
 * schtasks /Run, kubectl create job), or — for crontab and embedded, which have no "start now" —
 * as a detached `sched run`. Either way the run goes through the wrapper and lands in history.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../errors.js';
import { selectBackend } from '../backends/registry.js';
import { AppliedSpecStore } from '../state/applied.js';
import type { HostSettings } from './host.js';
import { hostOptions, renderContext } from './host.js';
import { loadValidProject, type LoadedProject } from './plan.js';

export interface RunNowResult {
  backend: string;
  /** How it was started, for the user. */
  via: string;
}

export async function runNow(
  file: string,
  job: string,
  host: HostSettings,
  loaded?: LoadedProject,
): Promise<RunNowResult> {
  const { project } = loaded ?? (await loadValidProject(path.resolve(file), host, file));
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
    await backend.runNow(project.name, job);
    return { backend: backend.name, via: `${backend.name}` };
  }
  // No --trigger: a start by hand, which the late-start rule must not skip.
  const stateArgs = ctx.explicitStateDir ? ['--state-dir', ctx.explicitStateDir] : [];
  const child = spawn(ctx.nodePath, [ctx.schedBin, 'run', '--project', project.name, ...stateArgs, job], {
    detached: true,
    stdio: 'ignore',
    env: host.env,
  });
  child.unref();
  return { backend: backend.name, via: `a detached \`sched run\` (pid ${child.pid})` };
}
