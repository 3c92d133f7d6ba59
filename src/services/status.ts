/**
 * `sched status`: one row per job saying what the HOST will do — the schedule sched applied (or
 * the one a hand edit put in the native entry), the next fire time from that, paused or not —
 * with the last run, how it ended, and the drift from the file (what `plan` would change).
 * No flags, no printing.
 */
import type { Job, Schedule } from '../model/job.js';
import type { JobPlan } from '../plan/types.js';
import { REASONS } from '../plan/types.js';
import { describeSchedule } from '../schedule/describe.js';
import { nextFireTimes } from '../schedule/occurrences.js';
import type { AppliedSpec } from '../state/applied.js';
import type { RunRecord } from '../state/runs.js';
import type { HostSettings } from './host.js';
import { overdueFromState } from '../run/health.js';
import { lastRun } from './history.js';
import { nativeSchedules, type NativeSchedule } from './installed-schedule.js';
import { makePlan, type LoadedProject } from './plan.js';
import { providerOf } from '../backends/registry.js';

/** Warn this long before a timer's clock-change compensation ends (`sched apply` renews it). */
const EXPIRY_WARNING_MS = 366 * 86_400_000;
import type { FoundArtifact } from '../plan/compute.js';

export const STATUS_FORMAT_VERSION = 1;

/**
 * What the host does with a job:
 * - `scheduled`: installed and enabled, it fires at `next_run`;
 * - `paused`: installed paused, nothing fires it;
 * - `missing`: applied, but its native entry is gone or not loaded — nothing fires it;
 * - `not_applied`: in the file only, `sched apply` has not installed it.
 */
export type JobState = 'scheduled' | 'paused' | 'missing' | 'not_applied';

export interface StatusRow {
  job: string;
  backend: string;
  state: JobState;
  /** The schedule the host fires the job on, in words; null when nothing is installed. */
  schedule: string | null;
  /** True when the schedule was read from a native entry edited by hand (not what sched wrote). */
  schedule_edited_by_hand: boolean;
  /** The schedule in schedules.yaml, in words; null when the job is not in the file. */
  file_schedule: string | null;
  /** The zone the host fires the job in. */
  timezone: string | null;
  /** Next fire time on the host (ISO-8601, UTC); null when paused, not installed or unknown. */
  next_run: string | null;
  /** Start of the last run (ISO-8601, UTC). */
  last_run: string | null;
  result: RunRecord['result'] | null;
  exit_code: number | null;
  duration_ms: number | null;
  /** What plan would do about this job (`edited by hand`, `missing`…); null when in sync. */
  drift: string | null;
  /** A fire time passed with no run recorded: "expected 02:00, nothing recorded; …"; null otherwise. */
  overdue: string | null;
  /**
   * The day (YYYY-MM-DD) until which the installed systemd timer fires as Debian cron at the clock
   * changes of its zone (its explicit OnCalendar= lines); null when the timer needs none.
   */
  clock_changes_until: string | null;
}

export interface ProjectStatus {
  format_version: typeof STATUS_FORMAT_VERSION;
  project: string;
  backend: string;
  backend_reason: string;
  /** The schedules.yaml read, or (for `--project`) the one the project was applied from. */
  file: string;
  /** The schedules.yaml the project is installed from when it is not `file`. */
  installed_from: string | null;
  /** The instant the status was taken (ISO-8601, UTC): relative times count from it. */
  generated_at: string;
  warnings: string[];
  jobs: StatusRow[];
}

/**
 * Which project: a schedules.yaml, an installed project by name (`--project`), or a project
 * already loaded by a library caller (planned instead of reading a file).
 */
export type StatusSource = { file: string } | { project: string } | { loaded: LoadedProject };

export async function projectStatus(source: StatusSource, host: HostSettings): Promise<ProjectStatus> {
  const request =
    'project' in source
      ? { file: '', project: source.project, describeAll: true }
      : 'loaded' in source
        ? { file: source.loaded.project.file, loaded: source.loaded, describeAll: true }
        : { file: source.file, describeAll: true };
  const { plan, project, ctx, applied, installed } = await makePlan(request, host);
  const fromState = 'project' in source;
  const planned = new Map(plan.jobs.map((j) => [j.job, j]));
  const specs = new Map(applied.map((s) => [s.job.name, s]));
  const inFile = new Map(fromState ? [] : project.jobs.map((j) => [j.name, j]));
  const names = [...new Set([...inFile.keys(), ...specs.keys()])].sort();
  const rows: StatusRow[] = [];
  for (const name of names) {
    const last = await lastRun(ctx.stateDir, project.name, name);
    const jobPlan = planned.get(name);
    rows.push({
      job: name,
      ...hostView(specs.get(name), jobPlan, ctx.hostTimezone, host.now),
      backend: specs.get(name)?.backend ?? plan.backend,
      file_schedule: fileSchedule(inFile.get(name)),
      last_run: last?.start ? new Date(last.start).toISOString() : null,
      result: last?.result ?? null,
      exit_code: last?.exit_code ?? null,
      duration_ms: last?.duration_ms ?? null,
      drift: jobPlan && jobPlan.action !== 'no-op' ? jobPlan.reasons.join(', ') : null,
      overdue: (await overdueFromState(ctx.stateDir, project.name, name, host.now))?.message ?? null,
      clock_changes_until: clockChangesUntil(installed, name),
    });
  }
  const expiring = rows.flatMap((r) => {
    const text = clockChangeExpiry(r, host.now);
    return text ? [`${r.job}: ${text}`] : [];
  });
  return {
    format_version: STATUS_FORMAT_VERSION,
    project: plan.project,
    backend: plan.backend,
    backend_reason: plan.backendReason,
    file: plan.file,
    installed_from: plan.installedFrom ?? null,
    generated_at: host.now.toISOString(),
    warnings: [
      ...plan.warnings,
      ...(providerOf(plan.backend).statusWarnings?.({
        stateRoot: ctx.stateDir,
        project: project.name,
        applied,
        jobs: plan.jobs,
      }) ?? []),
      ...expiring,
    ],
    jobs: rows,
  };
}

/** The end of the clock-change compensation of the job's installed timer, if its backend has one. */
function clockChangesUntil(installed: readonly FoundArtifact[], job: string): string | null {
  for (const a of installed) {
    if (a.job !== job || a.recordedHash === undefined || a.target === 'state') continue;
    const until = providerOf(a.target).clockChangesUntil?.(a);
    if (until) return until.toISOString().slice(0, 10);
  }
  return null;
}

/**
 * A warning when the job's timer stops following Debian cron at clock changes within a year (or
 * already has); `sched apply` renders a new window then. Undefined otherwise.
 */
export function clockChangeExpiry(
  row: Pick<StatusRow, 'clock_changes_until'>,
  now: Date,
): string | undefined {
  if (row.clock_changes_until === null) return undefined;
  const until = Date.parse(`${row.clock_changes_until}T00:00:00Z`);
  if (until - now.getTime() >= EXPIRY_WARNING_MS) return undefined;
  const when = until <= now.getTime() ? 'ended' : 'ends';
  return `the clock-change compensation of its systemd timer ${when} on ${row.clock_changes_until}: after that, runs in a DST gap or a repeated hour no longer happen as Debian cron runs them. Run \`sched apply\` to renew it.`;
}

function fileSchedule(job: Job | undefined): string | null {
  return job ? describeSchedule(job.schedule) : null;
}

type HostView = Pick<StatusRow, 'state' | 'schedule' | 'schedule_edited_by_hand' | 'timezone' | 'next_run'>;

/** What the host does with a job, from its applied spec and what the plan found installed. */
function hostView(
  spec: AppliedSpec | undefined,
  jobPlan: JobPlan | undefined,
  hostZone: string,
  now: Date,
): HostView {
  if (!spec) {
    return {
      state: 'not_applied',
      schedule: null,
      schedule_edited_by_hand: false,
      timezone: null,
      next_run: null,
    };
  }
  const job = spec.job;
  const base = {
    schedule: describeSchedule(job.schedule),
    schedule_edited_by_hand: false,
    timezone: job.timezone,
  };
  if (!job.enabled) return { ...base, state: 'paused', next_run: null };
  const native = (jobPlan?.changes ?? []).filter((c) => c.target !== 'state');
  // A native entry gone or not loaded: nothing fires the job until `apply` puts it back.
  if (native.some((c) => c.reason === REASONS.missing || c.reason === REASONS.notRegistered))
    return { ...base, state: 'missing', next_run: null };
  const edited = native.filter((c) => c.reason === REASONS.handEdited && c.before);
  if (edited.length === 0) {
    return {
      ...base,
      state: 'scheduled',
      next_run: nextRun([{ schedule: job.schedule, timezone: job.timezone }], now),
    };
  }
  // Edited by hand: the host fires what the entry says now, if sched can read it.
  const read = edited.map((c) => nativeSchedules(c.before!, hostZone));
  const schedules = read.every((r) => r !== undefined) ? read.flat().filter(hasSchedule) : [];
  if (schedules.length === 0) {
    return {
      state: 'scheduled',
      schedule: null,
      schedule_edited_by_hand: true,
      timezone: null,
      next_run: null,
    };
  }
  return {
    state: 'scheduled',
    schedule: schedules.map((s) => describeSchedule(s.schedule)).join('; '),
    schedule_edited_by_hand: true,
    timezone: schedules[0]!.timezone,
    next_run: nextRun(schedules, now),
  };
}

function hasSchedule(s: NativeSchedule | undefined): s is NativeSchedule {
  return s !== undefined;
}

/** The earliest next fire time over `schedules`, ISO UTC; null for events and past one-shots. */
function nextRun(schedules: readonly { schedule: Schedule; timezone: string }[], now: Date): string | null {
  const times = schedules
    .flatMap((s) => nextFireTimes(s.schedule, s.timezone, now, 1))
    .map((d) => d.getTime());
  return times.length ? new Date(Math.min(...times)).toISOString() : null;
}
