/**
 * What the dashboard shows, assembled from the services the CLI uses (status, history, logs,
 * plan, render, doctor) — never a second reading of sched's state. Every payload carries
 * `format_version` and uses snake_case keys; docs/ui.md describes them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff/lib/patch/create.js';
import { UserError } from '../errors.js';
import { maskUrlsInText } from '../notify/mask.js';
import { nextFireTimes } from '../schedule/occurrences.js';
import { clockChanges, formatOffset } from '../schedule/zoned.js';
import { AppliedSpecStore } from '../state/applied.js';
import { stateRoot } from '../state/paths.js';
import { doctor, defaultDoctorDeps, type Finding } from '../services/doctor.js';
import { jobHistory, jobLogTail, type HistoryEntry } from '../services/history.js';
import type { HostSettings } from '../services/host.js';
import { jobIsKnown } from '../services/job-lookup.js';
import { listProjects } from '../services/list.js';
import { projectOfFile } from '../services/apply.js';
import { jobNativeArtifacts } from '../services/render.js';
import { projectStatus, type ProjectStatus, type StatusRow } from '../services/status.js';

export const UI_FORMAT_VERSION = 1;

/** A project the dashboard serves: its name and the schedules.yaml its actions edit (null when gone). */
export interface UiProject {
  name: string;
  file: string | null;
}

/** The status a row is shown with, most urgent first. */
export type UiJobStatus = 'running' | 'failed' | 'overdue' | 'drift' | 'paused' | 'ok';

const FAILED_RESULTS = new Set(['failed', 'timeout', 'interrupted', 'missed']);

export function uiStatus(row: StatusRow): UiJobStatus {
  if (row.result === 'running') return 'running';
  if (row.result && FAILED_RESULTS.has(row.result)) return 'failed';
  if (row.overdue) return 'overdue';
  if (row.drift || row.state === 'missing' || row.state === 'not_applied') return 'drift';
  if (row.state === 'paused') return 'paused';
  return 'ok';
}

/**
 * The projects to serve: the one of `file`, or with `all` every project sched installed for this
 * user (plus the file's, when it is not applied yet).
 */
export async function resolveProjects(file: string, all: boolean, host: HostSettings): Promise<UiProject[]> {
  const projects: UiProject[] = [];
  if (existsSync(file) || !all)
    projects.push({ name: await projectOfFile(file, host), file: path.resolve(file) });
  if (all) {
    for (const p of (await listProjects(host)).projects) {
      if (projects.some((q) => q.name === p.project)) continue;
      projects.push({ name: p.project, file: p.source_exists ? p.source_file : null });
    }
  }
  if (projects.length === 0)
    throw new UserError(
      'no project to show: sched has installed none for this user',
      'Run `sched ui` next to a schedules.yaml, or `sched apply` one first.',
    );
  return projects;
}

/** Backend findings worth a banner (the scheduler that fires the jobs cannot), with doctor's fix. */
export interface Banner {
  id: string;
  status: 'warn' | 'fail';
  message: string;
  fix: string | null;
}

const BANNER_FINDINGS = new Set(['backend', 'reachable', 'linger', 'cron-daemon', 'state-dir']);

export async function backendBanners(project: UiProject, host: HostSettings): Promise<Banner[]> {
  if (!project.file) return [];
  const report = await doctor(project.file, defaultDoctorDeps(host));
  return report.findings
    .filter((f): f is Finding & { status: 'warn' | 'fail' } => f.status !== 'ok' && BANNER_FINDINGS.has(f.id))
    .map((f) => ({ id: f.id, status: f.status, message: f.message, fix: f.fix ?? null }));
}

export interface OverviewRow extends StatusRow {
  ui_status: UiJobStatus;
}

export interface Overview {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  file: string | null;
  backend: string;
  backend_reason: string;
  generated_at: string;
  warnings: string[];
  banners: Banner[];
  counts: Record<UiJobStatus, number>;
  jobs: OverviewRow[];
}

function statusOf(project: UiProject, host: HostSettings): Promise<ProjectStatus> {
  return projectStatus(project.file ? { file: project.file } : { project: project.name }, host);
}

export async function overview(project: UiProject, host: HostSettings, banners: Banner[]): Promise<Overview> {
  const status = await statusOf(project, host);
  const counts: Record<UiJobStatus, number> = {
    running: 0,
    failed: 0,
    overdue: 0,
    drift: 0,
    paused: 0,
    ok: 0,
  };
  const jobs = status.jobs.map((row) => {
    const s = uiStatus(row);
    counts[s]++;
    return { ...row, ui_status: s };
  });
  return {
    format_version: UI_FORMAT_VERSION,
    project: status.project,
    file: project.file,
    backend: status.backend,
    backend_reason: status.backend_reason,
    generated_at: status.generated_at,
    warnings: status.warnings,
    banners,
    counts,
    jobs,
  };
}

export interface TimelineJob {
  job: string;
  timezone: string;
  schedule: string;
  /** Median duration of the last runs (ms); null when it never finished a run. */
  typical_duration_ms: number | null;
  /** Fire times in the window (ISO UTC). */
  fires: string[];
  /** True when there were more fire times than are listed. */
  truncated: boolean;
}

export interface TimelineClockChange {
  timezone: string;
  at: string;
  offset_before: string;
  offset_after: string;
  jobs: string[];
}

export interface Timeline {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  from: string;
  to: string;
  jobs: TimelineJob[];
  clock_changes: TimelineClockChange[];
}

/** Fire times listed per job at most: a job every minute has 10,080 in a week. */
export const MAX_FIRES_PER_JOB = 2100;

/**
 * `hours` of fire times from `from` (default now) of every enabled applied job, with typical
 * durations and the clock changes of the window.
 */
export async function timeline(
  project: UiProject,
  hours: number,
  host: HostSettings,
  from: Date = host.now,
): Promise<Timeline> {
  const root = stateRoot(host.env);
  const to = new Date(from.getTime() + hours * 3600_000);
  const specs = (await new AppliedSpecStore(root).list(project.name)).filter((s) => s.job.enabled);
  const { describeSchedule } = await import('../schedule/describe.js');
  const jobs: TimelineJob[] = [];
  const zones = new Map<string, string[]>();
  for (const spec of specs.sort((a, b) => a.job.name.localeCompare(b.job.name))) {
    const job = spec.job;
    const times = nextFireTimes(job.schedule, job.timezone, from, MAX_FIRES_PER_JOB + 1).filter(
      (t) => t <= to,
    );
    const history = await jobHistory(root, project.name, job.name, 20).catch(() => [] as HistoryEntry[]);
    jobs.push({
      job: job.name,
      timezone: job.timezone,
      schedule: describeSchedule(job.schedule),
      typical_duration_ms: median(history.flatMap((r) => (r.duration_ms === null ? [] : [r.duration_ms]))),
      fires: times.slice(0, MAX_FIRES_PER_JOB).map((t) => t.toISOString()),
      truncated: times.length > MAX_FIRES_PER_JOB,
    });
    zones.set(job.timezone, [...(zones.get(job.timezone) ?? []), job.name]);
  }
  const changes: TimelineClockChange[] = [];
  for (const [zone, names] of zones) {
    for (const c of clockChanges(zone, Math.floor(from.getTime() / 1000), Math.ceil(to.getTime() / 1000))) {
      changes.push({
        timezone: zone,
        at: new Date(c.at * 1000).toISOString(),
        offset_before: formatOffset(c.before),
        offset_after: formatOffset(c.after),
        jobs: names,
      });
    }
  }
  return {
    format_version: UI_FORMAT_VERSION,
    project: project.name,
    from: from.toISOString(),
    to: to.toISOString(),
    jobs,
    clock_changes: changes.sort((a, b) => a.at.localeCompare(b.at)),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** 404 for a job sched has no record of and the file does not name. */
export class UnknownJobError extends UserError {
  constructor(project: string, job: string) {
    super(`no job ${job} in project ${project}`, 'See the overview for the jobs of the project.');
    this.name = 'UnknownJobError';
  }
}

export interface JobDetail {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  job: OverviewRow;
  /** The spec sched applied (notification URLs masked); null when not applied. */
  applied_spec: { backend: string; applied_at: string; source_file: string; job: unknown } | null;
  native_artifacts: { backend: string; id: string; kind: string; content: string; registered: boolean }[];
  /** What apply would change for this job, as unified diffs (empty when in sync). */
  drift: { target: string; id: string; kind: string; action: string; reason: string; diff: string }[];
}

export async function jobDetail(project: UiProject, job: string, host: HostSettings): Promise<JobDetail> {
  const status = await statusOf(project, host);
  const row = status.jobs.find((r) => r.job === job);
  if (!row) throw new UnknownJobError(project.name, job);
  const spec = await new AppliedSpecStore(stateRoot(host.env)).read(project.name, job);
  const artifacts = await jobNativeArtifacts(
    project.file ? { file: project.file } : { project: project.name },
    job,
    host,
  );
  return {
    format_version: UI_FORMAT_VERSION,
    project: project.name,
    job: { ...row, ui_status: uiStatus(row) },
    applied_spec: spec
      ? {
          backend: spec.backend,
          applied_at: spec.appliedAt,
          source_file: spec.sourceFile,
          job: JSON.parse(maskUrlsInText(JSON.stringify(spec.job))) as unknown,
        }
      : null,
    native_artifacts: artifacts.installed.map((a) => ({ ...a, content: maskUrlsInText(a.content) })),
    drift: artifacts.drift.map((d) => ({
      target: d.target,
      id: d.id,
      kind: d.kind,
      action: d.action,
      reason: d.reason,
      diff: maskUrlsInText(
        createTwoFilesPatch(`installed/${d.id}`, `planned/${d.id}`, d.before, d.after, '', '', {
          context: 3,
        }),
      ),
    })),
  };
}

export interface HistoryPage {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  job: string;
  page: number;
  per_page: number;
  total: number;
  runs: HistoryEntry[];
}

function assertKnown(project: UiProject, job: string, host: HostSettings): void {
  if (!jobIsKnown(stateRoot(host.env), project.name, job)) throw new UnknownJobError(project.name, job);
}

/** Page `page` (1-based) of a job's runs, newest first; the runs in progress come first. */
export async function historyPage(
  project: UiProject,
  job: string,
  page: number,
  perPage: number,
  host: HostSettings,
): Promise<HistoryPage> {
  assertKnown(project, job, host);
  const all = await jobHistory(stateRoot(host.env), project.name, job);
  return {
    format_version: UI_FORMAT_VERSION,
    project: project.name,
    job,
    page,
    per_page: perPage,
    total: all.length,
    runs: all.slice((page - 1) * perPage, page * perPage),
  };
}

export interface LogLine {
  time: string;
  stream: string;
  text: string;
}

export interface LogView {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  job: string;
  /** The run the lines are limited to, or null for the job's whole log tail. */
  run: string | null;
  running: boolean;
  lines: LogLine[];
}

/** Log lines kept in view at most. */
export const LOG_TAIL_LINES = 5000;

/** `<ISO instant> <stream> <text>` → its parts (a line of another shape is shown whole). */
export function parseLogLine(line: string): LogLine {
  const m = /^(\S+) (out|err|sched) (.*)$/s.exec(line);
  return m ? { time: m[1]!, stream: m[2]!, text: m[3]! } : { time: '', stream: 'out', text: line };
}

/**
 * The log of a job, or of one run of it (`runId`): the lines written from the run's start to its
 * end. Lines are read through the same tail the CLI's `sched logs` uses.
 */
export async function logView(
  project: UiProject,
  job: string,
  runId: string | null,
  host: HostSettings,
): Promise<LogView> {
  assertKnown(project, job, host);
  const root = stateRoot(host.env);
  let lines = jobLogTail(root, project.name, job, LOG_TAIL_LINES).map(parseLogLine);
  let running = false;
  if (runId) {
    const run = (await jobHistory(root, project.name, job)).find((r) => r.id === runId);
    if (!run) throw new UnknownJobError(project.name, `${job} run ${runId}`);
    running = run.result === 'running';
    lines = linesOfRun(lines, run);
  }
  return { format_version: UI_FORMAT_VERSION, project: project.name, job, run: runId, running, lines };
}

/**
 * The lines of one run: from its start to the wrapper's last line naming it (`run <id> …
 * finished`); a run still going has everything since its start. Without such a line (a log
 * rotated away), up to its recorded end.
 */
function linesOfRun(lines: LogLine[], run: HistoryEntry): LogLine[] {
  const from = lines.findIndex((l) => l.time >= run.start);
  if (from === -1) return [];
  const own = lines.slice(from);
  if (run.end === null) return own;
  const mark = `run ${run.id} `;
  let last = -1;
  own.forEach((l, i) => {
    if (l.stream === 'sched' && l.text.startsWith(mark)) last = i;
  });
  if (last !== -1) return own.slice(0, last + 1);
  const end = run.end;
  return own.filter((l) => l.time <= end);
}
