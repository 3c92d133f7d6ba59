/**
 * `sched status` on a systemd project with `wake` jobs: the wake listener's failure, or its not
 * running, is a warning — the wake job's own row looks scheduled either way (its start-up timer
 * is fine). Through the real services, against FakeSystemctl over a unit directory.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectStatus } from '../../src/services/status.js';
import { writeWakeListenerStatus } from '../../src/state/wake-listener.js';
import { FakeSystemctl, sandbox, type Sandbox } from '../integration/helpers.js';

const YAML =
  'version: 1\nproject: billing\nbackend: systemd\njobs:\n' +
  '  resync:\n    schedule: wake\n    command: ["true"]\n' +
  '  hourly:\n    schedule: "0 * * * *"\n    command: ["true"]\n';
const LISTENER = 'sched-billing--wake.service';

describe('status: the systemd wake listener', () => {
  let sb: Sandbox<FakeSystemctl> | undefined;
  afterEach(async () => {
    await sb?.cleanup();
    sb = undefined;
  });

  it('is quiet while it runs, and warns when it is not running or failed', async () => {
    sb = await sandbox(
      (dir) => FakeSystemctl.overDirectory(path.join(dir, '.config', 'systemd', 'user')),
      YAML,
    );
    await sb.apply();
    expect(sb.runner.active.has(LISTENER)).toBe(true);
    const status = () => projectStatus({ file: sb!.file }, sb!.host);
    expect((await status()).warnings.filter((w) => w.includes('wake'))).toEqual([]);

    sb.runner.active.delete(LISTENER);
    expect((await status()).warnings).toContain(
      `the wake listener ${LISTENER} is not running: wake jobs (resync) do not run on resume; \`sched apply\` starts it`,
    );
    expect((await status()).jobs.find((j) => j.job === 'resync')!.state).toBe('scheduled');

    writeWakeListenerStatus(sb.stateDir, 'billing', {
      state: 'failed',
      pid: 1234,
      since: '2026-03-02T09:59:00.000Z',
      jobs: ['resync'],
      error: 'cannot reach the system bus: Error connecting: Could not connect: No such file or directory',
    });
    const warnings = (await status()).warnings.filter((w) => w.includes('wake'));
    expect(warnings).toEqual([
      `the wake listener ${LISTENER} failed at 2026-03-02T09:59:00.000Z: cannot reach the system bus: Error connecting: Could not connect: No such file or directory. wake jobs (resync) do not run on resume; see \`journalctl --user -u ${LISTENER}\`, fix the cause, then \`sched apply\` restarts it`,
    ]);
  });
});
