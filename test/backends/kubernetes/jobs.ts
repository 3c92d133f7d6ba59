/** Job builders for the Kubernetes backend tests. */
import type { Job } from '../../../src/model/job.js';
import type { RenderContext } from '../../../src/backends/types.js';
import { cron, testJob } from '../../fakes/job.js';

export const ctx: RenderContext = {
  nodePath: '/usr/bin/node',
  schedBin: '/opt/sched/bin/run.js',
  stateDir: '/home/u/.local/state/sched',
  hostTimezone: 'Etc/UTC',
  homeDir: '/home/u',
};

export function job(name: string, over: Partial<Job> = {}): Job {
  const kubernetes = { namespace: 'billing', image: 'ghcr.io/acme/billing:1.4.2' };
  return testJob({ name, workingDir: '/srv/repo', timezone: 'Europe/Istanbul', kubernetes, ...over });
}

export { cron };

/** A file of twelve jobs exercising every mapping. */
export function twelveJobs(project = 'billing'): Job[] {
  const k = { namespace: 'billing', image: 'ghcr.io/acme/billing:1.4.2' };
  const list: Job[] = [
    job('nightly-report', { timeoutSeconds: 1800, retries: { max: 2, delaySeconds: 0 }, catchUp: true }),
    job('weekday-sync', {
      schedule: cron('0 9 * * 1-5'),
      command: { shell: 'echo "$HOME" && ./sync.sh --fast' },
    }),
    job('hourly-ping', { schedule: cron('@hourly'), overlap: 'allow' }),
    job('every-5', { schedule: cron('*/5 * * * *'), overlap: 'replace', catchUp: true }),
    job('month-start', {
      schedule: cron('0 9 1 * *'),
      env: { MODE: 'full', EMPTY: '', FLAG: 'on', OCT: '0o17' },
    }),
    job('paused', { enabled: false }),
    job('with-secret', { kubernetes: { ...k, envFromSecret: 'billing-env', serviceAccount: 'reporter' } }),
    job('resources', {
      kubernetes: {
        ...k,
        resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      },
    }),
    job('history', { kubernetes: { ...k, history: { successful: 10, failed: 5 } } }),
    job('workdir', { kubernetes: { ...k, workingDir: '/app' } }),
    job('sundays', { schedule: cron('30 4 * * 0'), timezone: 'America/New_York' }),
    job('odd-days', { schedule: cron('0 0 */2 * *') }),
  ];
  return list.map((j) => ({ ...j, project }));
}
