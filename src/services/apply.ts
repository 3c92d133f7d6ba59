/**
 * Executes a plan: writes the applied specs, hands each backend its artifact changes, removes
 * the specs of deleted jobs. Idempotent and resumable: everything is derived from what is
 * really installed, so after an interruption the next plan shows exactly what is left.
 *
 * Concurrency (see apply/lock.ts for the locks and their order): a plan is made under the
 * project's apply lock and executed under it plus the lock of every backend target it writes,
 * after re-checking that the file and the host are still what the plan was made from. So a late
 * "yes" never executes an out-of-date plan, and two projects never rewrite one crontab at once.
 */
import path from 'node:path';
import type { ArtifactChange, Backend } from '../backends/types.js';
import { acquireApplyLock, acquireTargetLocks, type Lock, type LockWaitOptions } from '../apply/lock.js';
import { backendTargetKey, runCapabilitiesOf } from '../backends/registry.js';
import { UserError } from '../errors.js';
import type { BackendName } from '../model/job.js';
import { hostFingerprint, type FoundArtifact } from '../plan/compute.js';
import { installedSpecArtifact, specFromArtifact } from '../plan/spec-artifacts.js';
import { isEmptyPlan, type Plan, type PlannedArtifactChange } from '../plan/types.js';
import { AppliedSpecStore } from '../state/applied.js';
import { stateRoot } from '../state/paths.js';
import { hostOptions, type HostSettings } from './host.js';
import { refuseUnapprovedMove } from './move-check.js';
import { hashFile, makePlan } from './plan.js';
import type { LoadedProject, PlanOutcome, PlanRequest } from './plan.js';

export interface ExecuteOptions {
  /** The plan may move its project from another checkout (`--force`, or a person said yes to it). */
  allowMove?: boolean;
}

/**
 * One step of an apply, for a progress display: `count` changes on `target` were just made in
 * `phase` (for `job`, when the step is one job's), `done` of `total` so far. The state phases
 * report each job; a backend reports once, when its whole batch is written.
 */
export interface ApplyProgressEvent {
  phase: 'state' | 'backend' | 'cleanup';
  target: string;
  count: number;
  /** The job the step was for, when it was one job's. */
  job?: string;
  /** Changes made so far, this step included. */
  done: number;
  /** Changes the apply makes in all. */
  total: number;
  /** The last step of its phase on this target: a display may print a line for the phase. */
  phaseDone: boolean;
}

export interface ApplyProgress {
  (event: ApplyProgressEvent): void;
}

/**
 * Checks a saved plan against a fresh one for the same file: refused when the file or the host
 * changed since it was made, so `apply PLANFILE` applies exactly what was reviewed.
 */
export async function checkSavedPlan(
  saved: Plan,
  host: HostSettings,
  loaded?: LoadedProject,
): Promise<PlanOutcome> {
  const fresh = await makePlan(
    { file: saved.file, targets: saved.targets, destroy: saved.destroy, loaded },
    host,
  );
  if (fresh.plan.fileHash !== saved.fileHash) {
    throw new UserError(
      `the saved plan is stale: ${path.basename(saved.file)} changed since the plan was made (${saved.createdAt})`,
      'Run `sched plan --out FILE` again and review it.',
    );
  }
  if (fresh.plan.hostFingerprint !== saved.hostFingerprint || fresh.plan.backend !== saved.backend) {
    throw new UserError(
      `the saved plan is stale: what is installed on ${fresh.plan.backend} changed since the plan was made (${saved.createdAt})`,
      'Run `sched plan --out FILE` again and review it.',
    );
  }
  return fresh;
}

/** How an apply waits for the locks, and how it names itself in them. */
export interface LockOptions extends LockWaitOptions {
  /** The command line recorded in the locks (shown to a second apply); overrides the host's. */
  command?: string;
}

/** Why nothing was applied although the user said yes: the plan no longer describes the host or the file. */
export class StalePlanError extends UserError {
  constructor(message: string) {
    super(
      `${message}; nothing was changed`,
      'Run the command again to plan against the file and the host as they are now.',
    );
    this.name = 'StalePlanError';
  }
}

function commandLine(opts: LockOptions, host: HostSettings): string {
  return opts.command ?? host.commandLine ?? 'sched';
}

/** What {@link applyUnderLock} did. */
export type LockedApplyResult =
  | { status: 'applied'; outcome: PlanOutcome; plan: Plan; summary: Plan['summary'] }
  | { status: 'empty'; outcome: PlanOutcome }
  | { status: 'declined'; outcome: PlanOutcome };

/**
 * The whole apply, Terraform-style: takes the project's apply lock BEFORE anything is read from
 * the host, plans under it, lets `decide` show the plan and ask (still holding the lock, so a
 * second apply waits or is refused instead of being undone by a late "yes"), then changes the
 * host under the target locks after re-checking that neither the file nor the host changed.
 *
 * With `noPrompt` (`--auto-approve`: nobody is asked, so the target locks are never held through
 * a prompt) the target locks of every backend the plan reads are taken before it reads the host;
 * the plan's own reads were then made under every lock its changes need, and the re-check (a
 * second read of the host and of the state) is left out. The write's compare-and-swap still
 * refuses a hand edit made after the plan's read.
 *
 * `decide` returns the plan to execute (the plan itself, a reduced one, or a saved one) or
 * undefined to change nothing; it is not called for an empty plan.
 */
export async function applyUnderLock(
  request: {
    /** The project whose lock to take: from the file (see {@link projectOfFile}) or named. */
    project: string;
    /**
     * Makes the plan; runs under the project lock. Passes `beforeHostRead` on to the plan
     * ({@link PlanRequest.beforeHostRead}) when it is given.
     */
    plan: (beforeHostRead?: PlanRequest['beforeHostRead']) => Promise<PlanOutcome>;
    decide: (outcome: PlanOutcome) => Promise<Plan | undefined>;
    /** The plan may move the project from another checkout (`--force`, or a person said yes to it). */
    allowMove?: boolean;
    /** `decide` asks nobody (`--auto-approve`): the target locks may be taken before planning. */
    noPrompt?: boolean;
  },
  host: HostSettings,
  lockOptions: LockOptions = {},
  onProgress: ApplyProgress = () => {},
): Promise<LockedApplyResult> {
  const root = stateRoot(host.env);
  const lock = await acquireApplyLock(root, request.project, commandLine(lockOptions, host), lockOptions);
  let early: { lock: Lock; backends: ReadonlySet<BackendName> } | undefined;
  const beforeHostRead = request.noPrompt
    ? async (backends: readonly BackendName[]) => {
        const options = hostOptions(host);
        const keys = backends.map((b) => backendTargetKey(b, options));
        early = {
          lock: await acquireTargetLocks(root, keys, commandLine(lockOptions, host), targetWait(lockOptions)),
          backends: new Set(backends),
        };
      }
    : undefined;
  try {
    const outcome = await request.plan(beforeHostRead);
    if (outcome.plan.project !== request.project) {
      // The file was edited to another project between reading its name and planning.
      throw new StalePlanError(
        `${path.basename(outcome.plan.file)} changed while it was being planned (project ${request.project} became ${outcome.plan.project})`,
      );
    }
    if (isEmptyPlan(outcome.plan)) return { status: 'empty', outcome };
    const plan = await request.decide(outcome);
    if (!plan) return { status: 'declined', outcome };
    refuseUnapprovedMove(plan, request.allowMove ?? false);
    let summary: Plan['summary'];
    if (early && plan === outcome.plan && writesOnlyTo(plan, early.backends)) {
      summary = await applyChanges(plan, outcome, host, onProgress, outcome.store);
    } else {
      // Taken in lock order again, with whatever else this plan writes to.
      await early?.lock.release();
      early = undefined;
      summary = await executeHoldingProjectLock(plan, outcome, host, lockOptions, onProgress);
    }
    return { status: 'applied', outcome, plan, summary };
  } finally {
    await early?.lock.release();
    await lock.release();
  }
}

/** Whether every change of `plan` is to the state or to one of `backends`. */
function writesOnlyTo(plan: Plan, backends: ReadonlySet<BackendName>): boolean {
  return plan.jobs.every((j) =>
    j.changes.every((c) => c.target === 'state' || backends.has(c.target as BackendName)),
  );
}

/** How long an apply waits for target locks: at least {@link TARGET_LOCK_MIN_WAIT_MS}. */
function targetWait(lockOptions: LockOptions): LockOptions {
  return { ...lockOptions, timeoutMs: Math.max(lockOptions.timeoutMs ?? 0, TARGET_LOCK_MIN_WAIT_MS) };
}

/** The project a schedules file declares (loading it as a plan would; errors are the plan's). */
export async function projectOfFile(file: string, host: HostSettings): Promise<string> {
  const { loadValidProject } = await import('./plan.js');
  return (await loadValidProject(path.resolve(file), host, file)).project.name;
}

/**
 * Applies `plan` through the backends of `outcome`, taking the locks itself: the project lock,
 * then the target locks, re-checking under them that the plan is still current. For callers
 * that plan and apply in one go (add, import); `apply` and `destroy` use {@link applyUnderLock}.
 */
export async function executePlan(
  plan: Plan,
  outcome: PlanOutcome,
  host: HostSettings,
  onProgress: ApplyProgress = () => {},
  lockOptions: LockOptions & ExecuteOptions = {},
): Promise<Plan['summary']> {
  // Refused before the lock is taken: a move needs approval whatever else holds.
  refuseUnapprovedMove(plan, lockOptions.allowMove ?? false);
  if (plan.jobs.every((j) => j.changes.length === 0)) return plan.summary;
  const lock = await acquireApplyLock(
    outcome.ctx.stateDir,
    plan.project,
    commandLine(lockOptions, host),
    lockOptions,
  );
  try {
    return await executeUnderProjectLock(plan, outcome, host, onProgress, lockOptions);
  } finally {
    await lock.release();
  }
}

/**
 * How long an apply waits at least for a backend target's lock. Target locks are held only while
 * another apply changes the host (never through a prompt), so waiting is short and better than
 * refusing an apply because another project's happened to run at the same second.
 */
export const TARGET_LOCK_MIN_WAIT_MS = 60_000;

/** For callers that hold the project lock already (`watch --apply`): see {@link executeHoldingProjectLock}. */
export function executeUnderProjectLock(
  plan: Plan,
  outcome: PlanOutcome,
  host: HostSettings,
  onProgress: ApplyProgress = () => {},
  lockOptions: LockOptions & ExecuteOptions = {},
): Promise<Plan['summary']> {
  refuseUnapprovedMove(plan, lockOptions.allowMove ?? false);
  return executeHoldingProjectLock(plan, outcome, host, lockOptions, onProgress);
}

/**
 * Under the project lock: takes the lock of every backend target the plan writes (lock order:
 * sorted keys), re-checks that the file and what is installed are still what the plan was made
 * from, and only then changes anything.
 */
async function executeHoldingProjectLock(
  plan: Plan,
  outcome: PlanOutcome,
  host: HostSettings,
  lockOptions: LockOptions,
  onProgress: ApplyProgress,
): Promise<Plan['summary']> {
  const changes = plan.jobs.flatMap((j) => j.changes);
  if (changes.length === 0) return plan.summary;
  const options = hostOptions(host);
  const targets = [...new Set(changes.map((c) => c.target))]
    .filter((t): t is BackendName => t !== 'state')
    .map((t) => backendTargetKey(t, options));
  const targetLock = await acquireTargetLocks(
    outcome.ctx.stateDir,
    targets,
    commandLine(lockOptions, host),
    targetWait(lockOptions),
  );
  try {
    // One store for the check and the writes: the write reuses the check's listing.
    const store = new AppliedSpecStore(outcome.ctx.stateDir);
    await assertPlanCurrent(plan, outcome, store);
    return await applyChanges(plan, outcome, host, onProgress, store);
  } finally {
    await targetLock.release();
  }
}

/**
 * Refuses a plan whose file or host changed since it was made (a newer apply landed, a hand
 * edit, another checkout): executing it would undo that change. Reads only this project's
 * artifacts, so another project's apply to a shared crontab does not make it stale.
 */
export async function assertPlanCurrent(
  plan: Plan,
  outcome: PlanOutcome,
  store = new AppliedSpecStore(outcome.ctx.stateDir),
): Promise<void> {
  const name = path.basename(plan.file);
  // A project loaded from an object has no file to re-read: the library re-plans it instead.
  if (!plan.destroy && outcome.origin === 'file' && plan.fileHash.startsWith('sha256:')) {
    const now = await hashFile(plan.file).catch(() => 'missing');
    if (now !== plan.fileHash) throw new StalePlanError(`${name} changed since this plan was made`);
  }
  const applied = await store.list(plan.project);
  const installed: FoundArtifact[] = applied.map(installedSpecArtifact);
  for (const b of outcome.backends.values()) {
    b.useJobs?.(applied.filter((s) => s.backend === b.name).map((s) => s.job));
    for (const a of await b.readInstalled(plan.project)) installed.push({ ...a, target: b.name });
  }
  if (hostFingerprint(installed) !== plan.hostFingerprint) {
    throw new StalePlanError(
      `what is installed for project ${plan.project} changed since this plan was made (another apply, or a hand edit)`,
    );
  }
}

/** The changes themselves; the caller holds every lock and has re-checked the plan. */
async function applyChanges(
  plan: Plan,
  outcome: PlanOutcome,
  host: HostSettings,
  onProgress: ApplyProgress,
  store: AppliedSpecStore,
): Promise<Plan['summary']> {
  const changes = plan.jobs.flatMap((j) => j.changes);
  const stateChanges = changes.filter((c) => c.target === 'state');
  const total = changes.length;
  let done = 0;
  // Specs first: a timer that fires the moment it is enabled must find the spec it runs.
  const writes = stateChanges.filter((c) => c.action !== 'delete');
  await store.writeMany(
    writes.map((change) => specFromArtifact(change.after!.content, plan.file, host.now, runCapabilitiesOf)),
    (spec, index) =>
      onProgress({
        phase: 'state',
        target: 'state',
        count: index + 1,
        job: spec.job.name,
        done: ++done,
        total,
        phaseDone: index === writes.length - 1,
      }),
  );

  const byBackend = new Map<BackendName, ArtifactChange[]>();
  for (const change of changes) {
    if (change.target === 'state') continue;
    const list = byBackend.get(change.target) ?? [];
    list.push(stripPlanFields(change));
    byBackend.set(change.target, list);
  }
  for (const [name, list] of byBackend) {
    const backend: Backend | undefined = outcome.backends.get(name);
    if (!backend) throw new UserError(`the plan changes backend ${name}, which is not available here`);
    await backend.apply(plan.project, list);
    done += list.length;
    onProgress({ phase: 'backend', target: name, count: list.length, done, total, phaseDone: true });
  }

  // Specs of removed jobs last: their entries are gone, nothing can fire them any more.
  const removals = stateChanges.filter((c) => c.action === 'delete');
  for (const [index, change] of removals.entries()) {
    await store.remove(plan.project, change.job);
    onProgress({
      phase: 'cleanup',
      target: 'state',
      count: index + 1,
      job: change.job,
      done: ++done,
      total,
      phaseDone: index === removals.length - 1,
    });
  }
  return plan.summary;
}

function stripPlanFields(change: PlannedArtifactChange): ArtifactChange {
  const { reason: _reason, target: _target, ...rest } = change;
  return rest;
}
