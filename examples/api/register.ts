// Registers three jobs with sched from a program, without writing YAML: build the project from an
// object, plan, review, apply. Run with SCHED_HOME set to try it without touching your own state.
import { apply, plan, projectFromObject } from 'sched';

const project = await projectFromObject({
  version: 1,
  project: 'my-tool',
  backend: 'embedded', // sched's own daemon; 'auto' picks systemd, launchd, Task Scheduler…
  jobs: {
    sync: { schedule: '*/15 * * * *', command: ['my-tool', 'sync'], overlap: 'skip' },
    digest: { schedule: '0 8 * * mon-fri', command: ['my-tool', 'digest'], timezone: 'Europe/Paris' },
    prune: { schedule: '@weekly', command: 'my-tool prune --older-than 30d', timeout: '10m' },
  },
});

const changes = await plan(project);
for (const job of changes.jobs) if (job.job) console.log(`${job.action} ${job.job}: ${job.schedule}`);
const summary = await apply(changes, { confirm: true }); // never applied without consent
console.log(`${summary.add} added, ${summary.change} changed, ${summary.delete} removed`);
