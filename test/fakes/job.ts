/**
 * The one builder of test jobs: a complete {@link Job} with plain defaults. Each suite's own
 * builder passes only the defaults its golden files and assertions depend on.
 */
import type { Job } from '../../src/model/job.js';

/** A cron schedule as the loader resolves it. */
export function cron(expr: string): Job['schedule'] {
  return { kind: 'cron', expr, source: expr };
}

export function testJob(over: Partial<Job> = {}): Job {
  return {
    project: 'billing',
    name: 'nightly-report',
    schedule: cron('0 2 * * *'),
    command: { argv: ['node', 'scripts/report.js'] },
    workingDir: '/srv/billing',
    env: {},
    timezone: 'UTC',
    overlap: 'skip',
    catchUp: false,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
    ...over,
  };
}
