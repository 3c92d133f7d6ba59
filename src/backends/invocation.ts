/**
 * The command line every native entry runs: `sched run` through absolute paths, because cron and
 * launchd start jobs with no useful PATH. Shared by all backends so the wrapper sees one form.
 */
import type { BackendName } from '../model/job.js';
import type { RenderContext } from './types.js';

/**
 * argv of the scheduled invocation of a job: `NODE SCHED_BIN run --project P --trigger BACKEND JOB`.
 * `--trigger` tells `sched run` it was started by the scheduler (not by hand), so it applies
 * late-start and jitter rules the backend has no native form for.
 */
export function runInvocation(
  ctx: RenderContext,
  backend: BackendName,
  project: string,
  job: string,
): string[] {
  return [...scheduledRun(ctx, backend, project), job];
}

/** `NODE SCHED_BIN run --project P --trigger BACKEND [--state-dir DIR]`: one prefix for every entry. */
function scheduledRun(ctx: RenderContext, backend: BackendName, project: string): string[] {
  const stateDir = ctx.explicitStateDir ? ['--state-dir', ctx.explicitStateDir] : [];
  return [ctx.nodePath, ctx.schedBin, 'run', '--project', project, '--trigger', backend, ...stateDir];
}

/** argv of the boot/wake catch-up entry (backends with no native catch-up: crontab, launchd, embedded). */
export function catchUpInvocation(ctx: RenderContext, backend: BackendName, project: string): string[] {
  return [...scheduledRun(ctx, backend, project), '--catch-up'];
}
