import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import type { Schedule } from '../../src/model/job.js';
import { fireTimesBetween, nextFireTimes } from '../../src/schedule/occurrences.js';
import {
  formatInZone,
  isValidTimeZone,
  localFields,
  offsetAt,
  zonedToInstant,
} from '../../src/schedule/zoned.js';
import { describeSchedule } from '../../src/schedule/describe.js';

const cron = (expr: string): Schedule => ({ kind: 'cron', expr, source: expr });
const isoList = (ds: Date[]): string[] => ds.map((d) => d.toISOString().replace('.000', ''));

describe('zoned', () => {
  test('zone names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('+01:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  test('formatInZone prints the local time with its offset', () => {
    expect(formatInZone(new Date('2025-03-03T08:00:00Z'), 'Europe/Berlin')).toBe('2025-03-03T09:00:00+01:00');
    expect(formatInZone(new Date('2025-07-03T08:00:00Z'), 'Europe/Berlin')).toBe('2025-07-03T10:00:00+02:00');
    expect(formatInZone(new Date('2025-03-03T08:00:00Z'), 'UTC')).toBe('2025-03-03T08:00:00+00:00');
    expect(formatInZone(new Date('2025-03-03T08:00:00Z'), 'America/New_York')).toBe(
      '2025-03-03T03:00:00-05:00',
    );
    expect(formatInZone(new Date('2025-03-03T08:00:00Z'), 'Asia/Kathmandu')).toBe(
      '2025-03-03T13:45:00+05:45',
    );
  });

  test('localFields', () => {
    expect(localFields(new Date('2025-03-30T01:00:00Z'), 'Europe/Berlin')).toEqual({
      year: 2025,
      month: 3,
      day: 30,
      hour: 3,
      minute: 0,
      second: 0,
      dow: 0,
      offsetSeconds: 7200,
    });
  });

  test('zonedToInstant: normal, skipped (first instant after the gap), repeated (earlier or later)', () => {
    const w = (year: number, month: number, day: number, hour: number, minute: number) => ({
      year,
      month,
      day,
      hour,
      minute,
    });
    expect(zonedToInstant(w(2025, 3, 3, 9, 0), 'Europe/Berlin').toISOString()).toBe(
      '2025-03-03T08:00:00.000Z',
    );
    expect(zonedToInstant(w(2025, 3, 30, 2, 30), 'Europe/Berlin').toISOString()).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    expect(zonedToInstant(w(2025, 10, 26, 2, 30), 'Europe/Berlin').toISOString()).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    expect(zonedToInstant(w(2025, 10, 26, 2, 30), 'Europe/Berlin', 'later').toISOString()).toBe(
      '2025-10-26T01:30:00.000Z',
    );
    expect(zonedToInstant(w(2025, 3, 9, 2, 15), 'America/New_York').toISOString()).toBe(
      '2025-03-09T07:00:00.000Z',
    );
  });
});

describe('nextFireTimes: Debian DST rule (derived by hand from cron.c)', () => {
  test('spring gap: a fixed-time job in the gap runs right after it', () => {
    const got = nextFireTimes(cron('30 2 * * *'), 'Europe/Berlin', new Date('2025-03-29T00:00:00Z'), 3);
    expect(isoList(got)).toEqual(['2025-03-29T01:30:00Z', '2025-03-30T01:00:00Z', '2025-03-31T00:30:00Z']);
    const ny = nextFireTimes(cron('30 2 * * *'), 'America/New_York', new Date('2025-03-08T12:00:00Z'), 2);
    expect(isoList(ny)).toEqual(['2025-03-09T07:00:00Z', '2025-03-10T06:30:00Z']);
  });

  test('spring gap: a wildcard job loses the skipped minutes', () => {
    const got = fireTimesBetween(
      cron('*/30 2 * * *'),
      'Europe/Berlin',
      new Date('2025-03-29T12:00:00Z'),
      new Date('2025-03-31T12:00:00Z'),
    );
    expect(isoList(got)).toEqual(['2025-03-31T00:00:00Z', '2025-03-31T00:30:00Z']);
  });

  test('spring gap: several skipped fixed minutes run once, at the end of the gap, with the 03:00 run', () => {
    const got = fireTimesBetween(
      cron('0,30 2,3 * * *'),
      'Europe/Berlin',
      new Date('2025-03-30T00:00:00Z'),
      new Date('2025-03-30T03:00:00Z'),
    );
    expect(isoList(got)).toEqual(['2025-03-30T01:00:00Z', '2025-03-30T01:30:00Z']);
  });

  test('autumn overlap: fixed-time once, wildcard in both passes', () => {
    const from = new Date('2025-10-25T22:00:00Z');
    const to = new Date('2025-10-26T03:00:00Z');
    expect(isoList(fireTimesBetween(cron('30 2 * * *'), 'Europe/Berlin', from, to))).toEqual([
      '2025-10-26T00:30:00Z',
    ]);
    expect(isoList(fireTimesBetween(cron('*/30 2 * * *'), 'Europe/Berlin', from, to))).toEqual([
      '2025-10-26T00:00:00Z',
      '2025-10-26T00:30:00Z',
      '2025-10-26T01:00:00Z',
      '2025-10-26T01:30:00Z',
    ]);
    // starting inside the repeated hour still knows the fixed job already ran
    expect(
      isoList(
        fireTimesBetween(
          cron('45 2 * * *'),
          'Europe/Berlin',
          new Date('2025-10-26T01:10:00Z'),
          new Date('2025-10-26T02:00:00Z'),
        ),
      ),
    ).toEqual([]);
  });

  test('dom/dow and month lengths', () => {
    const got = nextFireTimes(cron('0 0 */2 * 1'), 'UTC', new Date('2025-03-01T00:00:00Z'), 3);
    expect(isoList(got)).toEqual(['2025-03-03T00:00:00Z', '2025-03-17T00:00:00Z', '2025-03-31T00:00:00Z']);
    const leap = nextFireTimes(cron('0 0 29 2 *'), 'UTC', new Date('2025-01-01T00:00:00Z'), 3);
    expect(isoList(leap)).toEqual(['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z', '2036-02-29T00:00:00Z']);
    expect(nextFireTimes(cron('0 0 30 2 *'), 'UTC', new Date('2025-01-01T00:00:00Z'), 3)).toEqual([]);
  });

  test('strictly after from; (from, to] for ranges', () => {
    const from = new Date('2025-01-01T09:00:00Z');
    expect(isoList(nextFireTimes(cron('0 9 * * *'), 'UTC', from, 1))).toEqual(['2025-01-02T09:00:00Z']);
    expect(
      isoList(fireTimesBetween(cron('0 9 * * *'), 'UTC', from, new Date('2025-01-02T09:00:00Z'))),
    ).toEqual(['2025-01-02T09:00:00Z']);
  });

  test('events have none; a one-shot has its local time in the zone', () => {
    expect(nextFireTimes({ kind: 'event', event: 'boot', source: 'boot' }, 'UTC', new Date(), 5)).toEqual([]);
    const at: Schedule = { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' };
    expect(isoList(nextFireTimes(at, 'Europe/Berlin', new Date('2026-01-01T00:00:00Z'), 5))).toEqual([
      '2026-12-31T08:00:00Z',
    ]);
    expect(nextFireTimes(at, 'Europe/Berlin', new Date('2027-01-01T00:00:00Z'), 5)).toEqual([]);
    const gap: Schedule = { kind: 'at', local: '2025-03-30 02:30', source: '' };
    expect(isoList(nextFireTimes(gap, 'Europe/Berlin', new Date('2025-01-01T00:00:00Z'), 1))).toEqual([
      '2025-03-30T01:00:00Z',
    ]);
  });

  test('a year of every-5-minutes in a DST zone is fast', () => {
    const t0 = performance.now();
    const all = fireTimesBetween(
      cron('*/5 * * * *'),
      'Europe/Berlin',
      new Date('2025-01-01T00:00:00Z'),
      new Date('2026-01-01T00:00:00Z'),
    );
    const ms = performance.now() - t0;
    // 365 days × 288, minus the 12 lost in the spring gap, plus 12 repeated in autumn
    expect(all.length).toBe(365 * 288);
    expect(ms).toBeLessThan(5000);
  });
});

describe('describeSchedule', () => {
  test('words', () => {
    expect(describeSchedule(cron('0 2 * * *'))).toBe('At 02:00');
    expect(describeSchedule(cron('@daily'))).toBe('At 00:00');
    expect(describeSchedule(cron('0 0 */2 * 1'))).toMatch(/both the day of month and the day of week/);
    expect(describeSchedule(cron('0 0 1,15 * 5'))).toMatch(/day of month or the day of week/);
    expect(describeSchedule({ kind: 'event', event: 'boot', source: 'boot' })).toBe('At boot');
    expect(describeSchedule({ kind: 'event', event: 'wake', source: 'wake' })).toBe('On wake from sleep');
    expect(describeSchedule({ kind: 'at', local: '2026-12-31 09:00', source: '' })).toBe(
      'Once, at 2026-12-31 09:00',
    );
  });
});

describe('dstEffects', () => {
  test('says what each DST change does to a job', async () => {
    const { dstEffects } = await import('../../src/schedule/occurrences.js');
    const year = [new Date('2025-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z')] as const;
    const fixed = dstEffects(cron('30 2 * * *'), 'Europe/Berlin', ...year);
    expect(fixed.map((e) => [e.transition.toISOString(), e.change, e.effect, e.runs])).toEqual([
      ['2025-03-30T01:00:00.000Z', 'spring', 'moved', 1],
      ['2025-10-26T01:00:00.000Z', 'autumn', 'once', 1],
    ]);
    expect(fixed[0]!.text).toMatch(/2025-03-30 02:30.*right after/);
    const wild = dstEffects(cron('*/15 * * * *'), 'America/New_York', ...year);
    expect(wild.map((e) => [e.effect, e.runs])).toEqual([
      ['skipped', 4],
      ['doubled', 4],
    ]);
    expect(dstEffects(cron('0 12 * * *'), 'Europe/Berlin', ...year)).toEqual([]);
    expect(dstEffects(cron('30 2 * * *'), 'UTC', ...year)).toEqual([]);
  });
});

describe('offsetAt in the UTC zones (answered without a formatter)', () => {
  it('is what the runtime says, 0, for every name of UTC at any instant (fast-check)', () => {
    const names = [
      'UTC',
      'Etc/UTC',
      'Etc/GMT',
      'GMT',
      'Etc/Universal',
      'Zulu',
      'Etc/GMT0',
      'Greenwich',
      'UCT',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.integer({ min: -2e9, max: 4e9 }), (zone, t) => {
        const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
          .formatToParts(new Date(t * 1000))
          .find((p) => p.type === 'timeZoneName')!.value;
        expect(parts).toMatch(/^GMT(\+00:00)?$/);
        expect(offsetAt(zone, t)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
