import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertTask, taskTriggerToCron } from '../../src/backends/windows/import.js';
import { fireTimesBetween } from '../../src/schedule/occurrences.js';
import type { TaskCalendarTrigger } from '../../src/schedule/to-tasktrigger.js';
import { expandTaskTriggers } from '../backends/oracles/tasktrigger.js';

const FROM = new Date('2027-01-01T00:00:00Z');
const TO = new Date('2028-01-01T00:00:00Z');

const trigger: fc.Arbitrary<TaskCalendarTrigger> = fc
  .record({
    schedule: fc.oneof(
      fc.constant({ kind: 'day' as const }),
      fc.record({
        kind: fc.constant('week' as const),
        weekdays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
      }),
      fc.record({
        kind: fc.constant('month' as const),
        days: fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 4 }),
        months: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
      }),
    ),
    startMinute: fc.integer({ min: 0, max: 1439 }),
    interval: fc.constantFrom(0, 10, 15, 30, 60, 180, 240),
    count: fc.integer({ min: 1, max: 12 }),
  })
  .map(({ schedule, startMinute, interval, count }) => {
    const n = interval === 0 ? 1 : Math.min(count, Math.floor((1439 - startMinute) / interval) + 1);
    return { schedule, time: { startMinute, intervalMinutes: n > 1 ? interval : 0, count: n } };
  });

describe('Task Scheduler trigger → cron fires at the instants Task Scheduler does (documented rules as oracle)', () => {
  it('for any one calendar trigger it accepts (property)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(trigger, (t) => {
        const r = taskTriggerToCron(t);
        if ('reason' in r) {
          expect(r.reason).toMatch(/not every combination/);
          return;
        }
        accepted++;
        const ours = fireTimesBetween({ kind: 'cron', expr: r.cron, source: r.cron }, 'UTC', FROM, TO).map(
          (d) => d.getTime(),
        );
        const theirs = expandTaskTriggers([t], FROM, TO, 'UTC', true).map((d) => d.getTime());
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 60 },
    );
    expect(accepted).toBeGreaterThan(10);
  }, 120_000);

  it('converts the usual shapes', () => {
    expect(
      taskTriggerToCron({
        schedule: { kind: 'day' },
        time: { startMinute: 150, intervalMinutes: 0, count: 1 },
      }),
    ).toEqual({ cron: '30 2 * * *' });
    expect(
      taskTriggerToCron({
        schedule: { kind: 'week', weekdays: [1, 3, 5] },
        time: { startMinute: 540, intervalMinutes: 0, count: 1 },
      }),
    ).toEqual({ cron: '0 9 * * 1,3,5' });
    expect(
      taskTriggerToCron({
        schedule: { kind: 'day' },
        time: { startMinute: 540, intervalMinutes: 15, count: 4 },
      }),
    ).toEqual({ cron: '0,15,30,45 9 * * *' });
    expect(
      taskTriggerToCron({
        schedule: { kind: 'month', days: ['Last'], months: [1] },
        time: { startMinute: 0, intervalMinutes: 0, count: 1 },
      }),
    ).toMatchObject({ reason: /last day/ });
    expect(
      taskTriggerToCron({
        schedule: { kind: 'month', days: [30], months: [2, 3] },
        time: { startMinute: 0, intervalMinutes: 0, count: 1 },
      }),
    ).toMatchObject({ reason: /does not always have/ });
  });
});

const task = (triggers: string, extra = '') => `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo><URI>\\Backups\\Nightly</URI><Description>Nightly backup</Description></RegistrationInfo>
  <Triggers>${triggers}</Triggers>
  <Settings><StartWhenAvailable>true</StartWhenAvailable><Enabled>true</Enabled>${extra}</Settings>
  <Actions Context="Author"><Exec><Command>C:\\Tools\\backup.exe</Command><Arguments>--all "C:\\My Data"</Arguments><WorkingDirectory>C:\\Tools</WorkingDirectory></Exec></Actions>
</Task>`;

describe('convertTask', () => {
  const opts = { homeDir: 'C:\\Users\\u', hostTimezone: 'UTC' };
  it('converts a weekly task with its command, working directory and catch-up', () => {
    const p = convertTask(
      '\\Backups\\Nightly',
      task(
        '<CalendarTrigger><StartBoundary>2024-01-01T02:30:00</StartBoundary><Enabled>true</Enabled><ScheduleByWeek><DaysOfWeek><Monday /><Friday /></DaysOfWeek><WeeksInterval>1</WeeksInterval></ScheduleByWeek></CalendarTrigger>',
      ),
      opts,
    );
    expect(p).toMatchObject({
      schedule: '30 2 * * 1,5',
      command: ['C:\\Tools\\backup.exe', '--all', 'C:\\My Data'],
      working_dir: 'C:\\Tools',
      catch_up: true,
      description: 'Nightly backup',
      nameHint: 'Nightly',
      source: { scheduler: 'windows', id: '\\Backups\\Nightly' },
    });
  });
  it('refuses every-N-days, several triggers and end dates', () => {
    const byDay = (n: number) =>
      `<CalendarTrigger><StartBoundary>2024-01-01T02:30:00</StartBoundary><ScheduleByDay><DaysInterval>${n}</DaysInterval></ScheduleByDay></CalendarTrigger>`;
    expect(convertTask('\\x', task(byDay(1)), opts)).toMatchObject({ schedule: '30 2 * * *' });
    expect(convertTask('\\x', task(byDay(2)), opts)).toMatchObject({ reason: /every N days/ });
    expect(convertTask('\\x', task(byDay(1) + byDay(1)), opts)).toMatchObject({ reason: /several triggers/ });
    expect(
      convertTask(
        '\\x',
        task(
          byDay(1).replace(
            '</StartBoundary>',
            '</StartBoundary><EndBoundary>2030-01-01T00:00:00</EndBoundary>',
          ),
        ),
        opts,
      ),
    ).toMatchObject({ reason: /EndBoundary/ });
  });
});
