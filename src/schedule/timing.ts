/**
 * Schedules described for one plan: in words and by their next fire times, each distinct
 * schedule worked out once.
 */
import type { Schedule } from '../model/job.js';
import { describeSchedule } from './describe.js';
import { nextFireTimes } from './occurrences.js';
import { formatInZone } from './zoned.js';

/**
 * The words and the next fire times of the schedules one plan describes, each worked out once:
 * jobs often share a schedule ("0 * * * *"), and describing a 1,000-job plan one job at a time
 * spent a tenth of its apply on the same cron words and fire times.
 */
export class ScheduleTiming {
  private readonly words = new Map<string, string>();
  private readonly runs = new Map<string, readonly string[]>();
  constructor(readonly now: Date) {}

  /** The schedule in words (see describeSchedule). */
  describe(schedule: Schedule): string {
    const key = scheduleKey(schedule);
    let words = this.words.get(key);
    if (words === undefined) this.words.set(key, (words = describeSchedule(schedule)));
    return words;
  }

  /** The next `count` fire times after `now`, written in `zone` (a new array each call). */
  nextRuns(schedule: Schedule, zone: string, count: number): string[] {
    const key = `${scheduleKey(schedule)}\0${zone}\0${count}`;
    let runs = this.runs.get(key);
    if (!runs)
      this.runs.set(
        key,
        (runs = nextFireTimes(schedule, zone, this.now, count).map((d) => formatInZone(d, zone))),
      );
    return [...runs];
  }
}

/** Two schedules with one key fire alike and read alike. */
function scheduleKey(s: Schedule): string {
  switch (s.kind) {
    case 'cron':
      return `cron\0${s.expr}`;
    case 'event':
      return `event\0${s.event}`;
    case 'at':
      return `at\0${s.local}`;
  }
}
