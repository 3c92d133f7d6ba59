/**
 * The daemon's scheduling logic, pure: given the jobs and the current instant it says when to wake
 * up next and which jobs are due. No timers, no clock, no files — the loop in daemon.ts drives it,
 * and tests drive it with simulated time.
 */
import type { Schedule } from '../model/job.js';
import { fireTimesFromNext, missedFireTimes } from '../schedule/missed.js';

/** The schedule engine's `nextFireTimes` (src/schedule/occurrences.ts): instants strictly after `from`. */
export type NextFireFn = (schedule: Schedule, zone: string, from: Date, count: number) => Date[];

/** A job as the daemon knows it, from its embedded record. */
export interface ScheduledJob {
  project: string;
  name: string;
  schedule: Schedule;
  timezone: string;
}

/** A job to fire now. */
export interface DueFire {
  job: ScheduledJob;
  /** The fire instant this run stands for (the latest one that has passed). */
  scheduledAt: Date;
  /** Earlier instants that passed unfired (the daemon was suspended or late): coalesced into this run. */
  coalesced: number;
}

/** What `update` changed, as `project/job` keys. */
export interface JobSetChange {
  added: string[];
  removed: string[];
  changed: string[];
  /** Jobs the engine could not schedule (an unknown zone in a hand-edited record…): not scheduled. */
  invalid: { key: string; error: string }[];
}

export function jobKey(job: { project: string; name: string }): string {
  return `${job.project}/${job.name}`;
}

function signature(job: ScheduledJob): string {
  return JSON.stringify([job.schedule, job.timezone]);
}

interface Entry {
  job: ScheduledJob;
  sig: string;
  next?: Date;
  /** The instant the last fire of this job stood for: never fired twice after a small step back. */
  lastFired?: Date;
}

/** Upper bound on counting coalesced instants (a long suspend of an every-minute job). */
const MAX_COALESCE_COUNT = 10_000;

export class DaemonScheduler {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly nextFire: NextFireFn) {}

  /** The jobs currently scheduled. */
  jobs(): ScheduledJob[] {
    return [...this.entries.values()].map((e) => e.job);
  }

  /**
   * Replaces the set of jobs. Unchanged jobs keep their pending fire time; new or changed ones get
   * the first instant strictly after `now`. Event schedules (boot) have no fire times here.
   */
  update(jobs: ScheduledJob[], now: Date): JobSetChange {
    const change: JobSetChange = { added: [], removed: [], changed: [], invalid: [] };
    const seen = new Set<string>();
    for (const job of jobs) {
      const key = jobKey(job);
      seen.add(key);
      const sig = signature(job);
      const existing = this.entries.get(key);
      if (existing && existing.sig === sig) {
        existing.job = job;
        continue;
      }
      let next: Date | undefined;
      try {
        next = this.firstAfter(job, now);
      } catch (e) {
        change.invalid.push({ key, error: (e as Error).message });
        seen.delete(key); // an invalid job is not scheduled: drop any earlier version of it
        continue;
      }
      (existing ? change.changed : change.added).push(key);
      this.entries.set(key, { job, sig, next });
    }
    for (const key of [...this.entries.keys()]) {
      if (!seen.has(key)) {
        this.entries.delete(key);
        change.removed.push(key);
      }
    }
    for (const list of [change.added, change.removed, change.changed]) list.sort();
    return change;
  }

  /** The earliest pending fire instant; undefined when nothing will ever fire. */
  nextWake(): Date | undefined {
    let best: Date | undefined;
    for (const e of this.entries.values()) {
      if (e.next && (!best || e.next.getTime() < best.getTime())) best = e.next;
    }
    return best;
  }

  /**
   * The jobs whose fire instant is at or before `now`, each once (several passed instants of one
   * job are coalesced, like launchd after a sleep); advances each to its next instant after `now`.
   * Ordered by instant, then by project/job.
   */
  due(now: Date): DueFire[] {
    const fires: DueFire[] = [];
    const t = now.getTime();
    for (const e of this.entries.values()) {
      if (!e.next || e.next.getTime() > t) continue;
      // The pending instant is due; the instants after it up to now passed too and are coalesced.
      const job = e.job;
      const passed = missedFireTimes(
        fireTimesFromNext((from) => this.safeFirstAfter(job, from)),
        e.next,
        now,
        MAX_COALESCE_COUNT,
      );
      const scheduledAt = passed.mostRecent ?? e.next;
      const coalesced = passed.count;
      e.next = this.safeFirstAfter(job, scheduledAt);
      e.lastFired = scheduledAt;
      fires.push({ job: e.job, scheduledAt, coalesced });
    }
    return fires.sort(
      (a, b) =>
        a.scheduledAt.getTime() - b.scheduledAt.getTime() || jobKey(a.job).localeCompare(jobKey(b.job)),
    );
  }

  /**
   * Recomputes the pending instants from the wall clock `now`, after the clock was stepped back
   * (NTP, a user, a restored VM): a job whose pending instant lies beyond its first instant after
   * `now` gets that instant instead — otherwise, after +2 h and back, nothing would fire for 2 h.
   * The one instant a job last fired for is not fired again (a small step back right after a
   * fire). Pending instants that are earlier stay: due() fires them, coalescing what passed.
   */
  resync(now: Date): void {
    for (const e of this.entries.values()) {
      let fresh = this.safeFirstAfter(e.job, now);
      if (fresh && e.lastFired && fresh.getTime() === e.lastFired.getTime())
        fresh = this.safeFirstAfter(e.job, e.lastFired);
      if (fresh && (!e.next || fresh.getTime() < e.next.getTime())) e.next = fresh;
    }
  }

  /** As firstAfter; an engine error (it accepted the job before) ends the job's schedule instead of the loop. */
  private safeFirstAfter(job: ScheduledJob, from: Date): Date | undefined {
    try {
      return this.firstAfter(job, from);
    } catch {
      return undefined;
    }
  }

  private firstAfter(job: ScheduledJob, from: Date): Date | undefined {
    if (job.schedule.kind === 'event') return undefined;
    return this.nextFire(job.schedule, job.timezone, from, 1)[0];
  }
}
