import { describe, expect, it } from 'vitest';
import { DaemonScheduler, type ScheduledJob } from '../../src/daemon/scheduler.js';
import { bruteForceNextFire, cron } from './helpers.js';

const T0 = new Date('2026-06-01T10:00:30Z');
const job = (name: string, expr: string, timezone = 'UTC', project = 'p'): ScheduledJob => ({
  project,
  name,
  schedule: cron(expr),
  timezone,
});

describe('DaemonScheduler (pure)', () => {
  it('wakes at the earliest next instant of all jobs and says which are due', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('a', '*/5 * * * *'), job('b', '3 * * * *')], T0);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T10:03:00.000Z');
    expect(s.due(new Date('2026-06-01T10:02:59.999Z'))).toEqual([]);
    const due = s.due(new Date('2026-06-01T10:03:00Z'));
    expect(due.map((d) => [d.job.name, d.scheduledAt.toISOString(), d.coalesced])).toEqual([
      ['b', '2026-06-01T10:03:00.000Z', 0],
    ]);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T10:05:00.000Z');
  });

  it('coalesces instants missed while suspended into one run of the latest', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('every', '* * * * *')], T0);
    const due = s.due(new Date('2026-06-01T10:10:20Z'));
    expect(due).toHaveLength(1);
    expect(due[0]!.scheduledAt.toISOString()).toBe('2026-06-01T10:10:00.000Z');
    // 10:01 … 10:09 were also missed.
    expect(due[0]!.coalesced).toBe(9);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T10:11:00.000Z');
  });

  it('keeps the pending instant of unchanged jobs and reports added, changed and removed ones', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('a', '0 * * * *'), job('b', '30 * * * *')], T0);
    const later = new Date('2026-06-01T10:45:00Z');
    const change = s.update([job('a', '0 * * * *'), job('b', '15 * * * *'), job('c', '50 * * * *')], later);
    expect(change).toEqual({ added: ['p/c'], changed: ['p/b'], removed: [], invalid: [] });
    // b was due at 10:30 before the change; after it, its next instant is computed from `later`.
    const times = Object.fromEntries(
      s.due(new Date('2026-06-01T12:00:00Z')).map((d) => [d.job.name, d.scheduledAt.toISOString()]),
    );
    expect(times).toEqual({
      a: '2026-06-01T12:00:00.000Z',
      b: '2026-06-01T11:15:00.000Z',
      c: '2026-06-01T11:50:00.000Z',
    });
    expect(s.update([job('a', '0 * * * *')], later)).toEqual({
      added: [],
      changed: [],
      removed: ['p/b', 'p/c'],
      invalid: [],
    });
  });

  it('a changed zone counts as a change; event schedules never come due', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update(
      [
        job('a', '0 9 * * *', 'UTC'),
        {
          project: 'p',
          name: 'boot',
          schedule: { kind: 'event', event: 'boot', source: 'boot' },
          timezone: 'UTC',
        },
      ],
      T0,
    );
    expect(s.nextWake()?.toISOString()).toBe('2026-06-02T09:00:00.000Z');
    expect(
      s.update(
        [
          job('a', '0 9 * * *', 'Asia/Tokyo'),
          {
            project: 'p',
            name: 'boot',
            schedule: { kind: 'event', event: 'boot', source: 'boot' },
            timezone: 'UTC',
          },
        ],
        T0,
      ).changed,
    ).toEqual(['p/a']);
    // 09:00 in Tokyo is 00:00 UTC.
    expect(s.nextWake()?.toISOString()).toBe('2026-06-02T00:00:00.000Z');
    expect(s.due(new Date('2026-06-04T00:00:00Z')).map((d) => [d.job.name, d.coalesced])).toEqual([['a', 2]]);
  });

  it('a job the engine rejects (unknown zone) is reported and not scheduled; the others are', () => {
    const engine = (
      schedule: Parameters<typeof bruteForceNextFire>[0],
      zone: string,
      from: Date,
      count: number,
    ) => {
      if (zone === 'Bad/Zone') throw new Error('unknown time zone Bad/Zone');
      return bruteForceNextFire(schedule, zone, from, count);
    };
    const s = new DaemonScheduler(engine);
    s.update([job('ok', '0 * * * *'), job('bad', '0 * * * *')], T0);
    const change = s.update([job('ok', '0 * * * *'), job('bad', '0 * * * *', 'Bad/Zone')], T0);
    expect(change).toEqual({
      added: [],
      changed: [],
      removed: ['p/bad'],
      invalid: [{ key: 'p/bad', error: 'unknown time zone Bad/Zone' }],
    });
    expect(s.jobs().map((j) => j.name)).toEqual(['ok']);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T11:00:00.000Z');
  });

  it('a one-shot that has passed leaves nothing to wake for', () => {
    const s = new DaemonScheduler(() => []);
    s.update([job('gone', '0 0 1 1 *')], T0);
    expect(s.nextWake()).toBeUndefined();
    expect(s.due(new Date('2030-01-01T00:00:00Z'))).toEqual([]);
  });
});
