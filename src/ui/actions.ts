/**
 * The dashboard's actions, through the CLI's own services: Run now (services/run-now), Pause and
 * Resume (services/edit: schedules.yaml edited with its comments kept, then the plan shown), and
 * Apply (services/apply, under the project lock). Apply takes the fingerprints of the plan the
 * user saw and refuses when the file or the host changed since: nothing is applied blindly, and
 * nothing bypasses plan/apply.
 */
import { UserError } from '../errors.js';
import { applyUnderLock } from '../services/apply.js';
import { editSchedulesFile } from '../services/edit.js';
import type { HostSettings } from '../services/host.js';
import { makePlan } from '../services/plan.js';
import { runNow } from '../services/run-now.js';
import { planToJson, type PlanJson } from '../plan/view-json.js';
import { renderPlanText } from '../plan/view-text.js';
import { isEmptyPlan } from '../plan/types.js';
import { UI_FORMAT_VERSION, type UiProject } from './data.js';

/** A plan as the page shows it, with what Apply must send back to apply exactly this plan. */
export interface PlanView {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  /** True when apply would change nothing. */
  empty: boolean;
  /** The plan as `sched plan` prints it (no colour). */
  text: string;
  plan: PlanJson;
  /** Send both back to `POST /api/apply`: a changed file or host refuses the apply. */
  file_hash: string;
  host_fingerprint: string;
}

/** The file the actions edit; a project whose checkout is gone has none. */
function fileOf(project: UiProject): string {
  if (!project.file)
    throw new UserError(
      `project ${project.name} has no schedules.yaml here (its checkout is gone)`,
      'Actions edit the file: run `sched ui -f FILE` in its checkout.',
    );
  return project.file;
}

export async function planView(project: UiProject, host: HostSettings): Promise<PlanView> {
  const { plan } = await makePlan({ file: fileOf(project) }, host);
  return {
    format_version: UI_FORMAT_VERSION,
    project: plan.project,
    empty: isEmptyPlan(plan),
    text: renderPlanText(plan, { color: false }),
    plan: planToJson(plan),
    file_hash: plan.fileHash,
    host_fingerprint: plan.hostFingerprint,
  };
}

export interface EditResult extends PlanView {
  /** False when the file already said so (a paused job paused again). */
  changed: boolean;
  note: string | null;
  /** True when the layout could not be edited in place and the file was re-formatted (comments kept). */
  reserialized: boolean;
  /** Validation warnings of the edited file. */
  warnings: string[];
}

/** Pause or resume: edits schedules.yaml (comments kept, validated before it is written), then plans. */
export async function editJob(
  project: UiProject,
  kind: 'pause' | 'resume',
  job: string,
  host: HostSettings,
): Promise<EditResult> {
  const file = fileOf(project);
  const edit = await editSchedulesFile(file, { kind, name: job }, { displayName: file, now: host.now });
  const view = await planView(project, host);
  return {
    ...view,
    changed: edit.changed,
    note: edit.note ?? null,
    reserialized: edit.reserialized,
    warnings: edit.warnings.map((d) => `${d.line}:${d.col}: ${d.message}`),
  };
}

export interface ApplyResult {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  status: 'applied' | 'empty';
  summary: { add: number; change: number; delete: number };
}

/** The plan the page showed is out of date: answered 409 with the fresh plan to review. */
export class StaleUiPlanError extends UserError {
  constructor(readonly fresh: PlanView) {
    super(
      'the file or what is installed changed since this plan was shown; nothing was changed',
      'Review the new plan and confirm again.',
    );
    this.name = 'StaleUiPlanError';
  }
}

/**
 * Applies the project's plan if it is still the one the user confirmed (same file hash, same
 * host fingerprint), under the same locks and re-checks as `sched apply`.
 */
export async function applyConfirmed(
  project: UiProject,
  confirmed: { file_hash: string; host_fingerprint: string },
  host: HostSettings,
): Promise<ApplyResult> {
  const file = fileOf(project);
  const result = await applyUnderLock(
    {
      project: project.name,
      plan: (beforeHostRead) => makePlan({ file, beforeHostRead }, host),
      // The person confirmed in the browser, before this request: nobody is asked now.
      noPrompt: true,
      decide: async ({ plan }) =>
        plan.fileHash === confirmed.file_hash && plan.hostFingerprint === confirmed.host_fingerprint
          ? plan
          : undefined,
    },
    host,
    { command: 'sched ui (apply)' },
  );
  if (result.status === 'declined') throw new StaleUiPlanError(await planView(project, host));
  return {
    format_version: UI_FORMAT_VERSION,
    project: project.name,
    status: result.status,
    summary: result.status === 'applied' ? result.summary : { add: 0, change: 0, delete: 0 },
  };
}

export interface RunNowView {
  format_version: typeof UI_FORMAT_VERSION;
  project: string;
  job: string;
  backend: string;
  via: string;
}

export async function runJobNow(project: UiProject, job: string, host: HostSettings): Promise<RunNowView> {
  const started = await runNow(fileOf(project), job, host);
  return { format_version: UI_FORMAT_VERSION, project: project.name, job, ...started };
}
