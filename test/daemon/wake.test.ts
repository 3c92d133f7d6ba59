/**
 * The embedded daemon's `wake` (issue 15 item 5): wake jobs run once at the daemon's start and
 * once after each suspend, told from a wall-clock step by comparing a clock that counts sleep
 * (CLOCK_BOOTTIME) with one that does not (CLOCK_MONOTONIC). Simulated time, injected clocks.
 */
import { describe, expect, it } from 'vitest';
import { Daemon, WAKE_MIN_ASLEEP_MS, type DaemonEvent } from '../../src/daemon/daemon.js';
import type { ScheduledJob } from '../../src/daemon/scheduler.js';
import { bruteForceNextFire, cron, FakeTime, RecordingSpawner } from './helpers.js';

const wakeJob: ScheduledJob = {
  project: 'p',
  name: 'resync',
  schedule: { kind: 'event', event: 'wake', source: 'wake' },
  timezone: 'UTC',
};
const hourly: ScheduledJob = { project: 'p', name: 'hourly', schedule: cron('0 * * * *'), timezone: 'UTC' };

function setup(jobs: ScheduledJob[], opts: { bootClock?: boolean; rescanMs?: number } = {}) {
  const time = new FakeTime(new Date('2026-06-15T10:00:30Z'));
  const spawner = new RecordingSpawner(time);
  const events: DaemonEvent[] = [];
  const daemon = new Daemon({
    clock: time,
    timers: time,
    nextFire: bruteForceNextFire,
    loadJobs: () => Promise.resolve({ jobs, problems: [] }),
    spawnRun: spawner.spawn,
    log: (e) => events.push(e),
    monotonic: time.monotonic,
    ...(opts.bootClock === false ? {} : { sinceBoot: time.bootClock }),
    rescanMs: opts.rescanMs ?? 2_000,
  });
  const wakeRuns = () => spawner.spawned.filter((s) => s.request.wake);
  return { time, spawner, events, daemon, wakeRuns };
}

describe('the daemon sees the machine wake', () => {
  it('runs each wake job at start, then once per resume, marked as a wake run', async () => {
    const { time, spawner, events, daemon, wakeRuns } = setup([wakeJob, hourly]);
    await daemon.start();
    // At start: the project's catch-up and the wake job ("starts or wakes").
    expect(spawner.spawned.map((s) => [s.request.job ?? 'catch-up', s.request.wake ?? false])).toEqual([
      ['catch-up', false],
      ['resync', false],
    ]);
    expect(events.find((e) => e.event === 'fired')).toMatchObject({ job: 'resync', reason: 'start' });
    await time.advanceBy(5 * 60_000);
    expect(wakeRuns()).toHaveLength(0);

    time.suspend(2 * 3600_000);
    await time.advanceBy(60_000);
    expect(wakeRuns().map((s) => s.request)).toEqual([{ project: 'p', job: 'resync', wake: true }]);
    expect(events.find((e) => e.event === 'woke')).toMatchObject({
      asleepMs: 2 * 3600_000,
      jobs: ['p/resync'],
    });
    // The hourly job missed 11:00 and 12:00 while asleep: one coalesced run, as before.
    expect(spawner.spawned.filter((s) => s.request.job === 'hourly')).toHaveLength(1);

    await time.advanceBy(10 * 60_000);
    expect(wakeRuns()).toHaveLength(1); // once per resume
    time.suspend(10 * 60_000);
    await time.advanceBy(60_000);
    expect(wakeRuns()).toHaveLength(2);
    await daemon.stop();
  });

  it('a wall-clock step with no sleep (NTP at boot) is not a wake', async () => {
    const { time, events, daemon, wakeRuns } = setup([wakeJob, hourly]);
    await daemon.start();
    time.stepWall(3 * 3600_000);
    await time.advanceBy(60_000);
    expect(events.some((e) => e.event === 'clock-changed')).toBe(true);
    expect(wakeRuns()).toHaveLength(0);
    await daemon.stop();
  });

  it('a stall shorter than the threshold is not a wake', async () => {
    const { time, daemon, wakeRuns } = setup([wakeJob]);
    await daemon.start();
    time.suspend(WAKE_MIN_ASLEEP_MS - 1_000);
    await time.advanceBy(60_000);
    expect(wakeRuns()).toHaveLength(0);
    await daemon.stop();
  });

  it('without a boot clock (macOS), the wall clock running ahead of the monotonic one is the sleep', async () => {
    const { time, daemon, wakeRuns } = setup([wakeJob], { bootClock: false });
    await daemon.start();
    time.suspend(3600_000);
    await time.advanceBy(60_000);
    expect(wakeRuns()).toHaveLength(1);
    await daemon.stop();
  });

  it('with only wake jobs and no rescans, it still looks now and then', async () => {
    const { time, daemon, wakeRuns } = setup([wakeJob], { rescanMs: 0 });
    await daemon.start();
    time.suspend(3600_000);
    await time.advanceBy(60_000);
    expect(wakeRuns()).toHaveLength(1);
    await daemon.stop();
  });
});
