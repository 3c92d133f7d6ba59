/**
 * Makes a plan: loads and validates schedules.yaml, picks the backend, renders what should be
 * installed, reads what is, and lets src/plan/compute decide. No flags, no printing.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../config/diagnostic.js';
import { hasErrors } from '../config/diagnostic.js';
import { loadProject } from '../config/load.js';
import { backendSettings, createBackend, providerOf, selectBackend } from '../backends/registry.js';
import type { Backend, RenderContext } from '../backends/types.js';
import { InvalidConfigError, UserError } from '../errors.js';
import type { BackendName, Job, Project } from '../model/job.js';
import { isValidProjectName } from '../model/job.js';
import { computeJobPlans, hostFingerprint, summarize } from '../plan/compute.js';
import type { DesiredArtifact, FoundArtifact } from '../plan/compute.js';
import { dstNotes } from '../plan/dst.js';
import { desiredSpecArtifact, installedSpecArtifact } from '../plan/spec-artifacts.js';
import type { JobPlan, Plan } from '../plan/types.js';
import { ScheduleTiming } from '../schedule/timing.js';
import { isValidTimeZone } from '../schedule/zoned.js';
import { AppliedSpecStore } from '../state/applied.js';
import type { AppliedSpec } from '../state/applied.js';
import { stateLoadCache } from '../state/load-cache.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';
import { hostOptions, hostZone, renderContext } from './host.js';
import { backendDiagnostics } from './backend-check.js';

export interface PlanRequest {
  /** The schedules.yaml; ignored when {@link project} is given. */
  file: string;
  /**
   * Plan an installed project from what was applied (its specs in the state dir) instead of a
   * file: `status --project` and `destroy --project` of a project whose checkout is gone.
   */
  project?: string;
  targets?: string[];
  /** Plan the removal of everything the project installed. */
  destroy?: boolean;
  /**
   * Describe every job (words, next runs, notes), not only those that change: `status` shows
   * them all; a plan only needs the changes, and describing 1,000 unchanged jobs is slow.
   */
  describeAll?: boolean;
  /**
   * A project already loaded and valid (a library caller's, built from an object): planned
   * instead of reading `file`, which then only names it. Its hash is the hash of `source`.
   */
  loaded?: LoadedProject;
  /**
   * Called with the backends the plan will read and may write, after the state was read and
   * before the host is: an apply with no prompt takes their target locks here, so the plan's
   * reads are made under every lock its changes need.
   */
  beforeHostRead?: (backends: readonly BackendName[]) => Promise<void>;
}

/** A valid project with the text it was loaded from, as {@link loadValidProject} returns it. */
export interface LoadedProject {
  project: Project;
  diagnostics: Diagnostic[];
  source: string;
}

/** A plan and what it was made with, so apply can execute it without redoing the work. */
export interface PlanOutcome {
  plan: Plan;
  project: Project;
  backend: Backend;
  /** Backends the plan touches (the chosen one, and any the project used before). */
  backends: Map<BackendName, Backend>;
  ctx: RenderContext;
  /** Configuration warnings (not errors) from loading. */
  diagnostics: Diagnostic[];
  /** The project's applied specs as they were before this plan (what the host was told to run). */
  applied: AppliedSpec[];
  /**
   * Where the project came from: its schedules file, the applied state (`--project`), or an
   * object a library caller loaded (no file on disk to re-check before applying).
   */
  origin: 'file' | 'state' | 'object';
  /** What the plan found installed (native artifacts and applied specs), as read. */
  installed: FoundArtifact[];
  /** The store the plan listed the applied specs with: an apply writes through it. */
  store: AppliedSpecStore;
}

/** Loads the file or throws InvalidConfigError with every problem. */
export async function loadValidProject(
  file: string,
  host: HostSettings,
  displayName = file,
): Promise<{ project: Project; diagnostics: Diagnostic[]; source: string }> {
  const cache = stateLoadCache(stateRoot(host.env));
  const hostTimezone = hostZone(host).zone;
  // The same bytes loaded again by this process (apply finds the project's name, then plans
  // under its lock): the first load's result, when the file is unchanged.
  const key = [path.resolve(file), displayName, hostTimezone, host.now.getTime()].join('\0');
  const bytes = await readFile(file).catch(() => undefined);
  const sha = bytes && createHash('sha256').update(bytes).digest('hex');
  const known = loadedInProcess.get(key);
  if (known && sha !== undefined && known.sha === sha) return known.result;
  const loaded = await loadProject(file, {
    now: host.now,
    displayName,
    cache,
    hostTimezone,
    backendSettings: backendSettings(),
  });
  const source = loaded.source ?? '';
  if (!loaded.project || hasErrors(loaded.diagnostics))
    throw new InvalidConfigError(loaded.diagnostics, source);
  const result = { project: loaded.project, diagnostics: loaded.diagnostics, source };
  // Kept only when the text loaded is the text hashed (the file did not change in between).
  if (sha !== undefined && bytes!.toString('utf8') === source) loadedInProcess.set(key, { sha, result });
  return result;
}

/** Valid loads of this process, by file, name, zone and "now" (see loadValidProject). */
const loadedInProcess = new Map<string, { sha: string; result: LoadedProject }>();

export async function makePlan(request: PlanRequest, host: HostSettings): Promise<PlanOutcome> {
  const ctx = renderContext(host);
  const store = new AppliedSpecStore(ctx.stateDir);
  const fromState = request.project !== undefined;
  const { project, diagnostics, source } = fromState
    ? { project: await installedProject(request.project!, store), diagnostics: [], source: '' }
    : (request.loaded ?? (await loadValidProject(path.resolve(request.file), host, request.file)));
  const file = project.file;
  const options = hostOptions(host);
  const selection = await selectBackend(project.backend, options);
  const backend = selection.backend;

  const jobNames = new Set(project.jobs.map((j) => j.name));
  const applied = await store.list(project.name);
  const moved = fromState ? new Set<string>() : jobsAppliedElsewhere(applied, file);
  const targets = request.targets?.length ? new Set(request.targets) : undefined;
  if (targets) {
    const known = new Set([...jobNames, ...applied.map((s) => s.job.name)]);
    const unknown = [...targets].filter((t) => !known.has(t));
    if (unknown.length) {
      throw new UserError(
        `--target names no job of project ${project.name}: ${unknown.join(', ')}`,
        `Jobs in ${path.basename(file)}: ${[...jobNames].join(', ') || '(none)'}`,
      );
    }
  }

  const desired: DesiredArtifact[] = [];
  if (!request.destroy) {
    // Applied jobs were checked when they were applied; one the host can no longer express is
    // left unrendered and shows as drift rather than hiding the others.
    const renderable = (job: Job) => !fromState || backend.check(job, ctx).length === 0;
    if (!fromState) {
      const problems = await backendDiagnostics(backend, project, () => ctx, source, request.file);
      // Warnings (differences the backend accepts) reach the plan as the backend's notes.
      if (hasErrors(problems)) throw new InvalidConfigError(problems, source);
    }
    const enabled = project.jobs.filter((j) => j.enabled);
    const registered = backend.registersPausedJobs ? project.jobs : enabled;
    for (const job of registered.filter(renderable)) {
      for (const a of backend.render(job, ctx)) desired.push({ ...a, target: backend.name });
    }
    for (const a of backend.renderProject?.(project.name, enabled, ctx) ?? [])
      desired.push({ ...a, target: backend.name });
    for (const job of project.jobs) desired.push(desiredSpecArtifact(backend.name, job));
  }

  // Read the chosen backend, and any other backend this project's jobs were applied to before
  // (switching `backend:` must remove the old entries, not leave them running).
  const backends = new Map<BackendName, Backend>([[backend.name, backend]]);
  for (const spec of applied) {
    if (!backends.has(spec.backend)) backends.set(spec.backend, await createBackend(spec.backend, options));
  }
  await request.beforeHostRead?.([...backends.keys()]);
  const installed: FoundArtifact[] = applied.map(installedSpecArtifact);
  for (const b of backends.values()) {
    b.useJobs?.(applied.filter((s) => s.backend === b.name).map((s) => s.job));
    for (const a of await b.readInstalled(project.name)) installed.push({ ...a, target: b.name });
  }

  const jobs = computeJobPlans({
    desired,
    installed,
    previouslyApplied: new Set(applied.map((s) => s.job.name)),
    paused: new Set(project.jobs.filter((j) => !j.enabled).map((j) => j.name)),
    targets,
    destroy: request.destroy,
    moved,
  });
  const byName = new Map(project.jobs.map((j) => [j.name, j]));
  const timing = new ScheduleTiming(host.now);
  for (const jobPlan of jobs) {
    if (request.describeAll || jobPlan.action !== 'no-op')
      describeJob(jobPlan, byName.get(jobPlan.job), backend, timing);
  }

  const zone = request.destroy ? undefined : hostZoneUsed(project, host);
  const warnings = [
    ...(zone?.warning ? [zone.warning] : []),
    ...diagnostics
      .filter((d) => d.severity === 'warning')
      .map((d) => `${path.basename(d.file)}:${d.line}:${d.col}: ${d.message}`),
    ...((await backend.warnings?.()) ?? []),
  ];
  const plan: Plan = {
    format_version: 1,
    project: project.name,
    backend: backend.name,
    backendReason: selection.reason,
    file,
    fileHash: fromState ? 'none' : request.loaded ? hashText(source) : await hashFile(file),
    hostFingerprint: hostFingerprint(installed),
    createdAt: host.now.toISOString(),
    targets: request.targets?.length ? request.targets : undefined,
    destroy: request.destroy || undefined,
    installedFrom: moved.size ? installedFrom(applied, file) : undefined,
    jobs,
    ...(zone ? { hostTimezone: { zone: zone.zone, source: zone.source } } : {}),
    warnings,
    summary: summarize(jobs),
  };
  const origin = fromState ? 'state' : request.loaded ? 'object' : 'file';
  return { plan, project, backend, backends, ctx, diagnostics, applied, origin, installed, store };
}

/** A file's identity across symlinked paths (`/home/me/src` vs its real path). */
function samePath(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Jobs whose applied spec records another schedules.yaml than `file`. A spec without a
 * readable source (hand-written, damaged) is not counted: nothing says it is elsewhere.
 */
export function jobsAppliedElsewhere(applied: readonly AppliedSpec[], file: string): Set<string> {
  return new Set(
    applied
      .filter((s) => typeof s.sourceFile === 'string' && s.sourceFile && !samePath(s.sourceFile, file))
      .map((s) => s.job.name),
  );
}

/** The other schedules.yaml the project was last applied from. */
function installedFrom(applied: readonly AppliedSpec[], file: string): string | undefined {
  return [...applied]
    .filter((s) => typeof s.sourceFile === 'string' && s.sourceFile && !samePath(s.sourceFile, file))
    .sort((a, b) => b.appliedAt.localeCompare(a.appliedAt))[0]?.sourceFile;
}

/**
 * A project as it was applied, rebuilt from its specs in the state dir: jobs, the backend they
 * were applied to last, and the file they came from. Throws UserError when nothing is installed.
 */
export async function installedProject(name: string, store: AppliedSpecStore): Promise<Project> {
  if (!isValidProjectName(name)) {
    throw new UserError(
      `'${name}' is not a project name (lowercase letters, digits and '-')`,
      'Run `sched list` to see the projects sched installed for this user.',
    );
  }
  const specs = await store.list(name);
  if (specs.length === 0) {
    throw new UserError(
      `no project ${name} is installed for this user`,
      'Run `sched list` to see the projects sched installed for this user.',
    );
  }
  const latest = [...specs].sort((a, b) => b.appliedAt.localeCompare(a.appliedAt))[0]!;
  return {
    name,
    file: typeof latest.sourceFile === 'string' ? latest.sourceFile : '',
    backend: latest.backend,
    jobs: specs.map((s) => s.job),
  };
}

/**
 * The host zone the jobs with no `timezone:` run in, for the plan to say so; with a warning when
 * this shell's `$TZ` names another zone (the scheduler never sees it: the jobs do not run in it).
 */
function hostZoneUsed(
  project: Project,
  host: HostSettings,
): { zone: string; source: string; warning?: string } | undefined {
  const used = project.hostZone;
  if (!used || used.jobs.length === 0) return undefined;
  const { zone, source } = hostZone(host);
  const tz = host.env.TZ?.replace(/^:/, '');
  const shellZone = tz && isValidTimeZone(tz) ? tz : undefined;
  const differs =
    shellZone !== undefined &&
    new Intl.DateTimeFormat('en-US', { timeZone: shellZone }).resolvedOptions().timeZone !== zone;
  return {
    zone,
    source,
    ...(differs
      ? {
          warning: `TZ=${tz} is set here, but the scheduler does not see it: ${used.jobs.join(', ')} run${used.jobs.length === 1 ? 's' : ''} in the host's zone, ${zone} (from ${source}). To run a job in ${shellZone}, set \`timezone: ${shellZone}\` on it or in defaults.`,
        }
      : {}),
  };
}

/** Adds the schedule in words, the next three fire times and DST notes to a job's plan. */
function describeJob(jobPlan: JobPlan, job: Job | undefined, backend: Backend, timing: ScheduleTiming): void {
  if (!job || jobPlan.action === 'delete') return;
  jobPlan.schedule = timing.describe(job.schedule);
  jobPlan.enabled = job.enabled;
  jobPlan.timezone = job.timezone;
  if (job.enabled) {
    jobPlan.nextRuns = timing.nextRuns(job.schedule, job.timezone, 3);
    const now = timing.now;
    jobPlan.notes.push(
      ...(backend.notes ? backend.notes(job, now) : dstNotes(job, providerOf(backend.name), now)),
    );
  }
}

export async function hashFile(file: string): Promise<string> {
  const bytes = await readFile(file);
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

export function hashText(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}
