/**
 * `sched run-now` against a real systemd user manager (issue 11, item 1): `systemctl --user start`
 * runs the unit's own ExecStart, the scheduled `sched run --trigger systemd`, and the run the user
 * asked for used to be recorded as `skipped … after its fire time (catch_up is false)`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/state/runs.js';
import { cliSkipReason, sched } from './helpers/cli.js';
import { startSystemdUser, systemdUserSkipReason, type Harness } from './helpers/systemd-user.js';

const skip = systemdUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e run-now on real systemd: ${skip}`);

describe.skipIf(skip)('sched run-now on a real systemd user manager', () => {
  let h: Harness;
  let file: string;
  let marker: string;
  const cli = (args: string[]) => sched(h.exec, args);

  beforeAll(async () => {
    h = await startSystemdUser();
    file = path.join(h.root, 'schedules.yaml');
    marker = path.join(h.root, 'ran.txt');
    // Once a year, default catch_up (false): whenever the test runs, the last fire time is long
    // past, so a run started by the timer now would be late and skipped — a run-now never is.
    await writeFile(
      file,
      `version: 1\nproject: e2e-now\nbackend: systemd\njobs:\n  yearly:\n    schedule: "0 0 1 1 *"\n    command: ${JSON.stringify(
        ['sh', '-c', 'echo ran >> "$1"', 'sh', marker],
      )}\n`,
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function history(): Promise<RunRecord[]> {
    const r = await cli(['history', 'yearly', '-f', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { runs: RunRecord[] }).runs;
  }

  it('runs the job, recorded as a manual run, however long ago its fire time was', async () => {
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);

    const now = await cli(['run-now', 'yearly', '-f', file]);
    expect(now.stderr).toBe('');
    expect(now.exitCode).toBe(0);
    expect(now.stdout).toContain('Started yearly through systemd');

    // run-now returns once the wrapper took its request; wait for the run to finish.
    const deadline = Date.now() + 120_000;
    let records = await history();
    while (!records.some((r) => r.result !== 'running') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      records = await history();
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ result: 'ok', trigger: 'manual', exit_code: 0 });
    expect(await readFile(marker, 'utf8')).toBe('ran\n');
    // Nothing is left behind to mark a later scheduled run as asked for.
    const left = await h.exec('sh', ['-c', `ls ${h.home}/.local/state/sched/projects/e2e-now/jobs/yearly/`]);
    expect(left.stdout).not.toContain('run-now.request');
  }, 300_000);

  it('the same unit started without run-now is still checked for lateness', async () => {
    const r = await h.exec('systemctl', ['--user', 'start', 'sched-e2e-now-yearly.service']);
    expect(r.exitCode, r.stderr).toBe(0); // oneshot: returns once the run ended
    const records = await history();
    expect(records[0]).toMatchObject({ result: 'skipped', trigger: 'systemd' });
    expect(records[0]!.reason).toMatch(/after its fire time .* \(catch_up is false\)/);
    expect(await readFile(marker, 'utf8')).toBe('ran\n');
  }, 300_000);
});
