/**
 * The wall clock stepping backwards under the daemon (issue 12 item 9): after +2 h and back,
 * the pending instants stayed 2 h ahead and nothing fired. `resync` recomputes from wall time.
 */
import { describe, expect, it } from 'vitest';
import { DaemonScheduler, type ScheduledJob } from '../../src/daemon/scheduler.js';
import { bruteForceNextFire, cron } from './helpers.js';

const job = (name: string, expr: string): ScheduledJob => ({
  project: 'p',
  name,
  schedule: cron(expr),
  timezone: 'UTC',
});

describe('DaemonScheduler.resync (clock steps)', () => {
  it('after +2 h and back, the next instant follows the wall clock again', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('every', '* * * * *'), job('hourly', '0 * * * *')], new Date('2026-06-01T10:00:30Z'));
    // The clock jumps 2 h ahead: both fire once (coalesced) and move to 12:xx.
    const ahead = new Date('2026-06-01T12:00:40Z');
    expect(s.due(ahead).map((d) => d.job.name)).toEqual(['every', 'hourly']);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T12:01:00.000Z');
    // …and back to 10:00:45.
    const back = new Date('2026-06-01T10:00:45Z');
    s.resync(back);
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T10:01:00.000Z');
    expect(s.due(new Date('2026-06-01T10:01:00Z')).map((d) => d.job.name)).toEqual(['every']);
    expect(s.due(new Date('2026-06-01T11:00:00Z')).map((d) => d.job.name)).toEqual(['every', 'hourly']);
  });

  it('a small step back right after a fire does not fire the same instant twice', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('every', '* * * * *')], new Date('2026-06-01T10:00:30Z'));
    expect(s.due(new Date('2026-06-01T10:01:00.010Z'))).toHaveLength(1);
    s.resync(new Date('2026-06-01T10:00:59.500Z'));
    expect(s.nextWake()?.toISOString()).toBe('2026-06-01T10:02:00.000Z');
  });

  it('a step forward keeps the pending instant (due() fires and coalesces what passed)', () => {
    const s = new DaemonScheduler(bruteForceNextFire);
    s.update([job('hourly', '0 * * * *')], new Date('2026-06-01T10:00:30Z'));
    s.resync(new Date('2026-06-01T13:30:00Z'));
    const due = s.due(new Date('2026-06-01T13:30:00Z'));
    expect(due.map((d) => [d.scheduledAt.toISOString(), d.coalesced])).toEqual([
      ['2026-06-01T13:00:00.000Z', 2],
    ]);
  });
});
