/**
 * The crontab backend end to end through the services, against FakeCrontab (one user crontab in
 * memory, with the real command's behaviour): every byte outside project billing's block —
 * comments, env lines, tabs, another project's block — survives every step.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { UserError } from '../../src/errors.js';
import { cycleYaml, runCycle } from './cycle.js';
import { actions, expectNoChanges, rejection, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const BLOCK = /# BEGIN sched billing\n[\s\S]*?# END sched billing\n/;

function text(sb: Sandbox<FakeCrontab>): string {
  return sb.runner.text ?? '';
}

describe('crontab: plan → apply → drift → destroy through the services', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('runs the whole cycle and never touches a foreign byte', async () => {
    vi.stubEnv('TZ', 'UTC'); // crontab runs jobs in the host zone: the file says UTC
    const sb = await runCycle<FakeCrontab>({
      backend: 'crontab',
      jobs: ['nightly-report', 'hourly-sync', 'cleanup', 'weekly-digest'],
      makeRunner: () => new FakeCrontab(),
      async seedUnowned(sb) {
        sb.runner.text =
          'SHELL=/bin/sh\nMAILTO=""\n# my own jobs\n*/5 * * * *\t/usr/local/bin/backup --fast  # tab inside\n\n' +
          text(sb) +
          '\n# a trailing comment\n';
      },
      async foreign(sb) {
        return text(sb).replace(BLOCK, '');
      },
      async installed(sb) {
        const block = BLOCK.exec(text(sb))?.[0] ?? '';
        return [...block.matchAll(/^# sched-managed project=billing job=([^ ]+) /gm)]
          .map((m) => m[1]!)
          .sort();
      },
      async handEdit(sb, job) {
        const re = new RegExp(`(# sched-managed project=billing job=${job} [^\\n]*\\n)\\d+ \\d+ `);
        expect(text(sb)).toMatch(re);
        sb.runner.text = text(sb).replace(re, '$159 23 ');
      },
    });
    cleanup = () => sb.cleanup();
    // The crontab ends exactly as the user (and project payroll) left it.
    expect(text(sb)).not.toContain('billing');
    expect(text(sb)).toMatch(
      /^SHELL=\/bin\/sh\nMAILTO=""\n# my own jobs\n\*\/5 \* \* \* \*\t\/usr\/local\/bin\/backup --fast/,
    );
    expect(text(sb)).toContain('# BEGIN sched payroll\n');
  });

  it('--target plans and applies only the named job; a foreign line added by hand is not drift', async () => {
    vi.stubEnv('TZ', 'UTC');
    const sb = await sandbox(
      () => new FakeCrontab('# mine\n'),
      cycleYaml('crontab', 'billing', ['a', 'b', 'c']),
    );
    cleanup = () => sb.cleanup();
    const targeted = (await sb.plan({ targets: ['b'] })).plan;
    expect(actions(targeted)).toEqual({ b: 'create' });
    await sb.apply({ targets: ['b'] });
    expect(text(sb).match(/job=[a-c] /g)).toEqual(['job=b ']);
    await sb.apply();
    sb.runner.text = `${text(sb)}0 1 * * * /usr/local/bin/added-by-hand\n`;
    expectNoChanges((await sb.plan()).plan);
    const err = await rejection(sb.plan({ targets: ['nope'] }));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe('--target names no job of project billing: nope');
  });

  it('refuses to write a crontab whose markers are unbalanced', async () => {
    vi.stubEnv('TZ', 'UTC');
    const broken = '# BEGIN sched billing\n0 1 * * * /bin/true\n';
    const sb = await sandbox(() => new FakeCrontab(broken), cycleYaml('crontab', 'billing', ['a']));
    cleanup = () => sb.cleanup();
    const err = await rejection(sb.apply());
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^the crontab's sched block for project 'billing' is unbalanced/);
    expect(sb.runner.writes).toBe(0);
    expect(sb.runner.text).toBe(broken);
  });
});
