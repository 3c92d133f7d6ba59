import { describe, expect, it } from 'vitest';
import { Daemon, type DaemonEvent, type LoadResult } from '../../src/daemon/daemon.js';
import type { ScheduledJob } from '../../src/daemon/scheduler.js';
import {
  bruteForceBetween,
  bruteForceNextFire,
  cron,
  FakeTime,
  RecordingSpawner,
  settle,
} from './helpers.js';

function setup(
  start: Date,
  jobs: ScheduledJob[],
  opts: { graceMs?: number; killAfterMs?: number; rescanMs?: number } = {},
) {
  const time = new FakeTime(start);
  const spawner = new RecordingSpawner(time);
  const events: DaemonEvent[] = [];
  const state: { jobs: ScheduledJob[]; problems: LoadResult['problems'] } = { jobs, problems: [] };
  const daemon = new Daemon({
    clock: time,
    timers: time,
    nextFire: bruteForceNextFire,
    loadJobs: async () => ({ jobs: [...state.jobs], problems: [...state.problems] }),
    spawnRun: spawner.spawn,
    log: (e) => events.push(e),
    graceMs: opts.graceMs ?? 30_000,
    killAfterMs: opts.killAfterMs ?? 10_000,
    rescanMs: opts.rescanMs ?? 2_000,
  });
  return { time, spawner, events, state, daemon };
}

const job = (project: string, name: string, expr: string, timezone: string): ScheduledJob => ({
  project,
  name,
  schedule: cron(expr),
  timezone,
});

describe('Daemon loop over simulated time', () => {
  it('fires each job at exactly its instants over an hour (independent minute-scan oracle, zones without DST here)', async () => {
    const from = new Date('2026-06-15T11:47:13.250Z');
    const to = new Date(from.getTime() + 3600_000);
    const jobs = [
      job('alpha', 'every-minute', '* * * * *', 'UTC'),
      job('alpha', 'quarter', '*/15 * * * *', 'Asia/Kolkata'), // +05:30
      job('beta', 'odd', '7,23,41 * * * *', 'Asia/Kathmandu'), // +05:45
      job('beta', 'noon', '0 12 * * *', 'UTC'),
      job('beta', 'tokyo-evening', '30 21 * * *', 'Asia/Tokyo'), // 12:30 UTC
      job('gamma', 'never-in-window', '0 3 * * *', 'UTC'),
    ];
    const { time, spawner, daemon } = setup(from, jobs);
    time.earlyMs = 3; // real timers may wake a little before the wall clock reaches the instant
    await daemon.start();
    await time.advanceTo(to);

    const expected: { key: string; at: string }[] = [];
    for (const j of jobs) {
      for (const t of bruteForceBetween(j.schedule, j.timezone, from, to)) {
        expected.push({ key: `${j.project}/${j.name}`, at: t.toISOString() });
      }
    }
    const order = (a: { key: string; at: string }, b: { key: string; at: string }) =>
      a.at.localeCompare(b.at) || a.key.localeCompare(b.key);
    expect(spawner.fires().sort(order)).toEqual(expected.sort(order));
    // sanity of the oracle itself: 60 every-minute runs, 4 quarter-hours, 3 odd ones, noon and 12:30 UTC.
    expect(expected.length).toBe(60 + 4 + 3 + 1 + 1);
    // never sleeps longer than the 30 s cap (so a wall-clock jump is noticed), never negative.
    expect(Math.max(...time.delays)).toBeLessThanOrEqual(30_000);
    expect(Math.min(...time.delays)).toBeGreaterThanOrEqual(0);
    await daemon.stop();
  });

  it('runs each project catch-up and the boot jobs once at start', async () => {
    const { time, spawner, daemon, events } = setup(new Date('2026-06-15T12:00:30Z'), [
      job('b', 'x', '0 0 * * *', 'UTC'),
      job('a', 'y', '0 0 * * *', 'UTC'),
      {
        project: 'a',
        name: 'on-boot',
        schedule: { kind: 'event', event: 'boot', source: 'boot' },
        timezone: 'UTC',
      },
    ]);
    await daemon.start();
    await time.advanceBy(10_000);
    expect(spawner.spawned.map((s) => s.request)).toEqual([
      { project: 'a', catchUp: true },
      { project: 'b', catchUp: true },
      { project: 'a', job: 'on-boot' },
    ]);
    expect(events[0]).toMatchObject({ event: 'started', jobs: 3, projects: ['a', 'b'] });
    expect(events.filter((e) => e.event === 'exited')).toHaveLength(3);
    await daemon.stop();
  });

  it('picks up added, changed and removed jobs within the rescan period, without a restart', async () => {
    const start = new Date('2026-06-15T12:00:00.500Z');
    const { time, spawner, daemon, events, state } = setup(start, [job('p', 'a', '* * * * *', 'UTC')]);
    await daemon.start();
    await time.advanceTo(new Date('2026-06-15T12:00:30Z'));
    state.jobs = [job('p', 'a', '* * * * *', 'UTC'), job('p', 'b', '*/2 * * * *', 'UTC')];
    await time.advanceBy(2_000);
    const pickup = events.find((e) => e.event === 'picked-up-change');
    expect(pickup).toMatchObject({ added: ['p/b'], removed: [], changed: [] });
    expect(Date.parse(pickup!.time) - Date.parse('2026-06-15T12:00:30Z')).toBeLessThanOrEqual(2_000);
    await time.advanceTo(new Date('2026-06-15T12:04:10Z'));
    state.jobs = [job('p', 'b', '*/2 * * * *', 'UTC')];
    // an explicit rescan (a file-system event) is picked up at once
    await daemon.rescan();
    await time.advanceTo(new Date('2026-06-15T12:06:10Z'));
    expect(spawner.fires()).toEqual([
      { key: 'p/a', at: '2026-06-15T12:01:00.000Z' },
      { key: 'p/a', at: '2026-06-15T12:02:00.000Z' },
      { key: 'p/b', at: '2026-06-15T12:02:00.000Z' },
      { key: 'p/a', at: '2026-06-15T12:03:00.000Z' },
      { key: 'p/a', at: '2026-06-15T12:04:00.000Z' },
      { key: 'p/b', at: '2026-06-15T12:04:00.000Z' },
      { key: 'p/b', at: '2026-06-15T12:06:00.000Z' },
    ]);
    expect(events.filter((e) => e.event === 'picked-up-change')).toHaveLength(2);
    await daemon.stop();
  });

  it('logs an unusable record once, not at every rescan', async () => {
    const { time, daemon, events, state, spawner } = setup(new Date('2026-06-15T12:00:00Z'), []);
    state.problems = [{ file: '/x/p/bad.json', problem: 'not valid JSON' }];
    await daemon.start();
    await time.advanceBy(20_000);
    expect(events.filter((e) => e.event === 'invalid-record')).toEqual([
      expect.objectContaining({ file: '/x/p/bad.json', problem: 'not valid JSON' }),
    ]);
    // a record with a zone the engine does not know: reported once, the others still fire
    state.jobs = [
      job('p', 'good', '* * * * *', 'UTC'),
      job('p', 'bad-zone', '* * * * *', 'Nowhere/Atlantis'),
    ];
    await time.advanceBy(70_000);
    const invalid = events.filter((e) => e.event === 'invalid-record' && e.file === 'p/bad-zone');
    expect(invalid).toHaveLength(1);
    expect(spawner.fires().map((f) => f.key)).toEqual(['p/good']);
    await daemon.stop();
  });
});

describe('Daemon stop', () => {
  it('lets running jobs finish within the grace period, fires nothing more, and sends no signal', async () => {
    const { time, spawner, daemon, events } = setup(
      new Date('2026-06-15T12:00:59Z'),
      [job('p', 'a', '* * * * *', 'UTC')],
      {
        graceMs: 30_000,
      },
    );
    spawner.holdOpen = true;
    await daemon.start();
    await time.advanceTo(new Date('2026-06-15T12:01:00Z'));
    expect(daemon.runningCount()).toBe(2); // catch-up and the 12:01 run
    let done = false;
    const stopping = daemon.stop('SIGTERM').then(() => (done = true));
    await time.advanceBy(5_000);
    spawner.spawned.forEach((s) => s.exit(0));
    await settle();
    await stopping;
    expect(done).toBe(true);
    expect(spawner.spawned.every((s) => s.signals.length === 0)).toBe(true);
    await time.advanceBy(120_000);
    expect(spawner.fires()).toHaveLength(1);
    expect(time.pending()).toBe(0);
    expect(events.map((e) => e.event)).toEqual([
      'started',
      'catch-up',
      'fired',
      'stopping',
      'exited',
      'exited',
      'stopped',
    ]);
  });

  it('sends SIGTERM after the grace period, then SIGKILL to runs that still do not exit', async () => {
    const { time, spawner, daemon, events } = setup(
      new Date('2026-06-15T12:00:00Z'),
      [job('p', 'a', '0 0 * * *', 'UTC')],
      {
        graceMs: 3_000,
        killAfterMs: 2_000,
      },
    );
    spawner.holdOpen = true;
    await daemon.start();
    spawner.exitOnTerm = false;
    const stopping = daemon.stop('SIGINT');
    await time.advanceBy(2_999);
    expect(spawner.spawned[0]!.signals).toEqual([]);
    await time.advanceBy(1);
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM']);
    await time.advanceBy(2_000);
    await stopping;
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(events.map((e) => e.event)).toEqual([
      'started',
      'catch-up',
      'stopping',
      'terminating',
      'exited',
      'stopped',
    ]);
  });

  it('a second stop request skips the rest of the grace period', async () => {
    const { time, spawner, daemon } = setup(new Date('2026-06-15T12:00:00Z'), [
      job('p', 'a', '0 0 * * *', 'UTC'),
    ]);
    spawner.holdOpen = true;
    await daemon.start();
    const first = daemon.stop('SIGINT');
    await time.advanceBy(100);
    void daemon.stop('SIGINT');
    await time.advanceBy(1);
    await first;
    expect(spawner.spawned[0]!.signals).toEqual(['SIGTERM']);
  });
});
