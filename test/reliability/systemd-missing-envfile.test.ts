/**
 * Issue 12.17: with `EnvironmentFile=` in the unit, a missing env_file made systemd fail the
 * service before `sched run` started, so the job's history had no record of the failed run.
 * sched run reads the env_file itself: the run is recorded as failed, naming the file.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, sched } from '../e2e/helpers/cli.js';
import { startSystemdUser, systemdUserSkipReason, type Harness } from '../e2e/helpers/systemd-user.js';

const skip = systemdUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] systemd missing env_file: ${skip}`);

describe.skipIf(skip)('a missing env_file on systemd', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startSystemdUser();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('fails the run inside sched run, so history records it', { timeout: 120_000 }, async () => {
    const cli = (args: string[]) => sched(h.exec, args);
    const envFile = path.join(h.root, 'job.env');
    const file = path.join(h.root, 'schedules.yaml');
    await writeFile(envFile, 'TOKEN=x\n', { mode: 0o600 });
    await writeFile(
      file,
      `version: 1\nproject: rel\nbackend: systemd\njobs:\n  needs-env:\n    schedule: "0 3 * * *"\n    command: ["true"]\n    catch_up: true\n    env_file: ${envFile}\n`,
    );
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    await rm(envFile);
    await h.exec('systemctl', ['--user', 'start', 'sched-rel-needs-env.service']);
    // Wait for the record (generous deadline; a loaded machine may be slow), never a fixed sleep.
    const deadline = Date.now() + 90_000;
    let records: Array<{ result: string; reason?: string }> = [];
    while (Date.now() < deadline) {
      const history = await cli(['history', 'needs-env', '--project', 'rel', '--json']);
      records = history.exitCode === 0 ? (JSON.parse(history.stdout) as { runs: typeof records }).runs : [];
      if (records.some((r) => r.result !== 'running')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const done = records.filter((r) => r.result !== 'running');
    expect(done.length, 'no history record of the run').toBeGreaterThan(0);
    expect(done[0]!.result).toBe('failed');
    expect(done[0]!.reason).toContain(`cannot read env_file ${envFile}: ENOENT`);
  });
});
