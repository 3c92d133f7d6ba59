/**
 * Cron → launchd `StartCalendarInterval` dicts that fire at exactly the cron instants, or a
 * refusal that says why. Tests prove the conversion by comparing fire times (never output
 * shapes) with `expandLaunchd`, an independent evaluator in `test/backends/oracles/launchd.ts`.
 *
 * launchd facts this relies on (launchd.plist(5); ARCHITECTURE.md, "Native formats"):
 * - An array of dicts fires on the union of the dicts; a missing key means "every value".
 * - A dict without Minute fires every minute of the matching hour(s), so Minute is omitted only
 *   when all 60 minutes are wanted.
 * - Day and Weekday in one dict are read as AND by some sources and OR by others; Weekday makes
 *   launchd ignore Month. Neither combination is ever emitted (the same meaning under every
 *   reading, as issue 5 asks).
 * - launchd normalises impossible dates (Feb 30 → Mar 2), so Day 29–31 is only emitted together
 *   with a Month that always has that day. Feb 29 exists only in leap years and launchd has no
 *   year key, so a cron expression that fires on Feb 29 is refused.
 * - launchd knows only the host's local time.
 */
import type { CronSpec } from './cron.js';
import { convertOrRefuse, joinDaysAndTimes, Refusal } from './refusal.js';

/** One StartCalendarInterval dict. Keys are launchd's; Weekday 0 = Sunday. */
export interface LaunchdCalendarDict {
  Day?: number;
  Hour?: number;
  Minute?: number;
  Month?: number;
  Weekday?: number;
}

/**
 * The most dicts sched emits for one job. `*\/15 9-17 * * 1-5` needs 180 and `*\/5 9-17 * * 1-5`
 * needs 540; launchd reads larger arrays, but a plist of thousands of dicts is unreviewable and
 * slow to load, so beyond 1000 the job is refused with a hint to use systemd/crontab or to
 * simplify the expression.
 */
export const LAUNCHD_MAX_DICTS = 1000;

export type LaunchdConversion =
  | { ok: true; dicts: LaunchdCalendarDict[] }
  | { ok: false; reason: string; hint: string; code: LaunchdRejectCode };

/** Why a conversion was refused (tests count these). */
export type LaunchdRejectCode =
  'dom-and-dow' | 'weekday-with-month' | 'feb-29' | 'too-many-dicts' | 'never-fires';

/** Values set in `bits` within [lo, hi]. */
export function members(bits: readonly boolean[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) if (bits[i]) out.push(i);
  return out;
}

/**
 * Which days a cron spec fires on, with Debian's rule: when either day field's text starts with
 * `*`, day-of-month AND day-of-week must both match; otherwise either may match (OR).
 */
export type DayRule =
  | { kind: 'every' }
  | { kind: 'dom'; days: number[] }
  | { kind: 'dow'; weekdays: number[] }
  | { kind: 'union'; days: number[]; weekdays: number[] }
  | { kind: 'and'; days: number[]; weekdays: number[] };

export function dayRule(spec: CronSpec): DayRule {
  const days = members(spec.dom, 1, 31);
  const weekdays = members(spec.dow, 0, 6);
  if (spec.dow[7] && !weekdays.includes(0)) weekdays.unshift(0);
  const domFull = days.length === 31;
  const dowFull = weekdays.length === 7;
  if (spec.domStar || spec.dowStar) {
    if (domFull && dowFull) return { kind: 'every' };
    if (domFull) return { kind: 'dow', weekdays };
    if (dowFull) return { kind: 'dom', days };
    return { kind: 'and', days, weekdays };
  }
  // Both restricted: OR. A full field on either side makes every day match.
  if (domFull || dowFull) return { kind: 'every' };
  return { kind: 'union', days, weekdays };
}

/** Days every year of month `m` has (Feb: 28). */
export function minDaysInMonth(m: number): number {
  return m === 2 ? 28 : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days month `m` has in its longest year (Feb: 29). */
export function maxDaysInMonth(m: number): number {
  return m === 2 ? 29 : minDaysInMonth(m);
}

const WEEKDAY_WORDS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const Reject = Refusal<LaunchdRejectCode>;

const OTHER_BACKEND = 'use backend systemd or crontab for this job, or';

/** Date part: dicts of Month/Day/Weekday keys whose union is exactly the cron's days. */
function dateDicts(spec: CronSpec): LaunchdCalendarDict[] {
  const months = members(spec.month, 1, 12);
  const monthFull = months.length === 12;
  const rule = dayRule(spec);
  const monthOnly = (): LaunchdCalendarDict[] => (monthFull ? [{}] : months.map((m) => ({ Month: m })));
  const byWeekday = (weekdays: number[]): LaunchdCalendarDict[] => {
    if (!monthFull) {
      throw new Reject(
        'weekday-with-month',
        `it restricts both the weekday (${weekdays.map((w) => WEEKDAY_WORDS[w]).join(', ')}) and the month, and launchd ignores Month in a dict that has Weekday`,
        `${OTHER_BACKEND} drop the month restriction and let the command check the month.`,
      );
    }
    return weekdays.map((w) => ({ Weekday: w }));
  };
  const byDay = (days: number[]): LaunchdCalendarDict[] => {
    const out: LaunchdCalendarDict[] = [];
    const low = days.filter((d) => d <= 28);
    const high = days.filter((d) => d >= 29);
    if (monthFull) for (const d of low) out.push({ Day: d });
    else for (const d of low) for (const m of months) out.push({ Day: d, Month: m });
    for (const d of high) {
      for (const m of months) {
        if (d > maxDaysInMonth(m)) continue; // cron never fires on a date that does not exist
        if (d > minDaysInMonth(m)) {
          throw new Reject(
            'feb-29',
            'it fires on February 29, which exists only in leap years; launchd has no year key and moves a missing date to the next month',
            `${OTHER_BACKEND} leave day 29 out of February (e.g. restrict the months).`,
          );
        }
        out.push({ Day: d, Month: m });
      }
    }
    return out;
  };
  switch (rule.kind) {
    case 'every':
      return monthOnly();
    case 'dom':
      return byDay(rule.days);
    case 'dow':
      return byWeekday(rule.weekdays);
    case 'union':
      return [...byDay(rule.days), ...byWeekday(rule.weekdays)];
    case 'and':
      throw new Reject(
        'dom-and-dow',
        'its day-of-month field starts with `*` (a step such as `*/2`), so cron requires day-of-month AND day-of-week to match, and launchd cannot combine Day and Weekday in one dict',
        `${OTHER_BACKEND} list the days explicitly (e.g. \`1,3,5\` instead of \`*/2\`), which makes cron OR the two fields.`,
      );
  }
}

/** Time part: dicts of Hour/Minute keys. */
function timeDicts(spec: CronSpec): LaunchdCalendarDict[] {
  const minutes = members(spec.minute, 0, 59);
  const hours = members(spec.hour, 0, 23);
  const minFull = minutes.length === 60;
  const hourFull = hours.length === 24;
  if (minFull) return hourFull ? [{}] : hours.map((h) => ({ Hour: h }));
  if (hourFull) return minutes.map((m) => ({ Minute: m }));
  const out: LaunchdCalendarDict[] = [];
  for (const h of hours) for (const m of minutes) out.push({ Hour: h, Minute: m });
  return out;
}

/** Key order of an emitted dict (alphabetical, as Apple's tools write them). */
function ordered(d: LaunchdCalendarDict): LaunchdCalendarDict {
  const out: LaunchdCalendarDict = {};
  if (d.Day !== undefined) out.Day = d.Day;
  if (d.Hour !== undefined) out.Hour = d.Hour;
  if (d.Minute !== undefined) out.Minute = d.Minute;
  if (d.Month !== undefined) out.Month = d.Month;
  if (d.Weekday !== undefined) out.Weekday = d.Weekday;
  return out;
}

/**
 * Converts a cron spec to StartCalendarInterval dicts whose union fires at exactly the cron's
 * instants (in local time), or says why that is impossible.
 */
export function cronToLaunchd(spec: CronSpec, maxDicts = LAUNCHD_MAX_DICTS): LaunchdConversion {
  return convertOrRefuse<LaunchdRejectCode, LaunchdConversion>(() => {
    const dicts = joinDaysAndTimes(
      dateDicts(spec),
      () => timeDicts(spec),
      maxDicts,
      (total) =>
        new Reject(
          'too-many-dicts',
          `it needs ${total} StartCalendarInterval entries, more than the ${maxDicts} sched emits`,
          `${OTHER_BACKEND} use fewer distinct minutes/hours/days (e.g. a coarser step).`,
        ),
      (d, t) => ordered({ ...d, ...t }),
    );
    return { ok: true, dicts };
  });
}
