import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/model/job.js';
import { describeSchedule } from '../../src/schedule/describe.js';
import { nextFireTimes } from '../../src/schedule/occurrences.js';
import { ScheduleTiming } from '../../src/schedule/timing.js';
import { formatInZone } from '../../src/schedule/zoned.js';

const cron = (expr: string): Schedule => ({ kind: 'cron', expr, source: expr });
const SCHEDULES: Schedule[] = [
  cron('0 * * * *'),
  cron('30 2 * * *'),
  cron('*/15 9-17 * * 1-5'),
  cron('0 0 1,15 * 5'),
  cron('@daily'),
  { kind: 'event', event: 'boot', source: '@reboot' },
  { kind: 'at', local: '2027-03-28T02:30', source: '2027-03-28T02:30' },
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];

describe('ScheduleTiming', () => {
  it('describes every job of a plan as describeSchedule and nextFireTimes do, one job at a time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...SCHEDULES), fc.constantFrom(...ZONES)), { maxLength: 30 }),
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z') }),
        (jobs, now) => {
          const timing = new ScheduleTiming(now);
          for (const [schedule, zone] of jobs) {
            expect(timing.describe(schedule)).toBe(describeSchedule(schedule));
            expect(timing.nextRuns(schedule, zone, 3)).toEqual(
              nextFireTimes(schedule, zone, now, 3).map((d) => formatInZone(d, zone)),
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps one schedule apart by zone and by count, and hands each caller its own array', () => {
    const timing = new ScheduleTiming(new Date('2026-03-29T00:30:00Z'));
    const hourly = cron('0 * * * *');
    const berlin = timing.nextRuns(hourly, 'Europe/Berlin', 3);
    const kolkata = timing.nextRuns(hourly, 'Asia/Kolkata', 3);
    expect(berlin).not.toEqual(kolkata);
    expect(timing.nextRuns(hourly, 'Europe/Berlin', 1)).toEqual(berlin.slice(0, 1));
    berlin.push('changed by one caller');
    expect(timing.nextRuns(hourly, 'Europe/Berlin', 3)).toHaveLength(3);
  });
});
