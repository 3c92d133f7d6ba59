import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  convertSystemdTimer,
  onCalendarToCron,
  parseUnit,
  splitExecWords,
} from '../../src/backends/systemd/import.js';
import { nextCronTimes } from '../../src/schedule/occurrences.js';

const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;
if (!analyze)
  console.warn(
    '[skip] OnCalendar → cron fire-time comparison: systemd-analyze is not installed (Debian package systemd)',
  );

/** The next `n` elapses systemd computes, in UTC, from `base`. */
function systemdTimes(expr: string, base: string, n: number): string[] {
  const r = spawnSync('systemd-analyze', ['calendar', `--base-time=${base}`, `--iterations=${n}`, expr], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  expect(r.status, r.stderr).toBe(0);
  return [...r.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map(
    (m) => `${m[1]!.replace(' ', 'T')}.000Z`,
  );
}

const EXACT = [
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'hourly',
  'Mon..Fri *-*-* 09:00',
  '*-*-* *:0/15',
  'Sat,Sun 10:30',
  '*-*-1,15 04:05:00',
  'Mon *-*-1/2 0:0',
  '*-1..6-* 12:00',
  '*-*-* 9..17:00/20',
  'Tue..Thu *-2/3-* 23:59',
];

describe.skipIf(!analyze)(
  'OnCalendar → cron gives the instants systemd gives (systemd-analyze as oracle)',
  () => {
    it.each(EXACT)('%s', (expr) => {
      const converted = onCalendarToCron(expr);
      if (!('cron' in converted)) throw new Error(converted.reason);
      const n = 300;
      const base = '2026-01-01 00:00:00 UTC';
      const ours = nextCronTimes(converted.cron, 'UTC', new Date('2026-01-01T00:00:00Z'), n).map((d) =>
        d.toISOString(),
      );
      expect(ours).toEqual(systemdTimes(expr, base, n));
    });
  },
);

describe('onCalendarToCron', () => {
  it('converts to the expected text', () => {
    expect(onCalendarToCron('Mon..Fri *-*-* 09:00')).toEqual({ cron: '0 9 * * 1-5' });
    expect(onCalendarToCron('*-*-* *:0/15')).toEqual({ cron: '*/15 * * * *' });
    expect(onCalendarToCron('weekly')).toEqual({ cron: '0 0 * * 1' });
    expect(onCalendarToCron('*-*-* 04:30:00 Europe/Berlin')).toEqual({
      cron: '30 4 * * *',
      timezone: 'Europe/Berlin',
    });
  });
  it.each([
    ['*-*-* 09:00:30', /second 30/],
    ['2027-01-01 00:00', /year 2027/],
    ['*-*~1 00:00', /end of the month/],
    ['Mon *-*-1..7 00:00', /both the weekday and the day/],
    ['*-*-* *:*:*', /second/],
    ['Fri..Mon 10:00', /wraps/],
    ['*-02-30 00:00', /never fires/],
  ])('refuses %s', (expr, reason) => {
    const r = onCalendarToCron(expr);
    expect('reason' in r && r.reason).toMatch(/^cannot import exactly: /);
    expect('reason' in r && r.reason).toMatch(reason);
  });
});

describe('unit files', () => {
  it('reads sections, resets on empty values, joins continuation lines', () => {
    const u = parseUnit(
      '# /home/u/.config/systemd/user/x.timer\n[Timer]\nOnCalendar=daily\nOnCalendar=\nOnCalendar=hourly\n[Service]\nExecStart=/bin/echo \\\n  a b\n',
    );
    expect(u.get('Timer.OnCalendar')).toEqual(['hourly']);
    expect(u.get('Service.ExecStart')).toEqual(['/bin/echo    a b']);
  });
  it('splits ExecStart words with quotes, refuses specifiers and variables', () => {
    expect(splitExecWords(`/usr/bin/rsync -a "/src dir/" '/dst'`)).toEqual([
      '/usr/bin/rsync',
      '-a',
      '/src dir/',
      '/dst',
    ]);
    expect(splitExecWords('/bin/x %h')).toMatchObject({ reason: expect.stringMatching(/specifiers/) });
  });

  const opts = { homeDir: '/home/u', hostTimezone: 'UTC' };
  it('converts a timer and its service', () => {
    const p = convertSystemdTimer(
      'backup.timer',
      '[Unit]\nDescription=Nightly backup\n[Timer]\nOnCalendar=*-*-* 02:00\nPersistent=true\n',
      '[Service]\nType=oneshot\nExecStart=-/usr/bin/backup --all\nWorkingDirectory=/srv\nEnvironment=A=1 "B=two words"\nEnvironmentFile=-/home/u/.backup.env\n',
      opts,
    );
    expect(p).toMatchObject({
      schedule: '0 2 * * *',
      command: ['/usr/bin/backup', '--all'],
      working_dir: '/srv',
      env: { A: '1', B: 'two words' },
      env_file: '/home/u/.backup.env',
      catch_up: true,
      description: 'Nightly backup',
      source: { scheduler: 'systemd', id: 'backup.timer' },
    });
  });
  it('refuses monotonic timers and several OnCalendar= lines', () => {
    expect(
      convertSystemdTimer('a.timer', '[Timer]\nOnBootSec=5min\n', '[Service]\nExecStart=/x\n', opts),
    ).toMatchObject({ reason: /OnBootSec/ });
    expect(
      convertSystemdTimer(
        'a.timer',
        '[Timer]\nOnCalendar=daily\nOnCalendar=hourly\n',
        '[Service]\nExecStart=/x\n',
        opts,
      ),
    ).toMatchObject({ reason: /several OnCalendar/ });
  });
});
