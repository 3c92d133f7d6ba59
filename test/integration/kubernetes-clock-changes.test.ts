/**
 * `plan` through the services with the Kubernetes backend (FakeCluster): each clock-change
 * difference of a CronJob from Debian cron is a note on the job, with dates; runs lost outright
 * (Australia/Lord_Howe) stop the plan unless `strict_clock_changes: false`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeCluster } from '../backends/kubernetes/fake-cluster.js';
import { InvalidConfigError } from '../../src/errors.js';
import { sandbox, type Sandbox } from './helpers.js';

function yaml(jobs: string, strict?: boolean): string {
  return `version: 1
project: billing
backend: kubernetes
defaults:
  kubernetes:
    namespace: billing
    image: ghcr.io/acme/billing:1.4.2
${strict === undefined ? '' : `    strict_clock_changes: ${strict}\n`}jobs:
${jobs}`;
}

const job = (name: string, expr: string, zone: string): string =>
  `  ${name}:\n    schedule: "${expr}"\n    timezone: ${zone}\n    command: ["${name}"]\n`;

describe('kubernetes clock changes in plan', () => {
  let sb: Sandbox<FakeCluster> | undefined;
  afterEach(async () => sb?.cleanup());

  it('notes skipped and doubled runs in New York and Berlin, nothing for an unaffected job', async () => {
    sb = await sandbox(
      () => new FakeCluster({ namespaces: ['billing'] }),
      yaml(
        job('ny', '30 2 * * *', 'America/New_York') +
          job('berlin', '30 2 * * *', 'Europe/Berlin') +
          job('morning', '0 9 * * *', 'Europe/Berlin'),
      ),
    );
    const { plan } = await sb.plan();
    const notes = Object.fromEntries(plan.jobs.map((j) => [j.job, j.notes]));
    // The sandbox's now is 2026-03-02: the next changes are in March and October/November 2026.
    expect(notes.ny![0]).toMatch(
      /^clocks go forward from 02:00 to 03:00 on 2026-03-08 \(America\/New_York\): the CronJob skips the run Debian cron makes right after the jump \(2026-03-08 03:00\)/,
    );
    expect(notes.berlin).toEqual([
      expect.stringMatching(
        /^clocks go forward from 02:00 to 03:00 on 2026-03-29 \(Europe\/Berlin\): the CronJob skips/,
      ),
      expect.stringMatching(
        /^clocks go back from 03:00 to 02:00 on 2026-10-25 \(Europe\/Berlin\): the CronJob runs a second time in the repeated hour \(2026-10-25 02:30 \+01:00\)/,
      ),
      expect.stringMatching(/^8 more clock changes in Europe\/Berlin within 5 years/),
    ]);
    expect(notes.morning).toEqual([]);
  });

  it('Lord Howe: refused by default with the dates; with strict_clock_changes: false, noted', async () => {
    sb = await sandbox(
      () => new FakeCluster({ namespaces: ['billing'] }),
      yaml(job('report', '0 9 * * *', 'Australia/Lord_Howe')),
    );
    const err = await sb.plan().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidConfigError);
    const [problem, ...more] = (err as InvalidConfigError).diagnostics;
    expect(more).toEqual([]);
    expect(problem!.severity).toBe('error');
    expect(problem!.message).toMatch(
      /job 'report' cannot run on kubernetes: at clock changes in Australia\/Lord_Howe within 5 years the CronJob loses runs outright .*: 2026-04-05 09:00, 2026-10-04 09:00/,
    );
    await sb.write(yaml(job('report', '0 9 * * *', 'Australia/Lord_Howe'), false));
    const { plan } = await sb.plan();
    expect(plan.jobs.find((j) => j.job === 'report')!.notes[0]).toMatch(
      /^clocks go back from 02:00 to 01:30 on 2026-04-05 \(Australia\/Lord_Howe\): the CronJob loses the run of 2026-04-05 09:00 outright/,
    );
  });
});
