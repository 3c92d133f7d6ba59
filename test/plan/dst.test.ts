import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/model/job.js';
import { providerOf } from '../../src/backends/registry.js';
import { dstNotes } from '../../src/plan/dst.js';

function job(expr: string, timezone: string): Job {
  return {
    project: 'p',
    name: 'j',
    schedule: { kind: 'cron', expr, source: expr },
    command: { argv: ['true'] },
    workingDir: '/',
    env: {},
    timezone,
    overlap: 'skip',
    catchUp: false,
    retries: { max: 0, delaySeconds: 0 },
    jitterSeconds: 0,
    enabled: true,
  };
}
const from = new Date('2027-01-01T00:00:00Z');

describe('dstNotes', () => {
  it('names the spring gap and the autumn repeat of a fixed-time Berlin job, per backend', () => {
    expect(dstNotes(job('30 2 * * *', 'Europe/Berlin'), providerOf('crontab'), from)).toEqual([
      'the 2027-03-28 02:30 run falls in the DST gap (Europe/Berlin): Debian cron runs it once right after the jump',
      'the 2027-10-31 02:30 run falls in the repeated DST hour (Europe/Berlin): Debian cron runs it once, in the first pass',
    ]);
    const kubernetes = dstNotes(job('30 2 * * *', 'Europe/Berlin'), providerOf('kubernetes'), from);
    expect(kubernetes[0]).toMatch(/the CronJob controller skips it that day$/);
    expect(kubernetes[1]).toMatch(/the CronJob controller runs it twice$/);
    const launchd = dstNotes(job('30 2 * * *', 'Europe/Berlin'), providerOf('launchd'), from);
    expect(launchd[0]).toBe(
      'the 2027-03-28 02:30 run falls in the DST gap (Europe/Berlin): launchd documents calendar intervals in local time, much like crontab(5), but no rule for a local time the clock skips — it may run after the jump or not that day (not verified by sched)',
    );
    expect(launchd[1]).toMatch(
      /repeated DST hour .*but no rule for a local time that repeats — it may run once or twice/,
    );
    const windows = dstNotes(job('30 2 * * *', 'Europe/Berlin'), providerOf('windows'), from);
    expect(windows[0]).toMatch(
      /DST gap \(Europe\/Berlin\): Task Scheduler documents that a trigger without a UTC offset .* follows the host's time zone and daylight-saving rules, but none for a time the clock skips/,
    );
    expect(windows[1]).toMatch(/repeated DST hour .*it may run once or twice \(not verified by sched\)$/);
    const wildcard = dstNotes(job('*/15 * * * *', 'America/New_York'), providerOf('windows'), from);
    expect(wildcard[1]).toMatch(/repetitions may fire in one pass or both/);
  });

  it('says wildcard runs in the gap are lost and counts them', () => {
    const notes = dstNotes(job('*/15 * * * *', 'America/New_York'), providerOf('crontab'), from);
    expect(notes[0]).toBe(
      '4 runs from 2027-03-14 02:00 fall in the DST gap (America/New_York): those runs are lost on every backend (no such local time)',
    );
    expect(notes[1]).toMatch(
      /^4 runs from 2027-11-07 01:00 fall in the repeated DST hour .*Debian cron fires in both passes$/,
    );
  });

  it('is silent for jobs that avoid the changed hours, and in zones without DST', () => {
    expect(dstNotes(job('0 9 * * *', 'Europe/Berlin'), providerOf('systemd'), from)).toEqual([]);
    expect(dstNotes(job('30 2 * * *', 'UTC'), providerOf('systemd'), from)).toEqual([]);
    expect(dstNotes(job('30 2 * * *', 'Asia/Tokyo'), providerOf('systemd'), from)).toEqual([]);
  });
});
