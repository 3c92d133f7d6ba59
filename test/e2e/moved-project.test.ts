/**
 * On the real crontab of a throw-away user: status shows the hour a hand edit put in the crontab
 * (issue 11 item 12), and two checkouts of one project (issue 11 item 13): the
 * second apply is refused under --auto-approve with where the project is installed from, moves
 * it with --force; `sched list` says where each project comes from; once the checkout is gone,
 * `status --project` shows it and `destroy --project` removes it without a stub file.
 */
import { chownSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, sched as schedVia } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e two checkouts on the real crontab: ${skip}`);

const yaml = (checkout: string) =>
  `version: 1\nproject: e2e-move\nbackend: crontab\njobs:\n` +
  `  report:\n    schedule: "0 3 * * *"\n    command: ["echo", "${checkout}"]\n` +
  `  sync:\n    schedule: "*/15 * * * *"\n    command: ["true"]\n`;

interface ListJson {
  format_version: number;
  projects: Array<{
    project: string;
    source_file: string;
    source_exists: boolean;
    jobs: number;
    backends: string[];
  }>;
}

// Each CLI start takes seconds on a loaded machine: generous limits, no timing asserted.
describe.skipIf(skip)('two checkouts of one project on the real crontab', { timeout: 300_000 }, () => {
  let user: CronUser;
  let first: string;
  let second: string;
  const cli = (args: string[]) => schedVia(execAs(user), args);
  const list = async (): Promise<ListJson> => {
    const r = await cli(['list', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ListJson;
  };

  beforeAll(() => {
    user = createCronUser();
    for (const name of ['first', 'second']) {
      const dir = path.join(user.home, name);
      mkdirSync(dir);
      chownSync(dir, user.uid, user.gid);
    }
  });
  afterAll(() => user?.remove());

  it('sets up two checkouts', () => {
    first = path.join(user.home, 'first', 'schedules.yaml');
    second = path.join(user.home, 'second', 'schedules.yaml');
    user.writeOwned(first, yaml('first'));
    user.writeOwned(second, yaml('second'));
  });

  it('applies from the first checkout and lists it with its source', async () => {
    const apply = await cli(['apply', '-f', first, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const { projects, format_version } = await list();
    expect(format_version).toBe(1);
    expect(projects).toEqual([
      expect.objectContaining({
        project: 'e2e-move',
        source_file: first,
        jobs: 2,
        backends: ['crontab'],
        source_exists: true,
      }),
    ]);
  });

  it('status shows the hour a hand edit put in the crontab, in 80 columns (issue 11 item 12)', async () => {
    user.write(user.read()!.replace(/^0 3 \* \* \* /m, '0 10 * * * '));
    const json = await cli(['status', '-f', first, '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const report = (
      JSON.parse(json.stdout) as {
        jobs: Array<{ job: string; schedule: string; next_run: string; timezone: string; drift: string }>;
      }
    ).jobs.find((j) => j.job === 'report')!;
    expect(report).toMatchObject({ schedule: 'At 10:00', drift: 'edited by hand' });
    const hour = new Intl.DateTimeFormat('en-GB', {
      timeZone: report.timezone,
      hour: '2-digit',
      hourCycle: 'h23',
    });
    expect(hour.format(new Date(report.next_run))).toBe('10');
    const text = await cli(['status', '-f', first]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ +JOB +SCHEDULE +LEFT +PASSED +RESULT$/m);
    expect(text.stdout).toContain('! report: edited by hand');
    const lines = text.stdout.split('\n');
    const header = lines.findIndex((l) => /^ +JOB/.test(l));
    const table = lines.slice(header, lines.indexOf('', header));
    expect(table.length).toBe(3);
    for (const line of table) expect(line.length, line).toBeLessThanOrEqual(80);
    expect((await cli(['apply', '-f', first, '--auto-approve'])).exitCode).toBe(0); // repaired
  });

  it('refuses to take the project over from the second checkout without --force', async () => {
    const before = user.read();
    const plan = await cli(['plan', '-f', second]);
    expect(plan.stdout).toContain(
      `Note: project e2e-move is installed from ${first}; applying here moves it.`,
    );
    expect(plan.stdout).toContain('moved from another checkout');
    expect(plan.stdout).not.toContain('changed in the file');
    const apply = await cli(['apply', '-f', second, '--auto-approve']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain(
      `project e2e-move is installed from ${first}; applying ${second} here moves it`,
    );
    expect(apply.stderr).not.toMatch(/\n\s+at /);
    expect(user.read()).toBe(before);
    expect((await list()).projects[0]?.source_file).toBe(first);
  });

  it('moves it with --force', async () => {
    const apply = await cli(['apply', '-f', second, '--auto-approve', '--force']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(user.read()).toContain('# BEGIN sched e2e-move');
    expect((await list()).projects[0]?.source_file).toBe(second);
    expect((await cli(['plan', '-f', second, '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('shows and removes the project by name once its checkout is gone', async () => {
    rmSync(path.dirname(second), { recursive: true, force: true });
    expect((await list()).projects[0]).toMatchObject({ source_file: second, source_exists: false });
    const text = await cli(['list']);
    expect(text.stdout).toContain(`${second} (gone)`);

    const status = await cli(['status', '--project', 'e2e-move', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const rows = (JSON.parse(status.stdout) as { jobs: Array<{ job: string; state: string }> }).jobs;
    expect(rows.map((r) => [r.job, r.state])).toEqual([
      ['report', 'scheduled'],
      ['sync', 'scheduled'],
    ]);

    // Still plans and confirms: without a terminal and without --auto-approve, nothing changes.
    const refused = await cli(['destroy', '--project', 'e2e-move']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain('- report (destroy)');
    expect(user.read()).toContain('# BEGIN sched e2e-move');

    const destroy = await cli(['destroy', '--project', 'e2e-move', '--auto-approve']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(user.read() ?? '').not.toContain('e2e-move');
    expect((await list()).projects).toEqual([]);
  });
});
