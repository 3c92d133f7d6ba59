/** Overdue detection (src/services/health.ts), pure: which fire times count as not started. */
import { describe, expect, it } from 'vitest';
import { runCapabilitiesOf } from '../../src/backends/registry.js';
import type { BackendName } from '../../src/model/job.js';
import { overdue, type OverdueInput } from '../../src/run/health.js';
import { cron, testJob } from '../fakes/job.js';

const on = (backend: BackendName) => ({ capabilities: runCapabilitiesOf(backend, testJob()) });
const base = (over: Partial<OverdueInput> = {}): OverdueInput => ({
  job: testJob({ schedule: cron('0 2 * * *'), timezone: 'Europe/Berlin' }),
  ...on('crontab'),
  appliedAt: '2026-06-01T00:00:00Z',
  running: false,
  now: new Date('2026-06-03T12:00:00Z'),
  ...over,
});

describe('overdue', () => {
  it('names the last fire time with no record since, in the job zone, with a backend hint', () => {
    const o = overdue(base({ lastStart: '2026-06-02T00:00:05Z' }));
    expect(o?.expected.toISOString()).toBe('2026-06-03T00:00:00.000Z'); // 02:00 in Berlin (CEST)
    expect(o?.message).toBe(
      'expected 02:00, nothing recorded; is the cron daemon running? (systemctl status cron, or pgrep -x cron)',
    );
  });

  it('is not overdue once a run was recorded at or after that fire time', () => {
    expect(overdue(base({ lastStart: '2026-06-03T00:00:01Z' }))).toBeUndefined();
  });

  it('allows the grace (plus jitter) for start latency', () => {
    const now = new Date('2026-06-03T00:01:30Z');
    expect(overdue(base({ now, lastStart: '2026-06-02T00:00:05Z' }))).toBeUndefined();
    expect(
      overdue(base({ now: new Date('2026-06-03T00:02:30Z'), lastStart: '2026-06-02T00:00:05Z' })),
    ).toBeDefined();
    const jittery = testJob({ schedule: cron('0 2 * * *'), timezone: 'Europe/Berlin', jitterSeconds: 600 });
    expect(
      overdue(
        base({ job: jittery, now: new Date('2026-06-03T00:05:00Z'), lastStart: '2026-06-02T00:00:05Z' }),
      ),
    ).toBeUndefined();
  });

  it('does not count fire times before the apply', () => {
    expect(overdue(base({ appliedAt: '2026-06-03T11:00:00Z' }))).toBeUndefined();
  });

  it('is never overdue for paused, boot/wake, kubernetes or running jobs, or a one-shot already done', () => {
    expect(overdue(base({ job: testJob({ enabled: false }) }))).toBeUndefined();
    expect(
      overdue(base({ job: testJob({ schedule: { kind: 'event', event: 'boot', source: 'boot' } }) })),
    ).toBeUndefined();
    expect(overdue(base(on('kubernetes')))).toBeUndefined();
    expect(overdue(base({ running: true }))).toBeUndefined();
    const oneShot = testJob({
      schedule: { kind: 'at', local: '2026-06-02 09:00', source: '2026-06-02 09:00' },
    });
    expect(overdue(base({ job: oneShot, lastStart: '2026-06-02T09:00:02Z' }))).toBeUndefined();
    expect(overdue(base({ job: oneShot }))?.message).toMatch(/^expected 2026-06-02 09:00, nothing recorded/);
  });

  it('gives a hint per backend', () => {
    expect(overdue(base(on('systemd')))?.message).toMatch(
      /systemctl --user list-timers sched-billing-nightly-report\.timer/,
    );
    expect(overdue(base(on('embedded')))?.message).toMatch(/is `sched daemon` running\?/);
  });
});
