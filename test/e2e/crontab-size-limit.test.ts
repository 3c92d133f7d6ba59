/**
 * Debian's `crontab` installs at most 10,000 lines. sched counts its block at plan time, so a
 * project too large for one crontab is refused before anything is written — not by `crontab`
 * after the applied specs were (which left the state ahead of the host). Proven against the real
 * crontab: the limit itself, then the refusal through the CLI.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_CRONTAB_MAX_LINES } from '../../src/backends/crontab/render.js';
import { cliSkipReason, execAs, sched as schedVia } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e crontab size limit: ${skip}`);

const lines = (n: number) => Array.from({ length: n }, (_, i) => `# line ${i + 1}\n`).join('');

function yaml(jobs: number): string {
  const out = ['version: 1', 'project: big', 'backend: crontab', 'jobs:'];
  for (let i = 0; i < jobs; i++)
    out.push(`  job-${i}: {schedule: "${i % 60} * * * *", command: [echo, "${i}"]}`);
  return out.join('\n') + '\n';
}

describe.skipIf(skip)('the crontab size limit', () => {
  let user: CronUser;
  beforeAll(() => {
    user = createCronUser();
  });
  afterAll(() => user?.remove());

  it(`is ${DEBIAN_CRONTAB_MAX_LINES} lines in the real crontab`, () => {
    expect(user.tryWrite(lines(DEBIAN_CRONTAB_MAX_LINES)).exitCode).toBe(0);
    const over = user.tryWrite(lines(DEBIAN_CRONTAB_MAX_LINES + 1));
    expect(over.exitCode).not.toBe(0);
    expect(over.stderr).toMatch(/too long/);
    user.write('# foreign\n');
  });

  it('a project over it is refused at plan time: nothing written, the crontab unchanged', async () => {
    const file = path.join(user.home, 'schedules.yaml');
    // 2 markers + 2 for catch-up + 2 per job: 4,998 jobs fill the crontab, 4,999 do not fit.
    user.writeOwned(file, yaml(4_999));
    const r = await schedVia(execAs(user), ['apply', '-f', file, '--auto-approve']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /job 'job-4998' cannot run on crontab: the project's crontab block passes 10,000 lines at this job/,
    );
    expect(r.stderr).toMatch(/hint: split the jobs into projects applied as other users/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(user.read()).toBe('# foreign\n');
    // No applied spec (only the apply lock's folder may exist).
    const project = path.join(user.home, '.local', 'state', 'sched', 'projects', 'big');
    expect(existsSync(path.join(project, 'jobs'))).toBe(false);
    expect(existsSync(path.join(project, 'applied.json'))).toBe(false);
    // Beside the one foreign line, 4,997 jobs fit (9,999 lines), and apply.
    user.writeOwned(file, yaml(4_997));
    const fits = await schedVia(execAs(user), ['apply', '-f', file, '--auto-approve']);
    expect(fits.exitCode, fits.stderr).toBe(0);
    expect(user.read()!.split('\n').length - 1).toBe(DEBIAN_CRONTAB_MAX_LINES - 1);
  });
});
