/**
 * The plan as data: `sched plan --json` and the saved plan file (`--out`). Versioned by
 * `format_version`; fields are snake_case and only ever added to within a version.
 * Documented in docs/plan-json.md.
 */
import type { Plan } from './types.js';
import { isEmptyPlan } from './types.js';

export const PLAN_FORMAT_VERSION = 1;

export interface PlanJson {
  format_version: 1;
  project: string;
  backend: string;
  backend_reason: string;
  file: string;
  file_hash: string;
  host_fingerprint: string;
  created_at: string;
  destroy: boolean;
  /** The schedules.yaml the project is installed from when it is not `file` (applying moves it). */
  installed_from: string | null;
  targets: string[] | null;
  /** The host's zone, for the jobs with no `timezone:` (null when none). Added within version 1. */
  host_timezone: { zone: string; source: string } | null;
  warnings: string[];
  summary: { add: number; change: number; delete: number };
  has_changes: boolean;
  jobs: Array<{
    job: string;
    action: string;
    reasons: string[];
    schedule: string | null;
    enabled: boolean | null;
    timezone: string | null;
    next_runs: string[];
    notes: string[];
    changes: Array<{
      action: string;
      id: string;
      kind: string;
      target: string;
      reason: string;
      before: {
        content: string;
        recorded_hash: string | null;
        actual_hash: string;
        registered: boolean;
      } | null;
      after: { content: string; hash: string } | null;
    }>;
  }>;
}

export function planToJson(plan: Plan): PlanJson {
  return {
    format_version: 1,
    project: plan.project,
    backend: plan.backend,
    backend_reason: plan.backendReason,
    file: plan.file,
    file_hash: plan.fileHash,
    host_fingerprint: plan.hostFingerprint,
    created_at: plan.createdAt,
    destroy: Boolean(plan.destroy),
    installed_from: plan.installedFrom ?? null,
    targets: plan.targets ?? null,
    host_timezone: plan.hostTimezone ?? null,
    warnings: plan.warnings,
    summary: plan.summary,
    has_changes: !isEmptyPlan(plan),
    jobs: plan.jobs.map((j) => ({
      job: j.job,
      action: j.action,
      reasons: j.reasons,
      schedule: j.schedule ?? null,
      enabled: j.enabled ?? null,
      timezone: j.timezone ?? null,
      next_runs: j.nextRuns ?? [],
      notes: j.notes,
      changes: j.changes.map((c) => ({
        action: c.action,
        id: c.id,
        kind: c.kind,
        target: c.target,
        reason: c.reason,
        before: c.before
          ? {
              content: c.before.content,
              recorded_hash: c.before.recordedHash ?? null,
              actual_hash: c.before.actualHash,
              registered: c.before.registered,
            }
          : null,
        after: c.after ? { content: c.after.content, hash: c.after.hash } : null,
      })),
    })),
  };
}

/** Reads a saved plan back; throws on anything that is not a plan of this format. */
export function planFromJson(data: unknown): Plan {
  const j = data as PlanJson;
  if (!j || typeof j !== 'object' || j.format_version !== PLAN_FORMAT_VERSION || !Array.isArray(j.jobs)) {
    throw new Error('not a sched plan file of format_version 1');
  }
  return {
    format_version: 1,
    project: j.project,
    backend: j.backend as Plan['backend'],
    backendReason: j.backend_reason,
    file: j.file,
    fileHash: j.file_hash,
    hostFingerprint: j.host_fingerprint,
    createdAt: j.created_at,
    destroy: j.destroy,
    installedFrom: j.installed_from ?? undefined,
    targets: j.targets ?? undefined,
    ...(j.host_timezone ? { hostTimezone: j.host_timezone } : {}),
    warnings: j.warnings,
    summary: j.summary,
    jobs: j.jobs.map((job) => ({
      job: job.job,
      action: job.action as Plan['jobs'][number]['action'],
      reasons: job.reasons as Plan['jobs'][number]['reasons'],
      schedule: job.schedule ?? undefined,
      enabled: job.enabled ?? undefined,
      timezone: job.timezone ?? undefined,
      nextRuns: job.next_runs,
      notes: job.notes,
      changes: job.changes.map((c) => ({
        action: c.action as 'create' | 'update' | 'delete',
        id: c.id,
        job: job.job,
        kind: c.kind,
        target: c.target as Plan['jobs'][number]['changes'][number]['target'],
        reason: c.reason as Plan['jobs'][number]['changes'][number]['reason'],
        before: c.before
          ? {
              id: c.id,
              job: job.job,
              kind: c.kind,
              content: c.before.content,
              recordedHash: c.before.recorded_hash ?? undefined,
              actualHash: c.before.actual_hash,
              registered: c.before.registered,
            }
          : undefined,
        after: c.after
          ? { id: c.id, job: job.job, kind: c.kind, content: c.after.content, hash: c.after.hash }
          : undefined,
      })),
    })),
  };
}
