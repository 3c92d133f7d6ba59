/**
 * Shared pieces of the service-level integration tests: a sandbox (temp dir holding
 * schedules.yaml and the state dir, a fixed clock, the host settings the services take), plan and
 * apply through the real services, and a fake `systemctl` over a REAL unit directory.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { executePlan } from '../../src/services/apply.js';
import type { HostSettings } from '../../src/services/host.js';
import { makePlan } from '../../src/services/plan.js';
import type { PlanOutcome, PlanRequest } from '../../src/services/plan.js';
import type { Plan } from '../../src/plan/types.js';
import type { RunOptions, RunResult, Runner } from '../../src/platform/ports.js';
import { projectStateDir } from '../../src/state/paths.js';
import { hostInZone } from '../fakes/zone-files.js';

/** A fixed "now" for every integration test: fire times and DST notes must not depend on the day. */
export const NOW = new Date('2026-03-02T10:00:00Z');

export interface Sandbox<R extends Runner = Runner> {
  runner: R;
  dir: string;
  file: string;
  stateDir: string;
  host: HostSettings;
  /** Rewrites schedules.yaml. */
  write(yaml: string): Promise<void>;
  plan(request?: Omit<PlanRequest, 'file'>): Promise<PlanOutcome>;
  /** Plans and applies, as `sched apply --auto-approve` does; returns the plan that was applied. */
  apply(request?: Omit<PlanRequest, 'file'>): Promise<Plan>;
  /** Job names that have an applied spec in the state dir for `project`. */
  appliedSpecs(project?: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

/**
 * A temp dir with schedules.yaml, and the host settings of a test host: HOME is the temp dir,
 * state in `<dir>/state`, fixed node and sched paths, a fixed clock. `makeRunner` gets the temp
 * dir (fakes that keep files there need it). `file` is the schedules.yaml path relative to `dir`.
 */
export async function sandbox<R extends Runner>(
  makeRunner: (dir: string) => R,
  yaml: string,
  options: { now?: Date; file?: string; zone?: string } = {},
): Promise<Sandbox<R>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sched-int-'));
  const runner = makeRunner(dir);
  const now = options.now ?? NOW;
  const file = path.join(dir, options.file ?? 'schedules.yaml');
  const stateDir = path.join(dir, 'state');
  const host: HostSettings = {
    env: {
      HOME: dir,
      SCHED_HOME: stateDir,
      SCHED_NODE_PATH: '/usr/bin/node',
      SCHED_BIN_PATH: '/opt/sched/bin/run.js',
    },
    runner,
    now,
    // The host scheduler's zone (its /etc/localtime), whatever this machine's is.
    zoneFiles: hostInZone(options.zone ?? 'UTC'),
  };
  const sb: Sandbox<R> = {
    runner,
    dir,
    file,
    stateDir,
    host,
    write: (text) => put(file, text),
    plan: (request = {}) => makePlan({ ...request, file }, host),
    async apply(request = {}) {
      const outcome = await makePlan({ ...request, file }, host);
      await executePlan(outcome.plan, outcome, host);
      return outcome.plan;
    },
    async appliedSpecs(project = 'billing') {
      const jobs = path.join(projectStateDir(stateDir, project), 'jobs');
      const names = await readdir(jobs).catch(() => [] as string[]);
      return names.filter((n) => existsSync(path.join(jobs, n, 'spec.json'))).sort();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  await sb.write(yaml);
  return sb;
}

/** `{job: action}` for the jobs a plan changes (no-ops and the project-wide entry left out). */
export function actions(plan: Plan): Record<string, string> {
  return Object.fromEntries(
    plan.jobs.filter((j) => j.action !== 'no-op' && j.job !== '').map((j) => [j.job, j.action]),
  );
}

/** The reasons given for one job. */
export function reasonsOf(plan: Plan, job: string): string[] {
  return plan.jobs.find((j) => j.job === job)?.reasons ?? [];
}

/** Asserts a plan has no change at all (the project-wide entry included). */
export function expectNoChanges(plan: Plan): void {
  expect(
    plan.jobs
      .filter((j) => j.action !== 'no-op')
      .map((j) => `${j.job}: ${j.action} (${j.reasons.join(', ')})`),
  ).toEqual([]);
  expect(plan.summary).toEqual({ add: 0, change: 0, delete: 0 });
}

/** Asserts that a promise rejects with an error whose message matches. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(Error);
  return err as Error;
}

/** Jobs as YAML lines under `jobs:`; job i runs daily at 03:i unless `schedules` says otherwise. */
export function jobsYaml(names: readonly string[], schedules: Record<string, string> = {}): string {
  return names
    .map(
      (n, i) =>
        `  ${n}:\n    schedule: "${schedules[n] ?? `${i % 60} 3 * * *`}"\n    command: ["echo", "${n}", "100%", "$HOME"]\n`,
    )
    .join('');
}

export { FakeSystemctl } from '../fakes/systemctl.js';

/** One host runner for several fakes: each command goes to the fake that owns it. */
export class DispatchRunner implements Runner {
  constructor(private readonly byCommand: Record<string, Runner>) {}

  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult> {
    // detect()/warnings() probes of the crontab backend go through `sh -c`.
    const target = this.byCommand[command];
    if (!target)
      return Promise.reject(Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' }));
    return target.run(command, args, options);
  }
}

/** Writes a file, creating its directory. */
export async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}
