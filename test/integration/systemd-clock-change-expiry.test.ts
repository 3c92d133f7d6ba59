/**
 * A systemd timer follows Debian cron at clock changes only as far as its explicit lines reach:
 * `sched status` and `sched check` warn a year before that runs out, and `sched apply` renews it.
 * Real services, a real unit directory, a fake `systemctl --user`, and a moved clock.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/services/apply.js';
import { checkProject, nagiosLine } from '../../src/services/check.js';
import { makePlan } from '../../src/services/plan.js';
import { projectStatus } from '../../src/services/status.js';
import { FakeSystemctl, sandbox } from './helpers.js';
import type { Sandbox } from './helpers.js';

const YAML = `version: 1
project: billing
backend: systemd
defaults:
  timezone: Europe/Berlin
jobs:
  berlin-night:
    schedule: "30 2 * * *"
    command: ["true"]
  midday:
    schedule: "0 12 * * *"
    command: ["true"]
`;

describe('systemd clock-change compensation: expiry warned, apply renews', () => {
  let sb: Sandbox<FakeSystemctl> | undefined;
  afterEach(async () => {
    await sb?.cleanup();
  });

  it('warns in status and check within a year of the end; apply renews it', async () => {
    sb = await sandbox(
      (home) => FakeSystemctl.overDirectory(path.join(home, '.config', 'systemd', 'user')),
      YAML,
      { now: new Date('2026-03-02T10:00:00Z') },
    );
    await sb.apply();
    const fresh = await projectStatus({ file: sb.file }, sb.host);
    const night = fresh.jobs.find((j) => j.job === 'berlin-night')!;
    expect(night.clock_changes_until).toBe('2040-01-01');
    // 12:00 is never in a gap or a repeated hour: no lines, nothing to run out.
    expect(fresh.jobs.find((j) => j.job === 'midday')!.clock_changes_until).toBeNull();
    expect(fresh.warnings.join('\n')).not.toMatch(/clock-change/);
    expect((await checkProject(sb.file, sb.host)).healthy).toBe(true);

    // Thirteen years later, nobody re-applied: less than a year left.
    const late = { ...sb.host, now: new Date('2039-02-01T10:00:00Z') };
    const status = await projectStatus({ file: sb.file }, late);
    expect(status.warnings).toContainEqual(
      expect.stringMatching(
        /^berlin-night: the clock-change compensation of its systemd timer ends on 2040-01-01: .*Run `sched apply` to renew it\.$/,
      ),
    );
    const report = await checkProject(sb.file, late);
    const job = report.jobs.find((j) => j.job === 'berlin-night')!;
    expect(job.healthy).toBe(false);
    expect(job.reasons).toContainEqual(expect.stringMatching(/^clock changes: .*ends on 2040-01-01/));
    // No run recorded in 13 years makes the jobs overdue too; the compensation alone is a
    // warning, not critical: every run still happens as scheduled.
    const alone = {
      ...report,
      jobs: [{ ...job, reasons: job.reasons.filter((r) => r.startsWith('clock changes:')) }],
    };
    expect(nagiosLine(alone)).toMatchObject({ exitCode: 1, line: expect.stringMatching(/^SCHED WARNING/) });

    // Re-applying renders the new window (2035–2050); the warning is gone.
    const outcome = await makePlan({ file: sb.file }, late);
    expect(outcome.plan.jobs.find((j) => j.job === 'berlin-night')!.action).toBe('update');
    expect(outcome.plan.jobs.find((j) => j.job === 'midday')!.action).toBe('no-op');
    await executePlan(outcome.plan, outcome, late);
    const after = await projectStatus({ file: sb.file }, late);
    expect(after.jobs.find((j) => j.job === 'berlin-night')!.clock_changes_until).toBe('2050-01-01');
    expect(after.warnings.join('\n')).not.toMatch(/clock-change/);
    const renewed = (await checkProject(sb.file, late)).jobs.find((j) => j.job === 'berlin-night')!;
    expect(renewed.reasons.filter((r) => r.startsWith('clock changes:'))).toEqual([]);
  });
});
