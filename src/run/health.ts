/**
 * Is a job overdue? Pure: the applied spec, the job's last record, whether a run is active and
 * "now" go in; whether the most recent fire time that should have started a run has none
 * recorded since comes out, with a hint per backend. Used by `sched status`, `sched check` and
 * the metrics. The wrapper cannot record a run that never began (cron stopped, timer disabled,
 * laptop off): this is how sched notices.
 */
import type { BackendName, Job } from '../model/job.js';
import { mostRecentFireTime } from '../schedule/missed.js';
import { fireTimesBetween } from '../schedule/occurrences.js';
import { localFields } from '../schedule/zoned.js';

/** Start latency allowed after a fire time before a run counts as overdue (plus the job's jitter). */
export const DEFAULT_OVERDUE_GRACE_MS = 2 * 60_000;

export interface OverdueInput {
  job: Job;
  backend: BackendName | string;
  /** When the spec was applied: fire times before it were nobody's to run. */
  appliedAt: string;
  /** Start of the job's last record (any result), if any. */
  lastStart?: string;
  /** A run of the job is active now (a queued or long run accounts for its fire time). */
  running: boolean;
  now: Date;
  graceMs?: number;
}

export interface Overdue {
  /** The fire time that has no run recorded. */
  expected: Date;
  /** "expected 02:00, nothing recorded; is the cron daemon running?" */
  message: string;
}

/** What to look at, per backend, when a scheduler did not start a run. */
export function overdueHint(backend: string, job: Pick<Job, 'project' | 'name'>): string {
  const unit = `sched-${job.project}-${job.name}`;
  switch (backend) {
    case 'crontab':
      return 'is the cron daemon running? (systemctl status cron, or pgrep -x cron)';
    case 'systemd':
      return `is the timer active? (systemctl --user list-timers ${unit}.timer; loginctl enable-linger for runs while logged out)`;
    case 'launchd':
      return `is the agent loaded? (launchctl print gui/$UID/dev.sched.${job.project}.${job.name}; was the Mac asleep?)`;
    case 'windows':
      return `is the task enabled? (schtasks /query /tn \\sched\\${job.project}\\${job.name} /v)`;
    case 'embedded':
      return 'is `sched daemon` running? (sched doctor)';
    default:
      return 'is the scheduler running? (sched doctor)';
  }
}

function clock(date: Date, zone: string, now: Date): string {
  const f = localFields(date, zone);
  const n = localFields(now, zone);
  const pad = (v: number) => String(v).padStart(2, '0');
  const time = `${pad(f.hour)}:${pad(f.minute)}`;
  return f.year === n.year && f.month === n.month && f.day === n.day
    ? time
    : `${f.year}-${pad(f.month)}-${pad(f.day)} ${time}`;
}

/**
 * The overdue fire time of a job, or undefined when it is not overdue. Never overdue: paused
 * jobs, boot/wake jobs, Kubernetes jobs (their runs are recorded in the cluster, not here),
 * active runs, and fire times at or before the apply or the last record.
 */
export function overdue(input: OverdueInput): Overdue | undefined {
  const { job, now } = input;
  if (!job.enabled || job.schedule.kind === 'event' || input.backend === 'kubernetes' || input.running)
    return undefined;
  const grace = (input.graceMs ?? DEFAULT_OVERDUE_GRACE_MS) + job.jitterSeconds * 1000;
  const applied = Date.parse(input.appliedAt);
  const last = input.lastStart ? Date.parse(input.lastStart) : Number.NEGATIVE_INFINITY;
  // A run for fire time t starts at or after t: a record since t accounts for it.
  const since = new Date(Math.max(Number.isNaN(applied) ? 0 : applied, last));
  const due = new Date(now.getTime() - grace);
  if (due.getTime() <= since.getTime()) return undefined;
  const fires = (from: Date, to: Date) => fireTimesBetween(job.schedule, job.timezone, from, to);
  const expected = mostRecentFireTime(fires, due, since);
  if (!expected || expected.getTime() < since.getTime()) return undefined;
  return {
    expected,
    message: `expected ${clock(expected, job.timezone, now)}, nothing recorded; ${overdueHint(input.backend, job)}`,
  };
}

/** {@link overdue} of an applied job, read from sched's state (its spec, last record, active runs). */
export async function overdueFromState(
  root: string,
  project: string,
  jobName: string,
  now: Date,
): Promise<Overdue | undefined> {
  const { AppliedSpecStore } = await import('../state/applied.js');
  const { RunStore } = await import('../state/runs.js');
  const spec = await new AppliedSpecStore(root).read(project, jobName).catch(() => undefined);
  if (!spec) return undefined;
  const store = new RunStore(root, project, jobName);
  return overdue({
    job: spec.job,
    backend: spec.backend,
    appliedAt: spec.appliedAt,
    lastStart: store.readLast()?.start,
    running: store.listRunning().length > 0,
    now,
  });
}
