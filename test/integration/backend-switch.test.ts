/**
 * Switching `backend:` from crontab to systemd on one host: the next apply deletes the crontab
 * entries and creates the units in one go (jobs must not keep firing from the old backend), and
 * the foreign crontab lines stay.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REASONS } from '../../src/plan/types.js';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { cycleYaml } from './cycle.js';
import { actions, DispatchRunner, expectNoChanges, FakeSystemctl, reasonsOf, sandbox } from './helpers.js';

describe('switching backend: crontab → systemd', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await cleanup?.();
  });

  it('deletes the crontab entries and creates the units in one apply', async () => {
    vi.stubEnv('TZ', 'UTC');
    const FOREIGN = '# mine\n*/5 * * * * /usr/local/bin/backup\n';
    const cron = new FakeCrontab(FOREIGN);
    let systemctl!: FakeSystemctl;
    const jobs = ['a', 'b', 'c'];
    const sb = await sandbox(
      (home) => {
        systemctl = FakeSystemctl.overDirectory(path.join(home, '.config', 'systemd', 'user'));
        return new DispatchRunner({ crontab: cron, sh: cron, systemctl, loginctl: systemctl });
      },
      cycleYaml('crontab', 'billing', jobs),
    );
    cleanup = () => sb.cleanup();

    await sb.apply();
    expect(cron.text).toContain('# BEGIN sched billing');
    expect(cron.text!.match(/^# sched-managed project=billing job=[a-c] /gm)).toHaveLength(3);

    await sb.write(cycleYaml('systemd', 'billing', jobs));
    const { plan } = await sb.plan();
    expect(plan.backend).toBe('systemd');
    expect(actions(plan)).toEqual({ a: 'update', b: 'update', c: 'update' });
    for (const job of jobs) {
      const changes = plan.jobs.find((j) => j.job === job)!.changes;
      expect(changes.map((c) => `${c.action} ${c.target} ${c.kind}`).sort()).toEqual([
        'create systemd service',
        'create systemd timer',
        'delete crontab crontab entry',
        'update state applied spec',
      ]);
      expect(reasonsOf(plan, job)).toContain(REASONS.removed);
    }
    // The crontab's project-wide catch-up entry goes too.
    expect(plan.jobs.find((j) => j.job === '')?.changes.map((c) => `${c.action} ${c.target}`)).toEqual([
      'delete crontab',
    ]);

    await sb.apply();
    expect(cron.text).toBe(FOREIGN);
    const units = (await readdir(path.join(sb.dir, '.config', 'systemd', 'user'))).sort();
    expect(units).toEqual(jobs.flatMap((j) => [`sched-billing-${j}.service`, `sched-billing-${j}.timer`]));
    for (const j of jobs) expect(systemctl.enabled.has(`sched-billing-${j}.timer`)).toBe(true);
    expectNoChanges((await sb.plan()).plan);
    // One crontab install for the first apply, one for the switch: never one per job.
    expect(cron.writes).toBe(2);
  });
});
