/**
 * A `TZ` in the shell that runs `sched apply` must not change when a crontab job runs, nor make
 * its runs late (issue 11, item 2). cron fires in the host's zone (/etc/localtime) and never sees
 * that shell; sched used to take the job's zone from `$TZ`, so the wrapper judged each cron-fired
 * run against a fire time hours away and recorded it `skipped`.
 *
 * Against the real `crontab` of a throw-away user. No cron daemon runs on the test machine (one
 * would fire every user's crontab), so the test fires the installed line as cron does: its
 * command, through /bin/sh, as the user, with cron's environment (no TZ), at its fire time.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSchedulerZone } from '../../src/platform/host-zone.js';
import { localFields } from '../../src/schedule/zoned.js';
import type { RunRecord } from '../../src/state/runs.js';
import { cliSkipReason, execAs, localExec, sched as schedVia } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const skip = cronUserSkipReason() ?? cliSkipReason();
if (skip) console.warn(`[skip] e2e host zone on the real crontab: ${skip}`);

/** A zone at least five hours away from `zone` all year (and not a whole-day multiple). */
function otherZone(zone: string): string {
  const offset = localFields(new Date(), zone).offsetSeconds / 3600;
  return Math.abs(offset - 5.5) >= 5 ? 'Asia/Kolkata' : 'America/Los_Angeles';
}

describe.skipIf(skip)('a crontab job applied from a shell with another TZ', () => {
  let user: CronUser;
  let file: string;
  const host = hostSchedulerZone();
  const shellZone = otherZone(host.zone);
  const cli = (args: string[], env: Record<string, string> = {}) => schedVia(execAs(user), args, env);

  beforeAll(() => {
    user = createCronUser();
    file = path.join(user.home, 'schedules.yaml');
  });
  afterAll(() => user?.remove());

  it(`runs on time in the host's zone (${host.zone}), not in TZ's`, async () => {
    // Fires daily at this very minute, host time: cron would start it now.
    const now = localFields(new Date(), host.zone);
    const expr = `${now.minute} ${now.hour} * * *`;
    user.writeOwned(
      file,
      `version: 1\nproject: e2e-zone\nbackend: crontab\njobs:\n  daily:\n    schedule: "${expr}"\n    command: ["true"]\n`,
    );
    const plan = await cli(['plan', '-f', file], { TZ: shellZone });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`Host time zone: ${host.zone} (from ${host.source})`);
    expect(plan.stdout).toContain(`Warning: TZ=${shellZone} is set here, but the scheduler does not see it`);
    expect(plan.stdout).toContain(`[${host.zone}]`);

    const apply = await cli(['apply', '-f', file, '--auto-approve'], { TZ: shellZone });
    expect(apply.exitCode, apply.stderr).toBe(0);
    const line = user
      .read()!
      .split('\n')
      .find((l) => l.startsWith(expr + ' '));
    expect(line, user.read()).toBeDefined();

    // Fire it as cron does, with cron's environment: no TZ, the host's zone.
    const command = line!.slice(expr.length + 1);
    const fired = await localExec(user.home)('runuser', [
      '-u',
      user.name,
      '--',
      'env',
      '-i',
      `HOME=${user.home}`,
      `LOGNAME=${user.name}`,
      'PATH=/usr/bin:/bin',
      'SHELL=/bin/sh',
      '/bin/sh',
      '-c',
      command,
    ]);
    expect(fired.exitCode, fired.stderr).toBe(0);

    const history = await cli(['history', 'daily', '-f', file, '--json']);
    expect(history.exitCode, history.stderr).toBe(0);
    const [record] = (JSON.parse(history.stdout) as { runs: RunRecord[] }).runs;
    expect(record, history.stdout).toMatchObject({ result: 'ok', trigger: 'crontab', exit_code: 0 });
  }, 120_000);
});
