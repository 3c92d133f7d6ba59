/**
 * The daemon loop driven by the real schedule engine over simulated hours that contain a DST
 * change: what it fires must be exactly `nextFireTimes` from the start of the window.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import type { NextFireFn, ScheduledJob } from '../../src/daemon/scheduler.js';
import type { Schedule } from '../../src/model/job.js';
import { cron, FakeTime, RecordingSpawner } from './helpers.js';

const engineFile = new URL('../../src/schedule/occurrences.ts', import.meta.url);
const haveEngine = existsSync(engineFile);
if (!haveEngine) console.warn('skipping daemon/engine tests: src/schedule/occurrences.ts is not there yet');

const at = (local: string): Schedule => ({ kind: 'at', local, source: local });
const j = (name: string, schedule: Schedule, timezone: string): ScheduledJob => ({
  project: 'dst',
  name,
  schedule,
  timezone,
});

const windows: { title: string; from: string; jobs: ScheduledJob[] }[] = [
  {
    title: 'spring forward in Europe (2026-03-29 01:00 UTC)',
    from: '2026-03-29T00:30:00Z',
    jobs: [
      j('berlin-10min', cron('*/10 * * * *'), 'Europe/Berlin'),
      j('berlin-0230-skipped', cron('30 2 * * *'), 'Europe/Berlin'),
      j('berlin-0315', cron('15 3 * * *'), 'Europe/Berlin'),
      j('london-every-minute', cron('* * * * *'), 'Europe/London'),
      j('london-0130-skipped', cron('30 1 * * *'), 'Europe/London'),
      j('utc-7min', cron('*/7 * * * *'), 'UTC'),
      j('kolkata-0645', cron('45 6 * * *'), 'Asia/Kolkata'),
      j('new-york-2100', cron('0 21 * * 6'), 'America/New_York'),
      j('berlin-one-shot', at('2026-03-29 03:05'), 'Europe/Berlin'),
    ],
  },
  {
    title: 'fall back in New York (2026-11-01 06:00 UTC)',
    from: '2026-11-01T05:40:00Z',
    jobs: [
      j('ny-0130-repeated-hour', cron('30 1 * * *'), 'America/New_York'),
      j('ny-20min', cron('*/20 * * * *'), 'America/New_York'),
      j('ny-every-minute-0-1h', cron('* 1 * * *'), 'America/New_York'),
      j('chicago-0005', cron('5 0 * * *'), 'America/Chicago'),
      j('utc-hourly', cron('0 * * * *'), 'UTC'),
      j('sydney-1700', cron('0 17 * * 0'), 'Australia/Sydney'),
    ],
  },
];

describe.skipIf(!haveEngine)(
  'daemon fire times = nextFireTimes over a simulated hour with a DST change',
  () => {
    for (const w of windows) {
      it(w.title, async () => {
        const { nextFireTimes } = (await import(engineFile.href)) as { nextFireTimes: NextFireFn };
        const from = new Date(w.from);
        const to = new Date(from.getTime() + 3600_000);
        const time = new FakeTime(from);
        time.earlyMs = 2;
        const spawner = new RecordingSpawner(time);
        const daemon = new Daemon({
          clock: time,
          timers: time,
          nextFire: nextFireTimes,
          loadJobs: async () => ({ jobs: w.jobs, problems: [] }),
          spawnRun: spawner.spawn,
          log: () => {},
          rescanMs: 2_000,
        });
        await daemon.start();
        await time.advanceTo(to);
        await daemon.stop();

        const expected: string[] = [];
        for (const job of w.jobs) {
          for (const t of nextFireTimes(job.schedule, job.timezone, from, 200)) {
            if (t.getTime() <= to.getTime()) expected.push(`${t.toISOString()} ${job.project}/${job.name}`);
          }
        }
        const actual = spawner.fires().map((f) => `${f.at} ${f.key}`);
        expect(actual.sort()).toEqual(expected.sort());
        expect(expected.length).toBeGreaterThan(20);
      });
    }
  },
);
