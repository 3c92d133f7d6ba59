/**
 * When a schedule fires and what it means, for the library API and `sched mcp`: the next fire
 * times in a zone, the schedule in words, and how the clock changes of the coming year move,
 * skip or double its runs (Debian cron's rules, as `sched next` prints them). No printing.
 */
import { UserError } from '../errors.js';
import type { Schedule } from '../model/job.js';
import { CronSyntaxError, parseSchedule } from '../schedule/cron.js';
import { describeSchedule } from '../schedule/describe.js';
import { dstEffects, nextFireTimes } from '../schedule/occurrences.js';
import { formatInZone, isValidTimeZone } from '../schedule/zoned.js';
import { hostSchedulerZone } from '../platform/host-zone.js';

/** What a schedule does, in a zone, from an instant. */
export interface ScheduleInfo {
  /** The schedule as written (an expression, macro or preset). */
  schedule: string;
  /** In words (`At 02:00 AM`). */
  description: string;
  /** The IANA zone the times are in. */
  timezone: string;
  /** ISO-8601 with the zone's offset; empty for event schedules (boot, wake). */
  next: string[];
  /** How the clock changes between now and the last time shown (or within a year) affect runs. */
  clockChanges: string[];
}

const YEAR_MS = 366 * 24 * 3600 * 1000;

/**
 * Describes `input` (a cron expression, @-macro or preset; or an already parsed schedule) in
 * `zone` (default: the host's): `count` next fire times after `from` and the clock-change notes.
 * A bad expression or zone is a {@link UserError}.
 */
export function scheduleInfo(
  input: string | Schedule,
  options: { zone?: string; from?: Date; count?: number } = {},
): ScheduleInfo {
  const zone = options.zone ?? hostSchedulerZone().zone;
  if (!isValidTimeZone(zone))
    throw new UserError(`unknown time zone '${zone}'`, 'use an IANA zone name such as Europe/Berlin or UTC');
  const count = options.count ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new UserError(`count must be a whole number from 1 to 1000, not ${count}`);
  let schedule: Schedule;
  if (typeof input === 'string') {
    try {
      schedule = parseSchedule(input);
    } catch (err) {
      if (err instanceof CronSyntaxError) throw new UserError(`invalid schedule '${input}': ${err.message}`);
      throw err;
    }
  } else schedule = input;
  const from = options.from ?? new Date();
  const times = nextFireTimes(schedule, zone, from, count);
  const last = times[times.length - 1];
  const until = new Date(Math.max(last?.getTime() ?? 0, from.getTime() + YEAR_MS));
  return {
    schedule: schedule.source,
    description: describeSchedule(schedule),
    timezone: zone,
    next: times.map((t) => formatInZone(t, zone)),
    clockChanges: dstEffects(schedule, zone, from, until).map((e) => e.text),
  };
}
