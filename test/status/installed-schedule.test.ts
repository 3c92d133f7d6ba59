/** Reading the schedule back from a native entry edited by hand (what `status` shows for it). */
import { describe, expect, it } from 'vitest';
import { nativeSchedules } from '../../src/services/installed-schedule.js';

describe('nativeSchedules', () => {
  it('reads a crontab line (fields or @-macro) in the host zone', () => {
    const line = (when: string) => ({
      kind: 'crontab entry',
      content: `# sched-managed project=p job=j hash=sha256:00\n# a description\n${when} '/usr/bin/node' run j\n`,
    });
    expect(nativeSchedules(line('0 10 * * 1-5'), 'Europe/Paris')).toEqual([
      { schedule: { kind: 'cron', expr: '0 10 * * 1-5', source: '0 10 * * 1-5' }, timezone: 'Europe/Paris' },
    ]);
    expect(nativeSchedules(line('@daily'), 'UTC')?.[0]?.schedule).toMatchObject({ kind: 'cron' });
    expect(nativeSchedules(line('61 * * * *'), 'UTC')).toBeUndefined();
  });

  it('reads every OnCalendar= of a timer, with its zone', () => {
    const timer = {
      kind: 'timer',
      content:
        '[Timer]\nOnCalendar=*-*-* 10:00:00 Europe/Berlin\nOnCalendar=Sat *-*-* 12:30:00\nUnit=x.service\n',
    };
    const got = nativeSchedules(timer, 'UTC')!;
    expect(got.map((s) => [s.schedule.kind === 'cron' && s.schedule.expr, s.timezone])).toEqual([
      ['0 10 * * *', 'Europe/Berlin'],
      ['30 12 * * 6', 'UTC'],
    ]);
  });

  it("reads a hand-edited timer that keeps sched's clock-change lines as its calendar", () => {
    const timer = {
      kind: 'timer',
      content:
        "[Timer]\nOnCalendar=*-*-* 02:45:00 Europe/Berlin\n# Clock changes in Europe/Berlin compensated (Debian cron's rule) until 2040-01-01\nOnCalendar=2025-03-30 01:00:00 UTC\nOnCalendar=2026-03-29 01:00:00 UTC\nUnit=x.service\n",
    };
    expect(nativeSchedules(timer, 'UTC')?.map((s) => s.schedule.kind === 'cron' && s.schedule.expr)).toEqual([
      '45 2 * * *',
    ]);
    // Without sched's comment, an explicit date is the user's own: not read as a repeating schedule.
    const own = {
      kind: 'timer',
      content: '[Timer]\nOnCalendar=*-*-* 02:45:00\nOnCalendar=2026-03-29 01:00:00 UTC\n',
    };
    expect(nativeSchedules(own, 'UTC')).toBeUndefined();
  });

  it('says unknown for what it cannot read', () => {
    expect(
      nativeSchedules({ kind: 'timer', content: '[Timer]\nOnCalendar=*-*-~01\n' }, 'UTC'),
    ).toBeUndefined();
    expect(nativeSchedules({ kind: 'plist', content: '<plist/>' }, 'UTC')).toBeUndefined();
  });
});
