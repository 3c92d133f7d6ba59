/**
 * A project applied from a second checkout (issue 11 item 13): the plan says where the project
 * is installed from and that applying here moves it; the jobs read "moved from another
 * checkout", not "changed in the file"; executing the move needs approval (--force, or a person
 * at the prompt); once moved, the first checkout is the one that would move it back.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { executePlan } from '../../src/services/apply.js';
import { makePlan } from '../../src/services/plan.js';
import { renderPlanText } from '../../src/plan/view-text.js';
import { planFromJson, planToJson } from '../../src/plan/view-json.js';
import { UserError } from '../../src/errors.js';
import { expectNoChanges, rejection, sandbox, type Sandbox } from './helpers.js';

const yaml = (dir: string) =>
  `version: 1\nproject: billing\nbackend: crontab\njobs:\n` +
  `  nightly:\n    schedule: "0 3 * * *"\n    command: ["${dir}/report.sh"]\n` +
  `  hourly:\n    schedule: "0 * * * *"\n    command: ["true"]\n`;

describe('a project applied from a second checkout', () => {
  let sb: Sandbox<FakeCrontab> | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await sb?.cleanup();
  });

  it('is shown as a move, refused without approval, and moved with it', async () => {
    vi.stubEnv('TZ', 'UTC');
    sb = await sandbox(() => new FakeCrontab(), yaml('/srv/first'));
    await sb.apply();
    const second = path.join(sb.dir, 'second', 'schedules.yaml');
    await mkdir(path.dirname(second));
    await writeFile(second, yaml('/srv/second'));

    const outcome = await makePlan({ file: second }, sb.host);
    const { plan } = outcome;
    expect(plan.installedFrom).toBe(sb.file);
    expect(plan.jobs.find((j) => j.job === 'nightly')?.reasons).toEqual(['moved from another checkout']);
    expect(plan.jobs.find((j) => j.job === 'hourly')?.reasons).toEqual(['moved from another checkout']);
    expect(plan.jobs.flatMap((j) => j.reasons)).not.toContain('changed in the file');
    expect(renderPlanText(plan, { color: false })).toContain(
      `Note: project billing is installed from ${sb.file}; applying here moves it.`,
    );
    // A saved plan keeps it.
    expect(planFromJson(JSON.parse(JSON.stringify(planToJson(plan)))).installedFrom).toBe(sb.file);

    const before = sb.runner.text;
    const err = await rejection(executePlan(plan, outcome, sb.host));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(
      `project billing is installed from ${sb.file}; applying ${second} here moves it`,
    );
    expect(sb.runner.text).toBe(before);

    await executePlan(plan, outcome, sb.host, undefined, { allowMove: true });
    const spec = JSON.parse(
      await readFile(path.join(sb.stateDir, 'projects', 'billing', 'jobs', 'hourly', 'spec.json'), 'utf8'),
    ) as { sourceFile: string };
    expect(spec.sourceFile).toBe(second);
    expectNoChanges((await makePlan({ file: second }, sb.host)).plan);
    expect((await makePlan({ file: sb.file }, sb.host)).plan.installedFrom).toBe(second);
  });

  it('is not a move from the same file reached through a symlink', async () => {
    vi.stubEnv('TZ', 'UTC');
    sb = await sandbox(() => new FakeCrontab(), yaml('/srv/first'));
    await sb.apply();
    const { symlink } = await import('node:fs/promises');
    const link = path.join(sb.dir, 'link');
    await symlink(sb.dir, link);
    const { plan } = await makePlan({ file: path.join(link, 'schedules.yaml') }, sb.host);
    expect(plan.installedFrom).toBeUndefined();
    expect(plan.jobs.flatMap((j) => j.reasons)).not.toContain('moved from another checkout');
  });
});
