/** What `sched status` says about a project's systemd wake listener. */
import type { JobPlan } from '../../plan/types.js';
import { REASONS } from '../../plan/types.js';
import type { AppliedSpec } from '../../state/applied.js';
import { readWakeListenerStatus } from '../../state/wake-listener.js';

/**
 * The systemd wake listener (src/backends/systemd/wake-unit.ts) is the project-wide entry that
 * runs `wake` jobs on resume: when it failed or is not running, say so — its jobs still show as
 * scheduled (their start-up timers are fine), so a row would not tell.
 */
export function wakeListenerWarnings({
  stateRoot,
  project,
  applied,
  jobs,
}: {
  stateRoot: string;
  project: string;
  applied: readonly AppliedSpec[];
  jobs: readonly JobPlan[];
}): string[] {
  const wakeJobs = applied.filter(
    (s) =>
      s.backend === 'systemd' &&
      s.job.enabled &&
      s.job.schedule.kind === 'event' &&
      s.job.schedule.event === 'wake',
  );
  if (wakeJobs.length === 0) return [];
  const unit = `sched-${project}--wake.service`;
  const consequence = `wake jobs (${wakeJobs.map((s) => s.job.name).join(', ')}) do not run on resume`;
  let status;
  try {
    status = readWakeListenerStatus(stateRoot, project);
  } catch {
    status = undefined; // an untrusted file: the drift below still says whether it runs
  }
  if (status?.state === 'failed') {
    return [
      `the wake listener ${unit} failed at ${status.since}: ${status.error ?? 'no reason recorded'}. ${consequence}; see \`journalctl --user -u ${unit}\`, fix the cause, then \`sched apply\` restarts it`,
    ];
  }
  const listener = jobs.find((j) => j.job === '');
  const down = listener?.changes.some(
    (c) => c.id === unit && (c.reason === REASONS.notRegistered || c.reason === REASONS.missing),
  );
  return down ? [`the wake listener ${unit} is not running: ${consequence}; \`sched apply\` starts it`] : [];
}
