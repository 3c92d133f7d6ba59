/**
 * sched as a library: the services the CLI uses, typed, for programs that register and inspect
 * their own schedules. Nothing here prints or exits the process; every failure is a thrown
 * error of a type exported below ({@link UserError} and its kinds — {@link InvalidConfigError}
 * carries the configuration's diagnostics).
 *
 * Stability: the names and signatures exported from this module follow semver (see docs/api.md).
 * Everything else in the package is internal and may change in any release.
 *
 * @packageDocumentation
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { hasErrors, sortDiagnostics, type Diagnostic } from './config/diagnostic.js';
import { loadProjectText } from './config/load.js';
import { InvalidConfigError, UserError } from './errors.js';
import { backendSettings } from './backends/registry.js';
import type { RenderedFile } from './backends/types.js';
import type { BackendName, Project } from './model/job.js';
import type { Plan } from './plan/types.js';
import { checkSavedPlan, executePlan } from './services/apply.js';
import { jobHistory, jobLogTail, type RunRecord } from './services/history.js';
import { defaultHost, renderContext, type HostSettings } from './services/host.js';
import { loadValidProject, makePlan, type LoadedProject } from './services/plan.js';
import { renderProjectFiles } from './services/render.js';
import { runNow as runNowService, type RunNowResult } from './services/run-now.js';
import { scheduleInfo, type ScheduleInfo } from './services/schedule-info.js';
import { projectStatus, type ProjectStatus } from './services/status.js';
import { validateFile, type ValidateResult } from './services/validate.js';

export {
  UserError,
  InvalidConfigError,
  ExternalCommandError,
  InexpressibleError,
  FileSystemError,
  UsageError,
  BugError,
} from './errors.js';
export type { Diagnostic, Severity } from './config/diagnostic.js';
export { BACKENDS, EVENT_PRESETS, NOTIFY_EVENTS, OVERLAP_POLICIES } from './model/job.js';
export type {
  BackendChoice,
  BackendName,
  Command,
  Job,
  KubernetesSettings,
  Notifier,
  NotifyEvent,
  OverlapPolicy,
  Project,
  Retries,
  Schedule,
  ScheduleEvent,
} from './model/job.js';
export { REASONS } from './plan/types.js';
export type { ChangeTarget, JobAction, JobPlan, Plan, PlannedArtifactChange, Reason } from './plan/types.js';
export type {
  Artifact,
  ArtifactChange,
  ChangeAction,
  InstalledArtifact,
  RenderedFile,
} from './backends/types.js';
export type { RunRecord } from './services/history.js';
export { RUN_RESULTS } from './state/runs.js';
export type { RunResultKind } from './state/runs.js';
export type { RunNowResult } from './services/run-now.js';
export type { ScheduleInfo } from './services/schedule-info.js';
export { STATUS_FORMAT_VERSION } from './services/status.js';
export type { JobState, ProjectStatus, StatusRow } from './services/status.js';

/** Where sched keeps its state and what "now" is. Default: `process.env` and the current time. */
export interface HostOptions {
  /** Environment to read `SCHED_HOME`, `HOME`, `PATH`… from. */
  env?: NodeJS.ProcessEnv;
  /** The current time (tests pin it). */
  now?: Date;
}

/** A loaded, valid project: what {@link plan}, {@link status} and the others work on. */
export interface SchedProject {
  /** The project name (`project:` in the file, else the folder's name). */
  readonly name: string;
  /** The schedules file; for a project built from an object, where it counts as living. */
  readonly file: string;
  /** True when built by {@link projectFromObject}. */
  readonly fromObject: boolean;
  /** The resolved jobs, with every default applied. */
  readonly definition: Project;
  /** Warnings from validation (errors never reach a project). */
  readonly warnings: readonly Diagnostic[];
  /** The schedules text the project was loaded from (YAML). */
  readonly source: string;
}

/** Where an object-built project lives and how it is named in diagnostics. */
export interface ObjectProjectOptions extends HostOptions {
  /**
   * The folder relative `working_dir` and `env_file` are resolved against, and whose name is the
   * project name when the object has no `project`. Default: the current directory.
   */
  dir?: string;
  /** The name diagnostics give the object. Default: `<object>`. */
  displayName?: string;
}

function hostOf(options: HostOptions = {}): HostSettings {
  return defaultHost({
    // The locks of an apply name the program that holds them, as they did before services
    // stopped reading process.argv themselves.
    commandLine: ['sched', ...process.argv.slice(2)].join(' '),
    ...(options.env ? { env: options.env } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

function toProject(loaded: LoadedProject, fromObject: boolean): SchedProject {
  return {
    name: loaded.project.name,
    file: loaded.project.file,
    fromObject,
    definition: loaded.project,
    warnings: loaded.diagnostics.filter((d) => d.severity === 'warning'),
    source: loaded.source,
  };
}

function loadedOf(project: SchedProject): LoadedProject {
  return { project: project.definition, diagnostics: [...project.warnings], source: project.source };
}

/**
 * Loads and validates a schedules file. Throws {@link InvalidConfigError} (with every
 * diagnostic) when it does not validate, {@link UserError} when it cannot be read.
 */
export async function loadProject(file: string, options: HostOptions = {}): Promise<SchedProject> {
  const host = hostOf(options);
  const { project, diagnostics } = await validate(file, options);
  if (!project) throw new InvalidConfigError(diagnostics);
  const loaded = await loadValidProject(path.resolve(file), host, file);
  return toProject(loaded, false);
}

/**
 * Builds a project from an object shaped like schedules.yaml (keys `project`, `backend`,
 * `defaults` and `jobs`, a map from job name to job), with the same schema and checks as a file. Throws
 * {@link InvalidConfigError} with the diagnostics when it does not validate; their positions
 * are lines of the object written out as YAML ({@link SchedProject.source}).
 */
export async function projectFromObject(
  object: Record<string, unknown>,
  options: ObjectProjectOptions = {},
): Promise<SchedProject> {
  const result = await validateObject(object, options);
  if (!result.project) throw new InvalidConfigError(result.diagnostics, result.source);
  return toProject(
    { project: result.project, diagnostics: result.diagnostics, source: result.source ?? '' },
    true,
  );
}

/**
 * Validates a schedules file, or an object shaped like one, without throwing for what is wrong
 * in it: `valid`, the sorted diagnostics (warnings too) and, when valid, the resolved project.
 */
export async function validate(
  fileOrObject: string | Record<string, unknown>,
  options: ObjectProjectOptions = {},
): Promise<ValidateResult> {
  if (typeof fileOrObject !== 'string') return await validateObject(fileOrObject, options);
  return await validateFile(fileOrObject, options.now ? { now: options.now } : {});
}

export type { ValidateResult } from './services/validate.js';

async function validateObject(
  object: Record<string, unknown>,
  options: ObjectProjectOptions,
): Promise<ValidateResult> {
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    throw new UserError(
      'projectFromObject needs an object shaped like schedules.yaml',
      'e.g. { jobs: { … } }',
    );
  const display = options.displayName ?? '<object>';
  const source = stringify(object);
  // The file name only anchors relative paths and the default project name; it is never read.
  const file = path.join(path.resolve(options.dir ?? '.'), 'schedules.yaml');
  const result = await loadProjectText(source, file, {
    displayName: display,
    backendSettings: backendSettings(),
    ...(options.now ? { now: options.now } : {}),
  });
  const diagnostics = sortDiagnostics(result.diagnostics);
  const valid = !!result.project && !hasErrors(diagnostics);
  return { file: display, valid, diagnostics, source, ...(valid ? { project: result.project } : {}) };
}

/** What to plan. */
export interface PlanOptions extends HostOptions {
  /** Only these jobs. */
  targets?: string[];
  /** Plan the removal of everything the project installed. */
  destroy?: boolean;
}

/** The project each plan was made from, so that apply re-checks the very same input. */
const planSources = new WeakMap<Plan, SchedProject>();

/**
 * What apply would change on this host (the same plan `sched plan --json` shows). Reads the
 * backend; changes nothing.
 */
export async function plan(project: SchedProject, options: PlanOptions = {}): Promise<Plan> {
  const outcome = await makePlan(
    { file: project.file, targets: options.targets, destroy: options.destroy, loaded: loadedOf(project) },
    hostOf(options),
  );
  planSources.set(outcome.plan, project);
  return outcome.plan;
}

/** Apply's consent. Without `confirm: true` nothing is changed. */
export interface ApplyOptions extends HostOptions {
  confirm: boolean;
}

/**
 * Applies a plan made by {@link plan} (or one read back from `sched plan --out`), after checking
 * it is still what a fresh plan gives: refused with a {@link UserError} when the schedules or
 * what is installed changed since, and when `confirm` is not true. Returns the plan's summary.
 * A plan of an object-built project must be the very object {@link plan} returned (it has no
 * file to re-read); a plan of a file may also be one saved as JSON.
 */
export async function apply(planned: Plan, options: ApplyOptions): Promise<Plan['summary']> {
  if (options?.confirm !== true)
    throw new UserError(
      'apply changes the host and needs { confirm: true }',
      'Review the plan, then pass confirm: true.',
    );
  const host = hostOf(options);
  const project = planSources.get(planned);
  const fresh = await checkSavedPlan(planned, host, project?.fromObject ? loadedOf(project) : undefined);
  return await executePlan(planned, fresh, host);
}

/**
 * Removes everything the project installed (all jobs, or `targets`): plans the removal and
 * applies it. Needs `confirm: true`, like {@link apply}.
 */
export async function destroy(
  project: SchedProject,
  options: ApplyOptions & { targets?: string[] },
): Promise<Plan['summary']> {
  if (options?.confirm !== true)
    throw new UserError('destroy removes jobs and needs { confirm: true }', 'Pass confirm: true.');
  const planned = await plan(project, { ...options, destroy: true });
  return await apply(planned, options);
}

/** One row per job: schedule, next run, last run and result, drift. */
export async function status(project: SchedProject, options: HostOptions = {}): Promise<ProjectStatus> {
  const loaded = loadedOf(project);
  return await projectStatus(loaded ? { loaded } : { file: project.file }, hostOf(options));
}

/**
 * A job's recorded runs, newest first (runs in progress first). `limit` finished runs at most
 * (default 20). Throws {@link UserError} for a job with no record on this host.
 */
export async function history(
  project: SchedProject,
  job: string,
  options: HostOptions & { limit?: number } = {},
): Promise<RunRecord[]> {
  const host = hostOf(options);
  return await jobHistory(renderContext(host).stateDir, project.name, job, options.limit ?? 20, {
    now: host.now,
  });
}

/** The last `lines` lines (default 100) of a job's log. */
export function logTail(
  project: SchedProject,
  job: string,
  options: HostOptions & { lines?: number } = {},
): string[] {
  return jobLogTail(renderContext(hostOf(options)).stateDir, project.name, job, options.lines ?? 100);
}

/** What {@link next} describes: an expression, macro or preset, or a job of a project. */
export type NextInput = string | { project: SchedProject; job: string };

/**
 * The next fire times of a schedule, in words, with the clock-change notes of the coming year.
 * A job's own zone is used unless `zone` is given; an expression defaults to the host's zone.
 */
export function next(
  input: NextInput,
  options: { zone?: string; from?: Date; count?: number } = {},
): ScheduleInfo {
  if (typeof input === 'string') return scheduleInfo(input, options);
  const job = input.project.definition.jobs.find((j) => j.name === input.job);
  if (!job) throw unknownJob(input.project, input.job);
  return scheduleInfo(job.schedule, { ...options, zone: options.zone ?? job.timezone });
}

/** The native files the project becomes on `backend`, without touching the host. */
export async function render(
  project: SchedProject,
  backend: BackendName,
  options: HostOptions = {},
): Promise<RenderedFile[]> {
  return await renderProjectFiles(project.file, backend, hostOf(options), [], loadedOf(project));
}

/**
 * Starts an applied job now, through its backend; the run is recorded like a scheduled one.
 * Returns as soon as it started.
 */
export async function runNow(
  project: SchedProject,
  job: string,
  options: HostOptions = {},
): Promise<RunNowResult> {
  const loaded = loadedOf(project);
  return await runNowService(project.file, job, hostOf(options), loaded ? { loaded } : {});
}

function unknownJob(project: SchedProject, job: string): UserError {
  const names = project.definition.jobs.map((j) => j.name);
  return new UserError(
    `no job ${job} in project ${project.name}`,
    names.length ? `Jobs: ${names.join(', ')}.` : 'The project has no jobs.',
  );
}
