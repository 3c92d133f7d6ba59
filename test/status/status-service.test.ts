/**
 * `sched status` shows what the host will do (issue 11 item 12): the next run comes from what
 * was applied, or from the native entry when it was edited by hand — never from a file edit
 * that was not applied — and paused jobs are paused. Through the real services, against
 * FakeCrontab (the real `crontab` command's behaviour, in memory).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeCrontab } from '../backends/crontab/fixtures.js';
import { makePlan } from '../../src/services/plan.js';
import { projectStatus } from '../../src/services/status.js';
import { sandbox, type Sandbox } from '../integration/helpers.js';

// 2026-03-02T10:00:00Z is NOW of the integration sandbox.
const yaml = (nightly: string, enabled = true) =>
  `version: 1\nproject: billing\nbackend: crontab\njobs:\n` +
  `  nightly:\n    schedule: "${nightly}"\n    command: ["true"]\n${enabled ? '' : '    enabled: false\n'}` +
  `  hourly:\n    schedule: "0 * * * *"\n    command: ["true"]\n`;

describe('status: the host view', () => {
  let sb: Sandbox<FakeCrontab> | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    await sb?.cleanup();
    sb = undefined;
  });

  async function setUp(): Promise<Sandbox<FakeCrontab>> {
    vi.stubEnv('TZ', 'UTC'); // cron fires in the host zone; the jobs say nothing: UTC
    sb = await sandbox(() => new FakeCrontab(), yaml('0 11 * * *'));
    await sb.apply();
    return sb;
  }

  const row = async (s: Sandbox<FakeCrontab>, job: string) =>
    (await projectStatus({ file: s.file }, s.host)).jobs.find((j) => j.job === job)!;

  it('takes the next run from the entry edited by hand, and says so', async () => {
    const s = await setUp();
    expect((await row(s, 'nightly')).next_run).toBe('2026-03-02T11:00:00.000Z');
    s.runner.text = s.runner.text!.replace(/^0 11 \* \* \* /m, '0 12 * * * ');
    const nightly = await row(s, 'nightly');
    expect(nightly.next_run).toBe('2026-03-02T12:00:00.000Z');
    expect(nightly.schedule_edited_by_hand).toBe(true);
    expect(nightly.schedule).toBe('At 12:00');
    expect(nightly.file_schedule).toBe('At 11:00');
    expect(nightly.drift).toBe('edited by hand');
    expect(nightly.state).toBe('scheduled');
  });

  it('takes the next run from what was applied, not from an edit of the file that was not', async () => {
    const s = await setUp();
    await s.write(yaml('0 13 * * *'));
    const nightly = await row(s, 'nightly');
    expect(nightly.next_run).toBe('2026-03-02T11:00:00.000Z');
    expect(nightly.schedule).toBe('At 11:00');
    expect(nightly.file_schedule).toBe('At 13:00');
    expect(nightly.drift).toBe('changed in the file');
  });

  it('marks a paused job paused once the pause is applied, with no next run', async () => {
    const s = await setUp();
    await s.write(yaml('0 11 * * *', false));
    // Paused in the file only: the host still fires it.
    expect(await row(s, 'nightly')).toMatchObject({ state: 'scheduled', drift: 'paused' });
    await s.apply();
    expect(await row(s, 'nightly')).toMatchObject({ state: 'paused', next_run: null, drift: null });
  });

  it('says a job whose entry is gone fires nowhere', async () => {
    const s = await setUp();
    s.runner.text = s.runner.text!.replace(/^# sched-managed project=billing job=nightly .*\n.*\n/m, '');
    expect(await row(s, 'nightly')).toMatchObject({ state: 'missing', next_run: null, drift: 'missing' });
  });

  it('reads an installed project without its file (--project)', async () => {
    const s = await setUp();
    await s.write('not: [valid yaml for sched');
    const status = await projectStatus({ project: 'billing' }, s.host);
    expect(status.file).toBe(s.file);
    expect(status.jobs.map((j) => [j.job, j.state, j.next_run])).toEqual([
      ['hourly', 'scheduled', '2026-03-02T11:00:00.000Z'],
      ['nightly', 'scheduled', '2026-03-02T11:00:00.000Z'],
    ]);
    expect(status.jobs.every((j) => j.drift === null && j.file_schedule === null)).toBe(true);
  });

  it('is JSON with a format_version and snake_case keys only', async () => {
    const s = await setUp();
    const status = await projectStatus({ file: s.file }, s.host);
    expect(status.format_version).toBe(1);
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) => [k, ...(v && typeof v === 'object' ? keys(v) : [])]);
    const names = keys(JSON.parse(JSON.stringify(status))).filter((k) => !/^\d+$/.test(k));
    expect(names.filter((k) => !/^[a-z0-9_]+$/.test(k))).toEqual([]);
  });

  it('refuses an unknown --project with a pointer to sched list', async () => {
    const s = await setUp();
    await expect(projectStatus({ project: 'payroll' }, s.host)).rejects.toThrow(
      /no project payroll is installed/,
    );
    // a name that is not a project name never becomes a path
    await expect(makePlan({ file: '', project: '../x' }, s.host)).rejects.toThrow(/not a project name/);
  });
});
