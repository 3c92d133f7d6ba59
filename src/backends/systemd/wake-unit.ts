/**
 * Pure rendering of a project's wake listener: `sched-<project>--wake.service`, present when the
 * project has enabled `wake` jobs.
 *
 * systemd timers have no on-resume trigger, but logind announces every suspend on the system bus
 * (`org.freedesktop.login1.Manager.PrepareForSleep`, `false` on resume), which an unprivileged
 * user may listen to. The listener is `sched wake-listen` (src/backends/systemd/wake-listener.ts),
 * a long-running service that starts each wake job's own service on resume — the same unit the
 * job's `OnStartupSec=0` timer starts, so every run goes through `sched run` with the job's
 * environment, working directory, overlap policy and timeout, exactly like a timer fire.
 *
 * The name cannot clash with a job's units: a job name never starts with `-`, so
 * `sched-<project>--wake` is nobody's `sched-<project>-<job>`. A project whose own name ends in
 * `-` could hold that name for one of its jobs; the ownership header tells them apart, as for any
 * other prefix clash.
 *
 * Restart policy: a lost bus connection (dbus restarted) is retried every 10 s; five failures in
 * five minutes leave the unit failed, where `plan` shows it as not registered and `sched status`
 * shows the listener's last error — never a silent stop.
 */
import { contentHash, formatOwnership } from '../header.js';
import type { Artifact, RenderContext } from '../types.js';
import type { Job } from '../../model/job.js';
import { escapeText, renderExecStart, UNIT_PREFIX, type SystemdScope } from './render.js';

/** The listener's unit file name. */
export function wakeListenerName(project: string): string {
  return `${UNIT_PREFIX}${project}--wake.service`;
}

/** True for the listener unit of `project` (not a job unit of a project named `<project>-`). */
export function isWakeListenerUnit(id: string, project: string): boolean {
  return id === wakeListenerName(project);
}

/** The enabled wake jobs of a project, by name (the order the listener starts them in). */
export function wakeJobNames(jobs: readonly Job[]): string[] {
  return jobs
    .filter((j) => j.enabled && j.schedule.kind === 'event' && j.schedule.event === 'wake')
    .map((j) => j.name)
    .sort();
}

/** argv of the listener: `NODE SCHED_BIN wake-listen --project P [--system] [--state-dir D] JOB…`. */
export function wakeListenerArgv(
  project: string,
  jobs: readonly string[],
  ctx: RenderContext,
  scope: SystemdScope,
): string[] {
  return [
    ctx.nodePath,
    ctx.schedBin,
    'wake-listen',
    '--project',
    project,
    ...(scope === 'system' ? ['--system'] : []),
    ...(ctx.explicitStateDir ? ['--state-dir', ctx.explicitStateDir] : []),
    '--',
    ...jobs,
  ];
}

/** The listener unit when the project has enabled wake jobs; nothing otherwise. */
export function renderWakeListener(
  project: string,
  jobs: readonly Job[],
  ctx: RenderContext,
  scope: SystemdScope,
): Artifact[] {
  const names = wakeJobNames(jobs);
  if (names.length === 0) return [];
  const lines = [
    '[Unit]',
    `Description=${escapeText(`sched ${project}: runs its wake jobs when the machine resumes from sleep`)}`,
    'StartLimitIntervalSec=5min',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${renderExecStart(wakeListenerArgv(project, names, ctx, scope))}`,
    'Restart=on-failure',
    'RestartSec=10s',
    '',
    '[Install]',
    `WantedBy=${scope === 'user' ? 'default.target' : 'multi-user.target'}`,
  ];
  const body = lines.join('\n') + '\n';
  const hash = contentHash(body);
  const content = `# ${formatOwnership({ project, job: '', hash })}\n${body}`;
  return [{ id: wakeListenerName(project), job: '', kind: 'wake listener', content, hash }];
}
