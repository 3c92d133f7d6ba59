/**
 * The embedded daemon across real clock changes (issue 15 item 3): the real `sched daemon`
 * process, its wall clock moved by libfaketime to a minute before a spring or autumn change in
 * Europe/Berlin and Australia/Lord_Howe (30-minute changes), running in real time across it. What
 * it fires must be exactly sched's engine's fire times (Debian cron's rule, proven against Debian's
 * own code in test/oracle) — and, so that the comparison is not vacuous, the runs where Debian and
 * a plain calendar differ: a fixed time in the gap right after the jump, a wildcard job in both
 * passes of the repeated time, a fixed-time job once.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/backends/embedded/index.js';
import type { Job } from '../../src/model/job.js';
import { NodeDirFs } from '../../src/platform/node.js';
import { fireTimesBetween } from '../../src/schedule/occurrences.js';
import { faketimeSkipReason, steppableClock } from '../reliability/tools/faketime.js';
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
} from '../reliability/tools/sched-proc.js';

afterAll(cleanupHomes);

interface Event {
  event: string;
  job?: string;
  scheduled?: string;
  [k: string]: unknown;
}

interface Scenario {
  zone: string;
  /** The instant of the change (UTC). */
  change: string;
  /** Cron expressions, one job each. */
  exprs: string[];
  /** Fire times (UTC, `HH:MM`) that must be among the daemon's, per expression: the point of the case. */
  musts: Record<string, string[]>;
}

const SCENARIOS: Scenario[] = [
  {
    // 02:00 CET → 03:00 CEST at 01:00Z
    zone: 'Europe/Berlin',
    change: '2025-03-30T01:00:00Z',
    exprs: ['30 2 * * *', '*/15 2 * * *', '0 3 * * *'],
    musts: { '30 2 * * *': ['01:00'], '0 3 * * *': ['01:00'] },
  },
  {
    // 03:00 CEST → 02:00 CET at 01:00Z: 02:xx repeats
    zone: 'Europe/Berlin',
    change: '2025-10-26T01:00:00Z',
    exprs: ['* 2 * * *', '0-59 2 * * *', '0 2 * * *'],
    musts: { '* 2 * * *': ['00:59', '01:00', '01:01'], '0-59 2 * * *': ['00:59'] },
  },
  {
    // 02:00 LHST (+10:30) → 02:30 LHDT (+11) at 15:30Z
    zone: 'Australia/Lord_Howe',
    change: '2025-10-04T15:30:00Z',
    exprs: ['15 2 * * *', '*/5 2 * * *', '30 2 * * *'],
    musts: { '15 2 * * *': ['15:30'], '30 2 * * *': ['15:30'] },
  },
  {
    // 02:00 LHDT (+11) → 01:30 LHST (+10:30) at 15:00Z: 01:30–01:59 repeats
    zone: 'Australia/Lord_Howe',
    change: '2025-04-05T15:00:00Z',
    exprs: ['* 1 * * *', '59,0-58 1 * * *', '0 2 * * *'],
    musts: { '* 1 * * *': ['14:59', '15:00', '15:01'], '59,0-58 1 * * *': ['14:59'] },
  },
];

/** The faked clock starts this long before the change, and is watched until this long after it. */
const BEFORE_MS = 75_000;
const AFTER_MS = 125_000;

async function runScenario(s: Scenario): Promise<void> {
  const home = tempHome('sched-dst-');
  const jobs: Job[] = s.exprs.map((expr, i) =>
    relJob(`j${i}`, {
      schedule: { kind: 'cron', expr, source: expr },
      timezone: s.zone,
      catchUp: false,
    }),
  );
  const backend = new EmbeddedBackend({ dir: new NodeDirFs(path.join(home, 'embedded'), 0o700) });
  const ctx = {
    nodePath: process.execPath,
    schedBin: SCHED_BIN,
    stateDir: home,
    hostTimezone: 'UTC',
    homeDir: home,
  };
  for (const job of jobs) {
    await applyJob(home, job, 'embedded');
    const [artifact] = backend.render(job, ctx);
    await backend.apply(PROJECT, [
      { action: 'create', id: artifact!.id, job: job.name, kind: artifact!.kind, after: artifact! },
    ]);
  }
  const change = Date.parse(s.change);
  // Whole seconds: the faked clock reads BEFORE_MS before the change now.
  const offset = Math.round((change - BEFORE_MS - Date.now()) / 1000);
  const clock = steppableClock(offset);
  const faked = (): number => Date.now() + offset * 1000;
  const daemon = startSched(home, ['daemon', '--json'], {
    ...clock.env,
    SCHED_DAEMON_GRACE_SECONDS: '1',
    TZ: 'UTC',
  });
  const events = (): Event[] =>
    daemon
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Event);
  try {
    await waitFor('the daemon to start', () => events().find((e) => e.event === 'started'), 60_000);
    // Everything the daemon could fire from here on is compared (it starts without catching up).
    const from = faked();
    const until = change + AFTER_MS - 5_000;
    expect(from).toBeLessThan(change - 30_000); // started well before the change
    await waitFor(
      'the faked clock to pass the window',
      () => faked() > until + 5_000,
      BEFORE_MS + AFTER_MS + 60_000,
    );
    const fired = events().filter((e) => e.event === 'fired');
    for (const job of jobs) {
      const expr = (job.schedule as { expr: string }).expr;
      const got = fired
        .filter((e) => e.job === job.name)
        .map((e) => Date.parse(e.scheduled!))
        .filter((t) => t > from && t <= until)
        .map((t) => new Date(t).toISOString());
      const want = fireTimesBetween(job.schedule, s.zone, new Date(from), new Date(until)).map((d) =>
        d.toISOString(),
      );
      expect({ expr, zone: s.zone, fired: got }).toEqual({ expr, zone: s.zone, fired: want });
      for (const hhmm of s.musts[expr] ?? []) expect(got.map((t) => t.slice(11, 16))).toContain(hhmm);
    }
    // The gap and the second pass are not calendar minutes the daemon skipped or merged silently.
    expect(events().filter((e) => e.event === 'spawn-failed')).toEqual([]);
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.done;
    clock.cleanup();
  }
}

describe.skipIf(procSkipReason() ?? faketimeSkipReason())('sched daemon across real clock changes', () => {
  // Concurrent: each case runs about three minutes of real time across its change.
  describe.concurrent('fires what Debian cron fires', () => {
    for (const s of SCENARIOS) {
      it(`${s.zone}, ${s.change}`, { timeout: 420_000 }, () => runScenario(s));
    }
  });
});
