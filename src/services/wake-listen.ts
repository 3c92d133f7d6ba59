/**
 * `sched wake-listen`: builds the systemd wake listener (src/backends/systemd/wake-listener.ts)
 * for a project with its real ports. The command owns the signal handlers and the exit code.
 */
import { spawnGdbusMonitor, WakeListener } from '../backends/systemd/wake-listener.js';
import type { SystemdScope } from '../backends/systemd/render.js';
import { UserError } from '../errors.js';
import { isValidJobName, PROJECT_NAME_PATTERN } from '../model/job.js';
import { NodeRunner, systemClock } from '../platform/node.js';
import { writeWakeListenerStatus } from '../state/wake-listener.js';

export interface WakeListenOptions {
  project: string;
  jobs: string[];
  scope: SystemdScope;
  stateRoot: string;
  /** Where journal lines go (stderr). */
  log(line: string): void;
}

export function createWakeListener(options: WakeListenOptions): WakeListener {
  if (!PROJECT_NAME_PATTERN.test(options.project))
    throw new UserError(`invalid project name '${options.project}'`);
  const bad = options.jobs.filter((j) => !isValidJobName(j));
  if (bad.length > 0) throw new UserError(`invalid job name(s): ${bad.join(', ')}`);
  if (options.jobs.length === 0)
    throw new UserError('no wake jobs given', 'the unit sched apply writes lists them after `--`');
  return new WakeListener(options.project, options.jobs, {
    spawnMonitor: () => spawnGdbusMonitor(),
    runner: new NodeRunner(),
    clock: systemClock,
    scope: options.scope,
    pid: process.pid,
    record: (status) => writeWakeListenerStatus(options.stateRoot, options.project, status),
    log: options.log,
  });
}
