/**
 * Overdue detection and `sched check` on the real crontab of a throw-away user with no cron
 * daemon: a job nothing fires becomes overdue in `status` and makes `check` exit 2; a job that
 * ran is healthy. Time moves forward with faketime (the real `sched` processes see a clock a few
 * minutes ahead), so the test does not wait for minutes to pass. `--notify` sends one `missed`
 * event per missed fire time to an HTTP server on 127.0.0.1, and not again on the next check.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSkipReason, execAs, SCHED_BIN } from './helpers/cli.js';
import { createCronUser, cronUserSkipReason, type CronUser } from './helpers/cron-user.js';

const faketime = spawnSync('sh', ['-c', 'command -v faketime']).status === 0;
const skip = cronUserSkipReason() ?? cliSkipReason() ?? (faketime ? undefined : 'faketime is not installed');
if (skip) console.warn(`[skip] e2e sched check: ${skip}`);

/** Each test spawns several CLI processes; a loaded CI machine with parallel files is slow. */
const SLOW_MS = 120_000;

describe.skipIf(skip)('overdue jobs and sched check on a crontab nobody runs', () => {
  let user: CronUser;
  let file: string;
  const got: string[] = [];
  let server: http.Server;
  /** sched as the user, with the clock `ahead` seconds in the future. */
  const at = (ahead: number, args: string[]) =>
    execAs(user)('faketime', ['-f', `+${ahead}s`, process.execPath, SCHED_BIN, ...args], { NO_COLOR: '1' });
  /** sched as the user, with the clock starting at `instant` (read as UTC). */
  const atInstant = (instant: Date, args: string[]) =>
    execAs(user)(
      'faketime',
      [
        '-f',
        `@${instant.toISOString().slice(0, 19).replace('T', ' ')}`,
        process.execPath,
        SCHED_BIN,
        ...args,
      ],
      { NO_COLOR: '1', TZ: 'UTC' },
    );

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => (got.push(body), res.end('OK')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    user = createCronUser();
    file = path.join(user.home, 'schedules.yaml');
    user.writeOwned(
      file,
      `version: 1
project: e2e-check
backend: crontab
jobs:
  forgotten:
    schedule: "* * * * *"
    command: ["true"]
    notify: [{ webhook: "http://127.0.0.1:${port}/hook", on: [missed] }]
  ran:
    schedule: "* * * * *"
    command: ["true"]
  paused:
    schedule: "* * * * *"
    command: ["true"]
    enabled: false
  at-boot:
    schedule: boot
    command: ["true"]
`,
    );
    const apply = await execAs(user)(process.execPath, [SCHED_BIN, 'apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
  });
  afterAll(async () => {
    user?.remove();
    await new Promise((r) => server?.close(r));
  }, SLOW_MS);

  it(
    'is healthy right after apply (no fire time has passed the grace yet)',
    async () => {
      const r = await at(0, ['check', '-f', file]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    },
    SLOW_MS,
  );

  it(
    'shows the job nothing started as overdue and exits 2; the one that ran is ok',
    async () => {
      // The crontab entry of `ran`, run by hand 4 minutes "later", as cron would have.
      const line = user
        .read()!
        .split('\n')
        .find((l) => l.endsWith(' ran') && !l.startsWith('#'))!;
      const fired = await execAs(user)('faketime', [
        '-f',
        '+240s',
        'sh',
        '-c',
        line.split(/\s+/).slice(5).join(' '),
      ]);
      expect(fired.exitCode, fired.stderr).toBe(0);

      const status = await at(250, ['status', '-f', file]);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/forgotten .*overdue/);
      expect(status.stdout).toMatch(
        /forgotten is overdue: expected \d\d:\d\d, nothing recorded; is the cron daemon running\?/,
      );
      expect(status.stdout).not.toMatch(/(ran|paused|at-boot) is overdue/);

      const check = await at(250, ['check', '-f', file, '--json']);
      expect(check.exitCode, check.stderr).toBe(2);
      const report = JSON.parse(check.stdout) as {
        healthy: boolean;
        jobs: { job: string; healthy: boolean; reasons: string[] }[];
      };
      expect(report.healthy).toBe(false);
      const byJob = Object.fromEntries(report.jobs.map((j) => [j.job, j]));
      expect(byJob.forgotten!.healthy).toBe(false);
      expect(byJob.forgotten!.reasons[0]).toMatch(/^overdue: expected/);
      expect(byJob.ran!.healthy).toBe(true);
      expect(byJob.paused!.healthy).toBe(true);
      expect(byJob['at-boot']!.healthy).toBe(true);

      const nagios = await at(250, ['check', '-f', file, '--format', 'nagios']);
      expect(nagios.exitCode).toBe(2);
      expect(nagios.stdout).toMatch(
        /^SCHED CRITICAL - e2e-check: 1 of 4 unhealthy: forgotten \(overdue: .*\) \| jobs=4 unhealthy=1\n$/,
      );
    },
    SLOW_MS,
  );

  it(
    '--notify sends one missed event per missed fire time, not again on the next check',
    async () => {
      // Both checks at fixed instants 5 s apart early in one minute: with relative offsets a
      // minute could turn between them on a slow machine, and the every-minute job would then
      // have a new missed fire time to report.
      const base = Math.ceil((Date.now() + 250_000) / 60_000) * 60_000 + 5_000;
      const first = await atInstant(new Date(base), ['check', '-f', file, '--notify']);
      expect(first.exitCode).toBe(2);
      expect(first.stdout).toMatch(/sent a missed event for forgotten/);
      expect(got).toHaveLength(1);
      const event = JSON.parse(got[0]!) as Record<string, unknown>;
      expect(event).toMatchObject({
        event: 'missed',
        job: 'forgotten',
        project: 'e2e-check',
        result: 'missed',
      });
      expect(typeof event.scheduled).toBe('string');

      const again = await atInstant(new Date(base + 5_000), ['check', '-f', file, '--notify']);
      expect(again.exitCode).toBe(2);
      expect(again.stdout).not.toMatch(/sent a missed event/);
      expect(got).toHaveLength(1);
    },
    SLOW_MS,
  );

  it(
    'exits 1 (not 2) on an error, and UNKNOWN in the Nagios format',
    async () => {
      const missing = path.join(user.home, 'nope.yaml');
      const r = await at(0, ['check', '-f', missing]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const n = await at(0, ['check', '-f', missing, '--format', 'nagios']);
      expect(n.exitCode).toBe(3);
      expect(n.stdout).toMatch(/^SCHED UNKNOWN - /);
    },
    SLOW_MS,
  );
});
