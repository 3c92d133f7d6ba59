/**
 * The one "missed fire times" function (src/schedule/missed.ts), as a table: each row a schedule,
 * a zone, the interval (since, until], an optional cap and what passed in it. Every row runs through
 * the engine's range query (`fireTimesBetween`, what the wrapper, catch-up and overdue check use)
 * and through its first-after query (`nextFireTimes`, what the daemon uses): both must agree.
 * The expected instants are worked out by hand (the DST rows follow Debian cron's rule, as in
 * zoned-occurrences.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../src/model/job.js';
import {
  fireTimesFromNext,
  missedFireTimes,
  mostRecentFireTime,
  type FireTimesIn,
} from '../../src/schedule/missed.js';
import { fireTimesBetween, nextFireTimes } from '../../src/schedule/occurrences.js';
import { cron } from '../fakes/job.js';

interface Row {
  name: string;
  schedule: Schedule;
  zone?: string;
  since: string;
  until: string;
  cap?: number;
  count: number;
  earliest?: string;
  mostRecent?: string;
  tooMany?: boolean;
}

const ROWS: Row[] = [
  {
    name: 'none missed: the interval ends just before the next fire time',
    schedule: cron('0 * * * *'),
    since: '2026-06-01T10:00:00Z',
    until: '2026-06-01T10:59:59Z',
    count: 0,
  },
  {
    name: 'an empty interval (until before since)',
    schedule: cron('* * * * *'),
    since: '2026-06-01T10:00:00Z',
    until: '2026-06-01T09:00:00Z',
    count: 0,
  },
  {
    name: 'since is exclusive, until inclusive (both on fire times)',
    schedule: cron('0 * * * *'),
    since: '2026-06-01T10:00:00Z',
    until: '2026-06-01T12:00:00Z',
    count: 2,
    earliest: '2026-06-01T11:00:00Z',
    mostRecent: '2026-06-01T12:00:00Z',
  },
  {
    name: 'one missed: earliest and most recent are the same instant',
    schedule: cron('30 9 * * *'),
    since: '2026-06-01T09:30:00Z',
    until: '2026-06-02T12:00:00Z',
    count: 1,
    earliest: '2026-06-02T09:30:00Z',
    mostRecent: '2026-06-02T09:30:00Z',
  },
  {
    name: 'many missed: count and most recent over two days',
    schedule: cron('*/15 * * * *'),
    since: '2026-06-01T00:00:00Z',
    until: '2026-06-03T00:07:00Z',
    count: 192,
    earliest: '2026-06-01T00:15:00Z',
    mostRecent: '2026-06-03T00:00:00Z',
  },
  {
    name: 'a zone: local 09:00 on weekdays in New York',
    schedule: cron('0 9 * * 1-5'),
    zone: 'America/New_York',
    since: '2026-06-05T12:00:00Z', // Friday 08:00 EDT
    until: '2026-06-09T12:00:00Z', // Tuesday 08:00 EDT
    count: 2,
    earliest: '2026-06-05T13:00:00Z',
    mostRecent: '2026-06-08T13:00:00Z',
  },
  {
    name: 'DST gap: a fixed-time job in the skipped hour runs right after the jump',
    schedule: cron('30 2 * * *'),
    zone: 'Europe/Berlin',
    since: '2025-03-29T12:00:00Z',
    until: '2025-03-31T12:00:00Z',
    count: 2,
    earliest: '2025-03-30T01:00:00Z',
    mostRecent: '2025-03-31T00:30:00Z',
  },
  {
    name: 'DST gap: a wildcard job loses the skipped minutes',
    schedule: cron('*/30 2 * * *'),
    zone: 'Europe/Berlin',
    since: '2025-03-29T12:00:00Z',
    until: '2025-03-31T12:00:00Z',
    count: 2,
    earliest: '2025-03-31T00:00:00Z',
    mostRecent: '2025-03-31T00:30:00Z',
  },
  {
    name: 'DST overlap: a fixed-time job in the repeated hour counts once',
    schedule: cron('30 2 * * *'),
    zone: 'Europe/Berlin',
    since: '2025-10-25T22:00:00Z',
    until: '2025-10-26T03:00:00Z',
    count: 1,
    earliest: '2025-10-26T00:30:00Z',
    mostRecent: '2025-10-26T00:30:00Z',
  },
  {
    name: 'DST overlap: a wildcard job counts both passes of the repeated hour',
    schedule: cron('*/30 2 * * *'),
    zone: 'Europe/Berlin',
    since: '2025-10-25T22:00:00Z',
    until: '2025-10-26T03:00:00Z',
    count: 4,
    earliest: '2025-10-26T00:00:00Z',
    mostRecent: '2025-10-26T01:30:00Z',
  },
  {
    name: 'too many missed: the count stops at the cap, the most recent is still exact',
    schedule: cron('* * * * *'),
    since: '2026-01-01T00:00:00Z',
    until: '2026-03-01T10:20:30Z',
    cap: 100,
    count: 100,
    earliest: '2026-01-01T00:01:00Z',
    mostRecent: '2026-03-01T10:20:00Z',
    tooMany: true,
  },
  {
    name: 'exactly the cap is not too many',
    schedule: cron('0 * * * *'),
    since: '2026-06-01T00:00:00Z',
    until: '2026-06-01T05:00:00Z',
    cap: 5,
    count: 5,
    earliest: '2026-06-01T01:00:00Z',
    mostRecent: '2026-06-01T05:00:00Z',
  },
  {
    name: 'too many missed of a sparse schedule: the most recent lies years back',
    schedule: cron('0 0 29 2 *'),
    since: '2000-01-01T00:00:00Z',
    until: '2103-06-01T00:00:00Z',
    cap: 3,
    count: 3,
    earliest: '2000-02-29T00:00:00Z',
    mostRecent: '2096-02-29T00:00:00Z', // 2100 is no leap year: seven years back
    tooMany: true,
  },
  {
    name: 'a one-shot that passed',
    schedule: { kind: 'at', local: '2026-12-31 09:00', source: '2026-12-31 09:00' },
    zone: 'Europe/Berlin',
    since: '2026-06-01T00:00:00Z',
    until: '2027-06-01T00:00:00Z',
    count: 1,
    earliest: '2026-12-31T08:00:00Z',
    mostRecent: '2026-12-31T08:00:00Z',
  },
  {
    name: 'an event schedule never misses a fire time',
    schedule: { kind: 'event', event: 'boot', source: 'boot' },
    since: '2026-01-01T00:00:00Z',
    until: '2027-01-01T00:00:00Z',
    count: 0,
  },
];

const ENGINES: Record<string, (schedule: Schedule, zone: string) => FireTimesIn> = {
  'range query (fireTimesBetween)': (schedule, zone) => (from, to) =>
    fireTimesBetween(schedule, zone, from, to),
  'first-after query (nextFireTimes)': (schedule, zone) =>
    fireTimesFromNext((from) => nextFireTimes(schedule, zone, from, 1)[0]),
};

const iso = (d: Date | undefined) => d?.toISOString().replace('.000Z', 'Z');

describe.each(Object.entries(ENGINES))('missedFireTimes through the %s', (_, engine) => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const got = missedFireTimes(
      engine(row.schedule, row.zone ?? 'UTC'),
      new Date(row.since),
      new Date(row.until),
      row.cap,
    );
    expect({
      count: got.count,
      earliest: iso(got.earliest),
      mostRecent: iso(got.mostRecent),
      tooMany: got.tooMany,
    }).toEqual({
      count: row.count,
      earliest: row.earliest,
      mostRecent: row.mostRecent,
      tooMany: row.tooMany ?? false,
    });
  });
});

describe('missedFireTimes: work is bounded by the cap', () => {
  it('a year of an every-minute job, capped at 1,000, takes at most a few thousand instants', () => {
    let taken = 0;
    const fires: FireTimesIn = function* (from, to) {
      for (const t of fireTimesFromNext((f) => nextFireTimes(cron('* * * * *'), 'UTC', f, 1)[0])(from, to)) {
        taken++;
        yield t;
      }
    };
    const got = missedFireTimes(
      fires,
      new Date('2025-06-01T00:00:00Z'),
      new Date('2026-06-01T00:00:30Z'),
      1000,
    );
    expect(got).toMatchObject({ count: 1000, tooMany: true });
    expect(iso(got.mostRecent)).toBe('2026-06-01T00:00:00Z');
    // 1,001 to find out there are too many, then at most one hour's worth to find the most recent.
    expect(taken).toBeLessThanOrEqual(1001 + 60);
  });

  it('refuses an invalid interval like the engine does', () => {
    const fires = ENGINES['range query (fireTimesBetween)']!(cron('* * * * *'), 'UTC');
    expect(() => missedFireTimes(fires, new Date(Number.NEGATIVE_INFINITY), new Date())).toThrow(RangeError);
  });
});

describe('mostRecentFireTime', () => {
  const between = (expr: string, zone = 'UTC'): FireTimesIn =>
    ENGINES['range query (fireTimesBetween)']!(cron(expr), zone);

  it('with no lower bound looks back through widening windows, up to about four years', () => {
    const until = new Date('2027-06-01T00:00:00Z');
    expect(iso(mostRecentFireTime(between('*/5 * * * *'), until))).toBe('2027-06-01T00:00:00Z');
    expect(iso(mostRecentFireTime(between('0 0 1 1 *'), until))).toBe('2027-01-01T00:00:00Z');
    expect(iso(mostRecentFireTime(between('0 0 29 2 *'), until))).toBe('2024-02-29T00:00:00Z');
    expect(mostRecentFireTime(between('0 0 30 2 *'), until)).toBeUndefined();
  });

  it('never returns a fire time at or before `since`', () => {
    const until = new Date('2026-06-01T00:00:00Z');
    expect(mostRecentFireTime(between('0 0 1 1 *'), until, new Date('2026-02-01T00:00:00Z'))).toBeUndefined();
    expect(mostRecentFireTime(between('0 0 1 1 *'), until, new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(iso(mostRecentFireTime(between('0 0 1 1 *'), until, new Date('2025-12-31T23:59:59Z')))).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(mostRecentFireTime(between('* * * * *'), until, until)).toBeUndefined();
  });

  it('with a lower bound further back than four years, still finds a sparse schedule’s last fire time', () => {
    const until = new Date('2103-06-01T00:00:00Z');
    expect(mostRecentFireTime(between('0 0 29 2 *'), until)).toBeUndefined();
    expect(iso(mostRecentFireTime(between('0 0 29 2 *'), until, new Date('2090-01-01T00:00:00Z')))).toBe(
      '2096-02-29T00:00:00Z',
    );
  });
});
