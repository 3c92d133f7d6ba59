/** Shared helpers for the run/state tests: temp state roots, applied specs, a settable clock. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, Job } from '../../src/model/job.js';
import { AppliedSpecStore, type AppliedSpec } from '../../src/state/applied.js';

export function tempDir(prefix = 'sched-run-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function makeJob(over: Partial<Job> = {}): Job {
  return {
    project: 'demo',
    name: 'job',
    schedule: { kind: 'cron', expr: '0 * * * *', source: '0 * * * *' },
    command: { argv: ['/bin/true'] },
    workingDir: os.tmpdir(),
    env: {},
    timezone: 'UTC',
    overlap: 'skip',
    catchUp: true,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
    ...over,
  };
}

export async function applySpec(
  root: string,
  job: Job,
  backend: BackendName = 'crontab',
  appliedAt = new Date().toISOString(),
): Promise<AppliedSpec> {
  const spec: AppliedSpec = {
    format_version: 1,
    backend,
    appliedAt,
    sourceFile: '/nonexistent/schedules.yaml',
    job,
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
