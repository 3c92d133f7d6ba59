/**
 * Makes a plan: loads and validates schedules.yaml, picks the backend, renders what should be
 * installed, reads what is, and lets src/plan/compute decide. No flags, no printing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../config/diagnostic.js';
import { hasErrors } from '../config/diagnostic.js';
import { loadProject } from '../config/load.js';
import { createBackend, selectBackend } from '../backends/registry.js';
import type { Backend, RenderContext } from '../backends/types.js';
import { InvalidConfigError, UserError } from '../errors.js';
import type { BackendName, Job, Project } from '../model/job.js';
import { computeJobPlans, hostFingerprint, summarize } from '../plan/compute.js';
import type { DesiredArtifact, FoundArtifact } from '../plan/compute.js';
import { dstNotes } from '../plan/dst.js';
import { desiredSpecArtifact, installedSpecArtifact } from '../plan/spec-artifacts.js';
import type { JobPlan, Plan } from '../plan/types.js';
import { describeSchedule } from '../schedule/describe.js';
import { nextFireTimes } from '../schedule/occurrences.js';
import { formatInZone } from '../schedule/zoned.js';
import { AppliedSpecStore } from '../state/applied.js';
import { stateLoadCache } from '../state/load-cache.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';
import { hostOptions, renderContext } from './host.js';
import { backendDiagnostics } from './backend-check.js';

export interface PlanRequest {
  file: string;
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
}

/** Loads the file or throws InvalidConfigError with every problem. */
export async function loadValidProject(
  file: string,
  host: HostSettings,
  displayName = file,
): Promise<{ project: Project; diagnostics: Diagnostic[]; source: string }> {
  const cache = stateLoadCache(stateRoot(host.env));
  const loaded = await loadProject(file, { now: host.now, displayName, cache });
  const source = loaded.source ?? '';
  if (!loaded.project || hasErrors(loaded.diagnostics))
    throw new InvalidConfigError(loaded.diagnostics, source);
  return { project: loaded.project, diagnostics: loaded.diagnostics, source };
}

export async function makePlan(request: PlanRequest, host: HostSettings): Promise<PlanOutcome> {
  const file = path.resolve(request.file);
  const { project, diagnostics, source } =
    request.loaded ?? (await loadValidProject(file, host, request.file));
  const ctx = renderContext(host);
  const options = hostOptions(host);
  const selection = await selectBackend(project.backend, options);
  const backend = selection.backend;

  const jobNames = new Set(project.jobs.map((j) => j.name));
  const store = new AppliedSpecStore(ctx.stateDir);
  const applied = await store.list(project.name);
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
    const problems = await backendDiagnostics(backend, project, () => ctx, source, request.file);
    if (problems.length) throw new InvalidConfigError(problems, source);
    const enabled = project.jobs.filter((j) => j.enabled);
    const registered = backend.registersPausedJobs ? project.jobs : enabled;
    for (const job of registered) {
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
  });
  const byName = new Map(project.jobs.map((j) => [j.name, j]));
  for (const jobPlan of jobs) {
    if (request.describeAll || jobPlan.action !== 'no-op')
      describeJob(jobPlan, byName.get(jobPlan.job), backend, host.now);
  }

  const warnings = [
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
    fileHash: request.loaded ? hashText(source) : await hashFile(file),
    hostFingerprint: hostFingerprint(installed),
    createdAt: host.now.toISOString(),
    targets: request.targets?.length ? request.targets : undefined,
    destroy: request.destroy || undefined,
    jobs,
    warnings,
    summary: summarize(jobs),
  };
  return { plan, project, backend, backends, ctx, diagnostics };
}

/** Adds the schedule in words, the next three fire times and DST notes to a job's plan. */
function describeJob(jobPlan: JobPlan, job: Job | undefined, backend: Backend, now: Date): void {
  if (!job || jobPlan.action === 'delete') return;
  jobPlan.schedule = describeSchedule(job.schedule);
  jobPlan.enabled = job.enabled;
  jobPlan.timezone = job.timezone;
  if (job.enabled) {
    jobPlan.nextRuns = nextFireTimes(job.schedule, job.timezone, now, 3).map((d) =>
      formatInZone(d, job.timezone),
    );
    jobPlan.notes.push(...(backend.notes ? backend.notes(job, now) : dstNotes(job, backend.name, now)));
  }
}

export async function hashFile(file: string): Promise<string> {
  const bytes = await readFile(file);
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

export function hashText(text: string): string {
  return 'sha256:' + createHash('sha256').update(text, 'utf8').digest('hex');
}
