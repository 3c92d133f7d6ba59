/**
 * The plan: a value saying what `apply` would change on this host, job by job, with the native
 * artifacts before and after. Computed by src/plan/compute.ts (pure), shown by the text and JSON
 * views, saved with `plan --out` and executed by src/apply.
 */
import type { ArtifactChange, InstalledArtifact } from '../backends/types.js';
import type { BackendName } from '../model/job.js';

/** Why a job changes; the words users see. */
export const REASONS = {
  new: 'new',
  changed: 'changed in the file',
  handEdited: 'edited by hand',
  missing: 'missing',
  notRegistered: 'not enabled or not loaded',
  removed: 'removed from the file',
  paused: 'paused',
  destroy: 'destroy',
  moved: 'moved from another checkout',
} as const;
export type Reason = (typeof REASONS)[keyof typeof REASONS];

export type JobAction = 'create' | 'update' | 'delete' | 'no-op';

/** One artifact change, with why. */
export interface PlannedArtifactChange extends ArtifactChange {
  reason: Reason;
  /** Which side applies it: a native backend, or sched's own state (the applied spec). */
  target: ChangeTarget;
}

/** A native backend, or `state` for sched's own applied specs. */
export type ChangeTarget = BackendName | 'state';

export interface JobPlan {
  /** Job name; `''` for project-wide artifacts (e.g. a catch-up entry). */
  job: string;
  action: JobAction;
  reasons: Reason[];
  changes: PlannedArtifactChange[];
  /** The schedule in words (absent for deleted jobs). */
  schedule?: string;
  /** False for a paused job (`enabled: false`). */
  enabled?: boolean;
  timezone?: string;
  /** The next fire times, ISO-8601 with offset, in the job's zone. */
  nextRuns?: string[];
  /** Notes for this job: DST skips/doubles and what sched does about them. */
  notes: string[];
}

export interface Plan {
  format_version: 1;
  project: string;
  backend: BackendName;
  /** Why this backend was chosen (auto-detection) or "set in schedules.yaml". */
  backendReason: string;
  /** Absolute path of the schedules.yaml. */
  file: string;
  /** Hash of the file (and the env files it names) the plan was made from. */
  fileHash: string;
  /** Hash of what was installed when the plan was made; a saved plan is refused when it changed. */
  hostFingerprint: string;
  createdAt: string;
  /** Jobs named by --target, when given. */
  targets?: string[];
  /** True for a destroy plan. */
  destroy?: boolean;
  /**
   * The schedules.yaml the project is installed from, when it is not `file`: another
   * checkout applied it, and applying this plan moves the project here.
   */
  installedFrom?: string;
  jobs: JobPlan[];
  /**
   * The host's zone and where it was read, when some job has no `timezone:` and so runs in it
   * (absent for a destroy plan, or when every job names its zone).
   */
  hostTimezone?: { zone: string; source: string };
  warnings: string[];
  summary: { add: number; change: number; delete: number };
}

/** No change at all, the project-wide entry included. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.jobs.every((j) => j.action === 'no-op');
}

export type { InstalledArtifact };
