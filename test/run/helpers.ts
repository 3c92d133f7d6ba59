/** Shared helpers for the run/state tests: temp state roots, applied specs, a settable clock. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, Job } from '../../src/model/job.js';
import { AppliedSpecStore, type AppliedSpec } from '../../src/state/applied.js';
import { cron, testJob } from '../fakes/job.js';
import { runCapabilitiesOf } from '../../src/backends/registry.js';

export function tempDir(prefix = 'sched-run-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function makeJob(over: Partial<Job> = {}): Job {
  const base = {
    project: 'demo',
    name: 'job',
    schedule: cron('0 * * * *'),
    command: { argv: ['/bin/true'] },
  };
  return testJob({ ...base, workingDir: os.tmpdir(), catchUp: true, ...over });
}

export async function applySpec(
  root: string,
  job: Job,
  backend: BackendName = 'crontab',
  appliedAt = new Date().toISOString(),
): Promise<AppliedSpec> {
  const spec: AppliedSpec = {
    format_version: 2,
    backend,
    appliedAt,
    sourceFile: '/nonexistent/schedules.yaml',
    job,
    capabilities: runCapabilitiesOf(backend, job),
  };
  await new AppliedSpecStore(root).write(spec);
  return spec;
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public t: number) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}
