/**
 * Cron → Windows Task Scheduler triggers that fire at exactly the cron instants, or a refusal
 * that says why. Tests prove the conversion by comparing fire times with `expandTaskTriggers`,
 * an independent evaluator of the documented trigger rules in `test/backends/oracles/tasktrigger.ts`.
 *
 * Task Scheduler facts this relies on (Task Scheduler schema docs; ARCHITECTURE.md, "Native formats"):
 * - A CalendarTrigger fires on the days its schedule names (ScheduleByDay / ByWeek / ByMonth /
 *   ByMonthDayOfWeek) at the time of day of its StartBoundary; a task fires on the union of its
 *   triggers (at most 48).
 * - Repetition repeats every Interval (PT1M…P31D) for Duration after each trigger fire. Whether
 *   the end of Duration is inclusive is not documented, so sched never emits a Duration that is
 *   an exact multiple of the Interval: `(n-1)·Interval + 1 minute` (or `+ 30 s` when the
 *   Interval is one minute) means n runs under both readings.
 * - ScheduleByMonth takes days 1–31 and `Last`. What it does with a day a month lacks (31 in
 *   April) is not documented, so such days are only emitted for months that always have them;
 *   February 29 is expressed as `Last` when the 28th also fires, and refused otherwise.
 * - ScheduleByMonthDayOfWeek's "week of the month" is read as "n-th occurrence" by some sources
 *   and "calendar week" by others, so it is never emitted: weekdays combined with a month
 *   restriction are refused.
 * - A StartBoundary without an offset is local time; with an offset it is a fixed UTC offset and
 *   does not follow DST. sched emits local time and refuses job zones other than the host's.
 */
import type { CronSpec } from './cron.js';
import { convertOrRefuse, joinDaysAndTimes, Refusal } from './refusal.js';
import { dayRule, maxDaysInMonth, members, minDaysInMonth } from './to-launchd.js';

/** At most this many triggers per task (the schema's limit). */
export const TASK_MAX_TRIGGERS = 48;

/** A run of equally spaced times within one day: `count` runs, `intervalMinutes` apart. */
export interface TimeProgression {
  /** Minutes after local midnight of the first run. */
  startMinute: number;
  intervalMinutes: number;
  count: number;
}

export type TaskDaySchedule =
  | { kind: 'day' }
  | { kind: 'week'; weekdays: number[] }
  | { kind: 'month'; days: Array<number | 'Last'>; months: number[] };

/** One CalendarTrigger: a day schedule, a start time, and optional repetition. */
export interface TaskCalendarTrigger {
  schedule: TaskDaySchedule;
  time: TimeProgression;
}

export type TaskTriggerRejectCode =
  'dom-and-dow' | 'weekday-with-month' | 'feb-29' | 'too-many-triggers' | 'never-fires';

export type TaskTriggerConversion =
  | { ok: true; triggers: TaskCalendarTrigger[] }
  | { ok: false; reason: string; hint: string; code: TaskTriggerRejectCode };

/** Repetition Duration in seconds for a progression of `count` runs: never a multiple of the interval. */
export function repetitionDurationSeconds(p: TimeProgression): number {
  const span = (p.count - 1) * p.intervalMinutes * 60;
  return span + (p.intervalMinutes > 1 ? 60 : 30);
}

/** Splits sorted values into maximal arithmetic runs, greedily from the left. */
function progressions(values: readonly number[]): Array<{ start: number; step: number; count: number }> {
  const out: Array<{ start: number; step: number; count: number }> = [];
  let i = 0;
  while (i < values.length) {
    if (i + 1 >= values.length) {
      out.push({ start: values[i]!, step: 1, count: 1 });
      break;
    }
    const step = values[i + 1]! - values[i]!;
    let j = i + 1;
    while (j + 1 < values.length && values[j + 1]! - values[j]! === step) j++;
    out.push({ start: values[i]!, step, count: j - i + 1 });
    i = j + 1;
  }
  return out;
}

/** The fewest progressions sched finds that together give exactly the cron's times of day. */
export function timeProgressions(spec: CronSpec): TimeProgression[] {
  const minutes = members(spec.minute, 0, 59);
  const hours = members(spec.hour, 0, 23);
  const all: number[] = [];
  for (const h of hours) for (const m of minutes) all.push(h * 60 + m);
  const toTP = (r: { start: number; step: number; count: number }): TimeProgression => ({
    startMinute: r.start,
    intervalMinutes: r.count === 1 ? 0 : r.step,
    count: r.count,
  });
  const candidates: TimeProgression[][] = [];
  candidates.push(progressions(all).map(toTP));
  // One progression over the hours per minute value…
  candidates.push(minutes.flatMap((m) => progressions(hours.map((h) => h * 60 + m)).map(toTP)));
  // …or one over the minutes per hour.
  candidates.push(hours.flatMap((h) => progressions(minutes.map((m) => h * 60 + m)).map(toTP)));
  candidates.sort((a, b) => a.length - b.length);
  return candidates[0]!;
}

const MONTH_NAMES = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export { MONTH_NAMES };

const Reject = Refusal<TaskTriggerRejectCode>;

const OTHER = 'run it under another backend, or';

/** ByMonth schedules for these days in these months, grouped by identical day lists. */
function monthSchedules(days: readonly number[], months: readonly number[]): TaskDaySchedule[] {
  const groups = new Map<string, { days: Array<number | 'Last'>; months: number[] }>();
  for (const m of months) {
    const list: Array<number | 'Last'> = days.filter((d) => d <= minDaysInMonth(m));
    const leapOnly = days.filter((d) => d > minDaysInMonth(m) && d <= maxDaysInMonth(m));
    if (leapOnly.length > 0) {
      // Only Feb 29: it is the last day in leap years; `Last` is exact when the 28th fires too.
      if (!days.includes(28)) {
        throw new Reject(
          'feb-29',
          'it fires on February 29 but not on the 28th; Task Scheduler has no "29th in leap years only"',
          `${OTHER} include day 28 as well, or leave February out.`,
        );
      }
      list.push('Last');
    }
    if (list.length === 0) continue;
    const key = list.join(',');
    const g = groups.get(key);
    if (g) g.months.push(m);
    else groups.set(key, { days: list, months: [m] });
  }
  return [...groups.values()].map((g) => ({ kind: 'month', days: g.days, months: g.months }));
}

/** Day schedules whose union is exactly the cron's days. */
function daySchedules(spec: CronSpec): TaskDaySchedule[] {
  const months = members(spec.month, 1, 12);
  const monthFull = months.length === 12;
  const rule = dayRule(spec);
  const week = (weekdays: number[]): TaskDaySchedule => {
    if (!monthFull) {
      throw new Reject(
        'weekday-with-month',
        "it restricts both the weekday and the month; only ScheduleByMonthDayOfWeek combines them, and its 'week of the month' is documented ambiguously",
        `${OTHER} drop the month restriction and let the command check the month.`,
      );
    }
    return { kind: 'week', weekdays };
  };
  switch (rule.kind) {
    case 'every':
      return monthFull
        ? [{ kind: 'day' }]
        : monthSchedules(
            Array.from({ length: 31 }, (_, i) => i + 1),
            months,
          );
    case 'dom':
      return monthSchedules(rule.days, months);
    case 'dow':
      return [week(rule.weekdays)];
    case 'union':
      return [...monthSchedules(rule.days, months), week(rule.weekdays)];
    case 'and':
      throw new Reject(
        'dom-and-dow',
        'its day-of-month field starts with `*` (e.g. `*/2`), so cron requires day-of-month AND day-of-week to match, which no Task Scheduler trigger expresses',
        `${OTHER} list the days explicitly (e.g. \`1,3,5\` instead of \`*/2\`), which makes cron OR the two fields.`,
      );
  }
}

/** Converts a cron spec to calendar triggers that fire at exactly its local instants. */
export function cronToTaskTriggers(spec: CronSpec, maxTriggers = TASK_MAX_TRIGGERS): TaskTriggerConversion {
  return convertOrRefuse<TaskTriggerRejectCode, TaskTriggerConversion>(() => {
    const days = daySchedules(spec);
    const triggers = joinDaysAndTimes(
      days,
      () => timeProgressions(spec),
      maxTriggers,
      (total, timeCount) =>
        new Reject(
          'too-many-triggers',
          `it needs ${total} triggers (${days.length} day pattern(s) × ${timeCount} time pattern(s)); a task holds at most ${maxTriggers}`,
          `${OTHER} use evenly spaced minutes/hours (e.g. \`*/15\`), which repeat within one trigger.`,
        ),
      (d, t): TaskCalendarTrigger => ({ schedule: d, time: t }),
    );
    return { ok: true, triggers };
  });
}
