/**
 * Executes a plan: writes the applied specs, hands each backend its artifact changes, removes
 * the specs of deleted jobs. Idempotent and resumable: everything is derived from what is
 * really installed, so after an interruption the next plan shows exactly what is left.
 */
import path from 'node:path';
import type { ArtifactChange, Backend } from '../backends/types.js';
import { acquireApplyLock } from '../apply/lock.js';
import { UserError } from '../errors.js';
import type { BackendName } from '../model/job.js';
import { specFromArtifact } from '../plan/spec-artifacts.js';
import type { Plan, PlannedArtifactChange } from '../plan/types.js';
import { AppliedSpecStore } from '../state/applied.js';
import type { HostSettings } from './host.js';
import { makePlan } from './plan.js';
import type { LoadedProject, PlanOutcome } from './plan.js';

export interface ApplyProgress {
  (event: { phase: 'state' | 'backend' | 'cleanup'; target: string; count: number }): void;
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

/** Applies `plan` through the backends of `outcome`. Returns the plan's summary. */
export async function executePlan(
  plan: Plan,
  outcome: PlanOutcome,
  host: HostSettings,
  onProgress: ApplyProgress = () => {},
): Promise<Plan['summary']> {
  const changes = plan.jobs.flatMap((j) => j.changes);
  if (changes.length === 0) return plan.summary;
  const lock = await acquireApplyLock(
    outcome.ctx.stateDir,
    plan.project,
    plan.backend,
    process.argv.slice(1).join(' '),
  );
  try {
    const store = new AppliedSpecStore(outcome.ctx.stateDir);
    const stateChanges = changes.filter((c) => c.target === 'state');
    // Specs first: a timer that fires the moment it is enabled must find the spec it runs.
    const writes = stateChanges.filter((c) => c.action !== 'delete');
    await store.writeMany(
      writes.map((change) => specFromArtifact(change.after!.content, plan.file, host.now)),
    );
    if (writes.length) onProgress({ phase: 'state', target: 'state', count: writes.length });

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
      onProgress({ phase: 'backend', target: name, count: list.length });
    }

    // Specs of removed jobs last: their entries are gone, nothing can fire them any more.
    const removals = stateChanges.filter((c) => c.action === 'delete');
    for (const change of removals) await store.remove(plan.project, change.job);
    if (removals.length) onProgress({ phase: 'cleanup', target: 'state', count: removals.length });
  } finally {
    await lock.release();
  }
  return plan.summary;
}

function stripPlanFields(change: PlannedArtifactChange): ArtifactChange {
  const { reason: _reason, target: _target, ...rest } = change;
  return rest;
}
