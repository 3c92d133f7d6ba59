/** Jobs and render contexts for the launchd and Windows backend tests. */
import type { Job } from '../../../src/model/job.js';
import type { RenderContext } from '../../../src/backends/types.js';
import { parseSchedule } from '../../../src/schedule/cron.js';
import { testJob } from '../../fakes/job.js';

export const HOST_ZONE = 'Europe/Istanbul';

export type JobOverrides = Partial<Omit<Job, 'schedule'>> & { schedule?: Job['schedule'] | string };

export function makeJob(overrides: JobOverrides = {}): Job {
  const { schedule, ...rest } = overrides;
  const sched =
    typeof schedule === 'string' || schedule === undefined
      ? parseSchedule(schedule ?? '0 2 * * *')
      : schedule;
  const base = { schedule: sched, workingDir: '/Users/ada/billing', timezone: HOST_ZONE, catchUp: true };
  return testJob({ ...base, ...rest });
}

export const MAC_CTX: RenderContext = {
  nodePath: '/opt/homebrew/bin/node',
  schedBin: '/opt/homebrew/lib/node_modules/sched/bin/run.js',
  stateDir: '/Users/ada/Library/Application Support/sched',
  hostTimezone: HOST_ZONE,
  homeDir: '/Users/ada',
};

export const WIN_CTX: RenderContext = {
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  schedBin: 'C:\\Users\\Ada Lovelace\\AppData\\Roaming\\npm\\node_modules\\sched\\bin\\run.js',
  stateDir: 'C:\\Users\\Ada Lovelace\\AppData\\Local\\sched',
  hostTimezone: HOST_ZONE,
  homeDir: 'C:\\Users\\Ada Lovelace',
};

/** Named cases rendered to golden files by both backends (one-shots only where expressible). */
export const GOLDEN_JOBS: Record<string, Job> = {
  nightly: makeJob({ description: 'Build & mail the <nightly> report' }),
  'weekday-quarter-hours': makeJob({
    name: 'sync',
    schedule: '*/15 9-17 * * 1-5',
    overlap: 'queue',
    catchUp: false,
    timeoutSeconds: 1800,
  }),
  'month-end': makeJob({ name: 'month-end', schedule: '30 23 28-31 * *', overlap: 'replace' }),
  'first-or-monday': makeJob({ name: 'first-or-monday', schedule: '0 6 1 * 1', overlap: 'allow' }),
  'every-minute-hour': makeJob({ name: 'busy-hour', schedule: '* 12 * * *' }),
  boot: makeJob({ name: 'on-boot', schedule: 'boot', catchUp: false }),
  wake: makeJob({ name: 'on-wake', schedule: 'wake', catchUp: false }),
};
