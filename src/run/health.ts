/**
 * Is a job overdue? Pure: the applied spec, the job's last record, whether a run is active and
 * "now" go in; whether the most recent fire time that should have started a run has none
 * recorded since comes out, with a hint per backend. Used by `sched status`, `sched check` and
 * the metrics. The wrapper cannot record a run that never began (cron stopped, timer disabled,
 * laptop off): this is how sched notices.
 */
import type { Job } from '../model/job.js';
import { mostRecentFireTime } from '../schedule/missed.js';
import type { SpecCapabilities } from '../state/applied.js';
import { fireTimesBetween } from '../schedule/occurrences.js';
import { localFields } from '../schedule/zoned.js';

/** Start latency allowed after a fire time before a run counts as overdue (plus the job's jitter). */
export const DEFAULT_OVERDUE_GRACE_MS = 2 * 60_000;

export interface OverdueInput {
  job: Job;
  /** What the job's backend does (from the applied spec): whether its runs are recorded here, the hint. */
  capabilities: Pick<SpecCapabilities, 'runsRecordedHere' | 'overdueHint'>;
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
 * jobs, boot/wake jobs, jobs whose backend records runs elsewhere (a Kubernetes cluster),
 * active runs, and fire times at or before the apply or the last record.
 */
export function overdue(input: OverdueInput): Overdue | undefined {
  const { job, now } = input;
  if (!job.enabled || job.schedule.kind === 'event' || !input.capabilities.runsRecordedHere || input.running)
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
    message: `expected ${clock(expected, job.timezone, now)}, nothing recorded; ${input.capabilities.overdueHint}`,
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
    capabilities: spec.capabilities,
    appliedAt: spec.appliedAt,
    lastStart: store.readLast()?.start,
    running: store.listRunning().length > 0,
    now,
  });
}
