/**
 * The life cycle every backend must go through, driven through the real services (makePlan,
 * executePlan, checkSavedPlan) against a fake host. Each <backend>-cycle.test.ts supplies the
 * hooks that know how to look at and tamper with its fake host.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';
import { planFromJson, planToJson } from '../../src/plan/view-json.js';
import { REASONS } from '../../src/plan/types.js';
import type { Runner } from '../../src/platform/ports.js';
import { checkSavedPlan, executePlan } from '../../src/services/apply.js';
import { makePlan } from '../../src/services/plan.js';
import type { Sandbox } from './helpers.js';
import { actions, expectNoChanges, jobsYaml, put, reasonsOf, rejection, sandbox } from './helpers.js';

export interface CycleHooks<R extends Runner> {
  backend: string;
  /** Job names of the project under test (billing); the last one is removed from the file mid-cycle. */
  jobs: string[];
  /** The fake host, given the sandbox's temp dir (HOME). */
  makeRunner(dir: string): R;
  /** Extra lines under `defaults:` (two-space indented), e.g. a kubernetes block. */
  defaults?: string;
  /** Puts items on the host that no sched project owns (hand-made entries, other tools' items). */
  seedUnowned(sb: Sandbox<R>): Promise<void>;
  /** Everything on the host that is NOT project billing's, as text: must never change. */
  foreign(sb: Sandbox<R>): Promise<string>;
  /** Job names of project billing installed (and registered) on the host. */
  installed(sb: Sandbox<R>): Promise<string[]>;
  /** Changes one job's native artifact on the host, as a person would by hand. */
  handEdit(sb: Sandbox<R>, job: string): Promise<void>;
}

export function cycleYaml(
  backend: string,
  project: string,
  jobs: readonly string[],
  defaults = '',
  schedules: Record<string, string> = {},
): string {
  return `version: 1
project: ${project}
backend: ${backend}
defaults:
  timezone: UTC
${defaults}jobs:
${jobsYaml(jobs, schedules)}`;
}

/**
 * create → no change → hand edit shown and repaired → a removed job deleted with its spec →
 * saved plans accepted while nothing changed, refused once the host or the file changed →
 * destroy; another project and unowned items untouched throughout.
 */
export async function runCycle<R extends Runner>(hooks: CycleHooks<R>): Promise<Sandbox<R>> {
  const { backend, jobs } = hooks;
  const yaml = (names: readonly string[], schedules: Record<string, string> = {}) =>
    cycleYaml(backend, 'billing', names, hooks.defaults, schedules);
  const sb = await sandbox(hooks.makeRunner, yaml(jobs));
  try {
    await cycleSteps(hooks, sb, yaml);
  } catch (e) {
    await sb.cleanup(); // the caller only gets the sandbox (to clean up) when the cycle passes
    throw e;
  }
  return sb;
}

async function cycleSteps<R extends Runner>(
  hooks: CycleHooks<R>,
  sb: Sandbox<R>,
  yaml: (names: readonly string[], schedules?: Record<string, string>) => string,
): Promise<void> {
  const { backend, jobs } = hooks;
  const n = jobs.length;

  // Another project on the same host, applied through the same services, and unowned items.
  const payrollFile = path.join(sb.dir, 'payroll', 'schedules.yaml');
  await put(payrollFile, cycleYaml(backend, 'payroll', ['nightly', jobs[0]!], hooks.defaults));
  const payroll = await makePlan({ file: payrollFile }, sb.host);
  await executePlan(payroll.plan, payroll, sb.host);
  await hooks.seedUnowned(sb);
  const foreign = await hooks.foreign(sb);
  expect(foreign).toContain('payroll');

  // 1. Everything is new.
  const first = await sb.plan();
  expect(first.plan.backend).toBe(backend);
  expect(actions(first.plan)).toEqual(Object.fromEntries(jobs.map((j) => [j, 'create'])));
  for (const j of jobs) expect(reasonsOf(first.plan, j)).toEqual([REASONS.new]);
  expect(first.plan.summary).toEqual({ add: n, change: 0, delete: 0 });
  await executePlan(first.plan, first, sb.host);
  expect(await hooks.installed(sb)).toEqual([...jobs].sort());
  expect(await sb.appliedSpecs()).toEqual([...jobs].sort());
  expect(await hooks.foreign(sb)).toBe(foreign);

  // 2. An apply right after an apply changes nothing.
  expectNoChanges((await sb.plan()).plan);

  // 3. A hand edit is drift, and apply repairs it.
  const victim = jobs[0]!;
  await hooks.handEdit(sb, victim);
  const drift = (await sb.plan()).plan;
  expect(actions(drift)).toEqual({ [victim]: 'update' });
  expect(reasonsOf(drift, victim)).toEqual([REASONS.handEdited]);
  expect(drift.summary).toEqual({ add: 0, change: 1, delete: 0 });
  await sb.apply();
  expectNoChanges((await sb.plan()).plan);
  expect(await hooks.foreign(sb)).toBe(foreign);

  // 4. A job removed from the file is deleted, its applied spec too.
  const gone = jobs[n - 1]!;
  const kept = jobs.slice(0, n - 1);
  await sb.write(yaml(kept));
  const removal = (await sb.plan()).plan;
  expect(actions(removal)).toEqual({ [gone]: 'delete' });
  expect(reasonsOf(removal, gone)).toEqual([REASONS.removed]);
  expect(removal.summary).toEqual({ add: 0, change: 0, delete: 1 });
  await executePlan(removal, await sb.plan(), sb.host);
  expect(await hooks.installed(sb)).toEqual([...kept].sort());
  expect(await sb.appliedSpecs()).toEqual([...kept].sort());
  expectNoChanges((await sb.plan()).plan);

  // 5. Saved plans (plan --out → apply PLANFILE): applied as saved while nothing changed...
  const changed = kept[1]!;
  await sb.write(yaml(kept, { [changed]: '45 4 * * 1-5' }));
  const roundTrip = async () => planFromJson(JSON.parse(JSON.stringify(planToJson((await sb.plan()).plan))));
  const saved = await roundTrip();
  expect(actions(saved)).toEqual({ [changed]: 'update' });
  expect(reasonsOf(saved, changed)).toEqual([REASONS.changed]);
  const fresh = await checkSavedPlan(saved, sb.host);
  await executePlan(saved, fresh, sb.host);
  expectNoChanges((await sb.plan()).plan);

  // ...refused once the host changed since...
  await sb.write(yaml(kept, { [changed]: '50 4 * * 1-5' }));
  const staleHost = await roundTrip();
  await hooks.handEdit(sb, victim);
  const hostErr = await rejection(checkSavedPlan(staleHost, sb.host));
  expect(hostErr).toBeInstanceOf(UserError);
  expect(hostErr.message).toBe(
    `the saved plan is stale: what is installed on ${backend} changed since the plan was made (${sb.host.now.toISOString()})`,
  );

  // ...or the file changed since.
  const staleFile = await roundTrip();
  await sb.write(yaml(kept, { [changed]: '55 4 * * 1-5' }));
  const fileErr = await rejection(checkSavedPlan(staleFile, sb.host));
  expect(fileErr).toBeInstanceOf(UserError);
  expect(fileErr.message).toMatch(
    /^the saved plan is stale: schedules\.yaml changed since the plan was made/,
  );

  // A fresh apply takes both the hand edit and the file change.
  const both = (await sb.plan()).plan;
  expect(actions(both)).toEqual({ [victim]: 'update', [changed]: 'update' });
  await executePlan(both, await sb.plan(), sb.host);
  expectNoChanges((await sb.plan()).plan);
  expect(await hooks.foreign(sb)).toBe(foreign);

  // 6. Destroy removes everything of the project and nothing else.
  const destroy = await sb.plan({ destroy: true });
  expect(actions(destroy.plan)).toEqual(Object.fromEntries(kept.map((j) => [j, 'delete'])));
  for (const j of kept) expect(reasonsOf(destroy.plan, j)).toEqual([REASONS.destroy]);
  expect(destroy.plan.summary).toEqual({ add: 0, change: 0, delete: n - 1 });
  await executePlan(destroy.plan, destroy, sb.host);
  expect(await hooks.installed(sb)).toEqual([]);
  expect(await sb.appliedSpecs()).toEqual([]);
  expect(await sb.appliedSpecs('payroll')).toEqual([jobs[0]!, 'nightly'].sort());
  expect(await hooks.foreign(sb)).toBe(foreign);
  expectNoChanges((await sb.plan({ destroy: true })).plan);
  // The other project still sees its own jobs installed and unchanged.
  expectNoChanges((await makePlan({ file: payrollFile }, sb.host)).plan);
}
