/**
 * `sched status`: one row per job — backend, schedule in words, next run, last run and how it
 * ended, and drift (what `plan` would change). No flags, no printing.
 */
import type { RunRecord } from '../state/runs.js';
import type { HostSettings } from './host.js';
import { lastRun } from './history.js';
import { makePlan, type LoadedProject } from './plan.js';

export interface StatusRow {
  job: string;
  backend: string;
  enabled: boolean;
  schedule: string | null;
  timezone: string | null;
  next_run: string | null;
  last_run: string | null;
  result: RunRecord['result'] | null;
  exit_code: number | null;
  duration_ms: number | null;
  /** What plan would do about this job (`edited by hand`, `missing`…); null when in sync. */
  drift: string | null;
}

export interface ProjectStatus {
  project: string;
  backend: string;
  backendReason: string;
  warnings: string[];
  jobs: StatusRow[];
}

/** `loaded`: a project already loaded (a library caller's), planned instead of reading `file`. */
export async function projectStatus(
  file: string,
  host: HostSettings,
  loaded?: LoadedProject,
): Promise<ProjectStatus> {
  const { plan, project, ctx } = await makePlan({ file, describeAll: true, loaded }, host);
  const planned = new Map(plan.jobs.map((j) => [j.job, j]));
  const names = [
    ...new Set([...project.jobs.map((j) => j.name), ...plan.jobs.map((j) => j.job).filter(Boolean)]),
  ].sort();
  const byName = new Map(project.jobs.map((j) => [j.name, j]));
  const rows: StatusRow[] = [];
  for (const name of names) {
    const job = byName.get(name);
    const jobPlan = planned.get(name);
    const last = await lastRun(ctx.stateDir, project.name, name);
    rows.push({
      job: name,
      backend: plan.backend,
      enabled: job?.enabled ?? false,
      schedule: jobPlan?.schedule ?? null,
      timezone: job?.timezone ?? null,
      next_run: jobPlan?.nextRuns?.[0] ?? null,
      last_run: last?.start ?? null,
      result: last?.result ?? null,
      exit_code: last?.exit_code ?? null,
      duration_ms: last?.duration_ms ?? null,
      drift: jobPlan && jobPlan.action !== 'no-op' ? jobPlan.reasons.join(', ') : null,
    });
  }
  return {
    project: plan.project,
    backend: plan.backend,
    backendReason: plan.backendReason,
    warnings: plan.warnings,
    jobs: rows,
  };
}
