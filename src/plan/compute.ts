/**
 * The reconciler's decision, pure: desired artifacts vs installed ones → changes with reasons.
 * Every backend goes through this one function, so "edited by hand", "missing" and ownership
 * clashes mean the same everywhere.
 */
import { createHash } from 'node:crypto';
import type { Artifact, InstalledArtifact } from '../backends/types.js';
import { UserError } from '../errors.js';
import type { ChangeTarget, JobAction, JobPlan, PlannedArtifactChange, Reason } from './types.js';
import { REASONS } from './types.js';

export interface DesiredArtifact extends Artifact {
  target: ChangeTarget;
}
export interface FoundArtifact extends InstalledArtifact {
  target: ChangeTarget;
}

export interface ComputeInput {
  desired: DesiredArtifact[];
  installed: FoundArtifact[];
  /** Jobs that had been applied before (their spec is in the state dir): a lost artifact is "missing", not "new". */
  previouslyApplied: ReadonlySet<string>;
  /** Jobs present in the file but paused: their removal reads "paused", not "removed from the file". */
  paused: ReadonlySet<string>;
  /** A destroy plan: every deletion reads "destroy". */
  destroy?: boolean;
  /** Only plan these jobs (project-wide artifacts are kept in every targeted plan). */
  targets?: ReadonlySet<string>;
  /**
   * Jobs applied from another schedules.yaml: their spec is rewritten to record this file (so the
   * project is installed from here afterwards), and their changes read "moved", not "changed".
   */
  moved?: ReadonlySet<string>;
}

/** Artifact changes grouped per job, in a stable order (by job name, project-wide last). */
export function computeJobPlans(input: ComputeInput): JobPlan[] {
  const clashes = input.installed.filter(
    (i) => i.recordedHash === undefined && input.desired.some((d) => key(d) === key(i)),
  );
  if (clashes.length > 0) {
    throw new UserError(
      `name clash: ${clashes.map((c) => c.id).join(', ')} ${clashes.length === 1 ? 'already exists and was' : 'already exist and were'} not written by sched`,
      'sched never overwrites a file it did not write. Rename the job, or move the existing file away if it is yours to replace.',
    );
  }
  const ours = input.installed.filter((i) => i.recordedHash !== undefined);
  const desiredById = new Map(input.desired.map((d) => [key(d), d]));
  const installedById = new Map(ours.map((i) => [key(i), i]));
  const ids = [...new Set([...desiredById.keys(), ...installedById.keys()])];

  const byJob = new Map<string, PlannedArtifactChange[]>();
  const touched = new Set<string>();
  for (const id of ids) {
    const want = desiredById.get(id);
    const have = installedById.get(id);
    const job = (want ?? have)!.job;
    touched.add(job);
    const change = decide(want, have, input);
    if (!change) continue;
    const list = byJob.get(job) ?? [];
    list.push(change);
    byJob.set(job, list);
  }

  // A job is created only when nothing of it is installed, and deleted only when nothing of it
  // is wanted: a unit deleted by hand beside a job's other files is a change to that job.
  const installedJobs = new Set(ours.map((i) => i.job));
  const desiredJobs = new Set(input.desired.map((d) => d.job));
  const jobs: JobPlan[] = [];
  for (const job of [...touched].sort(compareJobs)) {
    if (input.targets && job !== '' && !input.targets.has(job)) continue;
    const changes = (byJob.get(job) ?? []).sort(compareChanges);
    const action = jobAction(changes, installedJobs.has(job), desiredJobs.has(job));
    jobs.push({ job, action, reasons: uniqueReasons(changes), changes, notes: [] });
  }
  return jobs;
}

/** Artifact ids are unique per backend; the same id on two backends is two artifacts. */
function key(a: { target: ChangeTarget; id: string }): string {
  return `${a.target}\0${a.id}`;
}

/**
 * A job's changes in a fixed order: by target, then artifact id, by code units (not
 * localeCompare, whose first call loads a collator: ~10 ms of every apply).
 */
export function compareChanges(
  a: { target: ChangeTarget; id: string },
  b: { target: ChangeTarget; id: string },
): number {
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function decide(
  want: DesiredArtifact | undefined,
  have: FoundArtifact | undefined,
  input: ComputeInput,
): PlannedArtifactChange | undefined {
  if (want && !have) {
    const reason = input.previouslyApplied.has(want.job) ? REASONS.missing : REASONS.new;
    return {
      action: 'create',
      id: want.id,
      job: want.job,
      kind: want.kind,
      after: want,
      reason,
      target: want.target,
    };
  }
  if (!want && have) {
    const reason = input.destroy
      ? REASONS.destroy
      : input.paused.has(have.job)
        ? REASONS.paused
        : REASONS.removed;
    return {
      action: 'delete',
      id: have.id,
      job: have.job,
      kind: have.kind,
      before: have,
      reason,
      target: have.target,
    };
  }
  if (!want || !have) return undefined;
  let reason: Reason | undefined;
  if (have.actualHash !== have.recordedHash) reason = REASONS.handEdited;
  else if (have.recordedHash !== want.hash) reason = REASONS.changed;
  else if (!have.registered) reason = REASONS.notRegistered;
  else if (want.target === 'state' && input.moved?.has(want.job)) reason = REASONS.moved;
  if (!reason) return undefined;
  // What differs between two checkouts of one project is not a change in this file.
  if (reason === REASONS.changed && input.moved?.has(want.job)) reason = REASONS.moved;
  // Pausing changes the applied spec (enabled: false) too: that is the pause, not another change.
  if (reason === REASONS.changed && input.paused.has(want.job)) reason = REASONS.paused;
  return {
    action: 'update',
    id: want.id,
    job: want.job,
    kind: want.kind,
    before: have,
    after: want,
    reason,
    target: want.target,
  };
}

function jobAction(changes: PlannedArtifactChange[], installed: boolean, desired: boolean): JobAction {
  if (changes.length === 0) return 'no-op';
  if (!installed && changes.every((c) => c.action === 'create')) return 'create';
  if (!desired && changes.every((c) => c.action === 'delete')) return 'delete';
  return 'update';
}

function uniqueReasons(changes: PlannedArtifactChange[]): Reason[] {
  return [...new Set(changes.map((c) => c.reason))];
}

/**
 * Job names sorted; the project-wide pseudo-job ('') last. Names are `[a-z0-9-]` (JOB_NAME_PATTERN),
 * where code-unit order is localeCompare's order (test/plan/compute.test.ts) without the ~10 ms of
 * loading a collator and its cost per comparison.
 */
export function compareJobs(a: string, b: string): number {
  if (a === '') return 1;
  if (b === '') return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Jobs to add, change and delete; the project-wide entry (job '') is not a job and not counted. */
export function summarize(jobs: JobPlan[]): { add: number; change: number; delete: number } {
  const count = (action: JobAction) => jobs.filter((j) => j.job !== '' && j.action === action).length;
  return { add: count('create'), change: count('update'), delete: count('delete') };
}

/** A fingerprint of what is installed, so a saved plan can be refused once the host changed. */
export function hostFingerprint(installed: readonly FoundArtifact[]): string {
  const lines = installed
    .map((i) => `${i.target}\0${i.id}\0${i.recordedHash ?? '-'}\0${i.actualHash}\0${i.registered ? 1 : 0}`)
    .sort();
  return 'sha256:' + createHash('sha256').update(lines.join('\n')).digest('hex');
}
