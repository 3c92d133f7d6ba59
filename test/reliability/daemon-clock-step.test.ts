/**
 * The embedded daemon under a wall clock stepped by libfaketime (issue 12 item 9): after +2 h
 * and back, the daemon once fired nothing — its pending instant stayed 2 h ahead. The daemon
 * must follow wall time after a step either way: fire the +2 h minute, then, back at real time,
 * fire the next real minute.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/backends/embedded/index.js';
import { NodeDirFs } from '../../src/platform/node.js';
import { faketimeSkipReason, steppableClock } from './tools/faketime.js';
import {
  applyJob,
  cleanupHomes,
  PROJECT,
  procSkipReason,
  relJob,
  SCHED_BIN,
  startSched,
  tempHome,
  waitFor,
} from './tools/sched-proc.js';

afterAll(cleanupHomes);

interface Event {
  event: string;
  scheduled?: string;
  [k: string]: unknown;
}

const MINUTE = 60_000;
/** Whole seconds to add to real time so that the faked clock reads `lead` ms before a minute, about `shift` ms away. */
function offsetFor(shiftMs: number, leadMs = 6_000): number {
  const now = Date.now();
  const target = Math.ceil((now + shiftMs + leadMs + 2_000) / MINUTE) * MINUTE - leadMs;
  return Math.round((target - now) / 1000);
}

describe.skipIf(procSkipReason() ?? faketimeSkipReason())('daemon and a stepped wall clock', () => {
  it('fires after the clock went +2 h and back', { timeout: 240_000 }, async () => {
    const home = tempHome();
    const job = relJob('every-minute', {
      schedule: { kind: 'cron', expr: '* * * * *', source: '* * * * *' },
    });
    await applyJob(home, job, 'embedded');
    const backend = new EmbeddedBackend({ dir: new NodeDirFs(path.join(home, 'embedded'), 0o700) });
    const [artifact] = backend.render(job, {
      nodePath: process.execPath,
      schedBin: SCHED_BIN,
      stateDir: home,
      hostTimezone: 'UTC',
      homeDir: home,
    });
    await backend.apply(PROJECT, [
      { action: 'create', id: artifact!.id, job: job.name, kind: artifact!.kind, after: artifact! },
    ]);

    const clock = steppableClock(0);
    const daemon = startSched(home, ['daemon', '--json'], { ...clock.env, SCHED_DAEMON_GRACE_SECONDS: '1' });
    const events = (): Event[] =>
      daemon
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Event);
    const fired = (pred: (scheduled: number) => boolean) =>
      events().find((e) => e.event === 'fired' && e.scheduled && pred(Date.parse(e.scheduled)));
    try {
      await waitFor('the daemon to start', () => events().find((e) => e.event === 'started'), 30_000);
      // +2 h: the daemon fires the minute 2 h ahead.
      clock.setOffset(offsetFor(2 * 3600_000));
      await waitFor('a fire 2 h ahead', () => fired((t) => t > Date.now() + 3600_000), 90_000);
      // …and back to real time: the next real minute fires (it used to wait 2 h).
      const back = offsetFor(0);
      clock.setOffset(back);
      const realFire = await waitFor(
        'a fire at real time after the step back',
        () => fired((t) => t < Date.now() + 3600_000),
        90_000,
      );
      expect(Math.abs(Date.parse(realFire.scheduled!) - (Date.now() + back * 1000))).toBeLessThan(3 * MINUTE);
      expect(events().some((e) => e.event === 'clock-changed' && Number(e.step_ms) < 0)).toBe(true);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
      clock.cleanup();
    }
  });
});
