/**
 * A project built from an object through the library API, planned and applied on the real
 * crontab of a throw-away user (the API runs as that user, as a program using sched would), then
 * re-planned (nothing to do) and destroyed. Needs root, cron and `npm run build`.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, REPO_ROOT } from '../e2e/helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from '../e2e/helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();

const program = (api: string) => `
import { apply, destroy, plan, projectFromObject } from ${JSON.stringify(api)};
const project = await projectFromObject({
  version: 1,
  project: 'api-cron',
  backend: 'crontab',
  jobs: {
    one: { schedule: '5 4 * * *', command: ['true'] },
    two: { schedule: '@hourly', command: 'echo two' },
    three: { schedule: 'weekday', command: ['true'], enabled: false },
  },
});
const step = process.argv[2];
if (step === 'apply') {
  const first = await plan(project);
  const summary = await apply(first, { confirm: true });
  const again = await plan(project);
  console.log(JSON.stringify({ first: first.summary, summary, again: again.summary }));
} else {
  console.log(JSON.stringify(await destroy(project, { confirm: true })));
}
`;

describe.skipIf(skip)('library API on the real crontab', () => {
  let user: CronUser;
  let script: string;
  beforeAll(() => {
    user = createCronUser();
    script = path.join(user.home, 'register.mjs');
    user.writeOwned(script, program(pathToFileURL(path.join(REPO_ROOT, 'dist/api.js')).href));
  });
  afterAll(() => user?.remove());

  it('registers three jobs from an object, then removes them', async () => {
    const run = execAs(user);
    const applied = await run(process.execPath, [script, 'apply']);
    expect(applied.stderr).toBe('');
    expect(applied.exitCode).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({
      first: { add: 3, change: 0, delete: 0 },
      summary: { add: 3, change: 0, delete: 0 },
      again: { add: 0, change: 0, delete: 0 },
    });
    const tab = user.read() ?? '';
    expect(tab).toMatch(/^5 4 \* \* \* .* run --project api-cron --trigger crontab one$/m);
    expect(tab).toMatch(/^@hourly .* run --project api-cron --trigger crontab two$/m);
    expect(tab).not.toMatch(/ three$/m); // paused: not installed

    const destroyed = await run(process.execPath, [script, 'destroy']);
    expect(destroyed.exitCode).toBe(0);
    expect(JSON.parse(destroyed.stdout)).toEqual({ add: 0, change: 0, delete: 3 });
    expect(user.read() ?? '').not.toContain('api-cron');
  });
});
