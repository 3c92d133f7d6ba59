/**
 * Clock-change compensation for systemd timers: extra `OnCalendar=` lines with explicit dates
 * (UTC) so that a timer fires exactly when Debian cron's main loop does around every clock change
 * of the job's zone. Pure.
 *
 * systemd (252, checked with `systemd-analyze calendar`) fires each local wall-clock minute of a
 * calendar spec at its FIRST real occurrence only: a time in the spring gap never fires, a time in
 * the repeated autumn hour fires once, in the first pass. Debian cron runs fixed-time jobs of the
 * gap right after the jump, and wildcard jobs (`*` minute or hour) in both passes of the repeated
 * hour. sched's schedule engine reproduces Debian's rule (proven against Debian's own code), so the
 * compensation is, per clock change, the engine's fire times that the timer's calendar lacks.
 * When the calendar would fire at a time Debian does not, no extra line can take it away: the job
 * is refused with the reason.
 *
 * The lines cover the clock changes of a window that starts on 1 January of the apply year rounded
 * down to a multiple of {@link RENEW_EVERY_YEARS} and lasts {@link CLOCK_CHANGE_YEARS} +
 * {@link RENEW_EVERY_YEARS} years: at least {@link CLOCK_CHANGE_YEARS} years ahead at any time, and
 * the rendered timer stays byte-identical for {@link RENEW_EVERY_YEARS} years (re-planning does
 * not churn). Re-applying after the window moved renews it.
 */
import { cronMatches, parseCron, type CronSpec } from '../../schedule/cron.js';
import { fireTimesBetween } from '../../schedule/occurrences.js';
import { compactSet } from '../../schedule/to-oncalendar.js';
import { clockChanges, formatInZone } from '../../schedule/zoned.js';
import type { Schedule } from '../../model/job.js';

/** Clock changes are compensated at least this many years ahead of the apply (N). */
export const CLOCK_CHANGE_YEARS = 10;
/** The window moves (and timers are re-rendered) once every this many years. */
export const RENEW_EVERY_YEARS = 5;

/** Around a change, Debian's rule can differ from the calendar's for at most 3 hours (cron.c). */
const MARGIN_SECONDS = 4 * 3600;

/** The clock changes whose runs a timer rendered at `now` compensates: [from, until). */
export function compensationWindow(now: Date): { from: Date; until: Date } {
  const year = now.getUTCFullYear();
  const start = year - (((year % RENEW_EVERY_YEARS) + RENEW_EVERY_YEARS) % RENEW_EVERY_YEARS);
  return {
    from: new Date(Date.UTC(start, 0, 1)),
    until: new Date(Date.UTC(start + CLOCK_CHANGE_YEARS + RENEW_EVERY_YEARS, 0, 1)),
  };
}

/** What a job's timer needs around the clock changes of its zone. */
export interface ClockChangeCompensation {
  /** `OnCalendar=` values (explicit UTC dates), chronological; empty when no change needs one. */
  lines: string[];
  /** Clock changes in the window that change the job's runs (compensated or not). */
  affected: number;
  /** Start and end of the window. */
  from: Date;
  until: Date;
  /** Set when the timer cannot fire as Debian cron does: why, in words. */
  refusal?: string;
}

const memo = new Map<string, ClockChangeCompensation>();

/**
 * The compensation for `schedule` in `zone` rendered at `now` (see the module comment). Only cron
 * schedules get lines: a one-shot is already one exact UTC instant, events have no calendar.
 * Throws CronSyntaxError for an invalid expression.
 */
export function clockChangeCompensation(
  schedule: Schedule,
  zone: string,
  now: Date,
): ClockChangeCompensation {
  const { from, until } = compensationWindow(now);
  if (schedule.kind !== 'cron') return { lines: [], affected: 0, from, until };
  const key = `${schedule.expr}\u0000${zone}\u0000${from.getTime()}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const result = compute(schedule, parseCron(schedule.expr), zone, from, until);
  if (memo.size > 1000) memo.clear();
  memo.set(key, result);
  return result;
}

function compute(
  schedule: Schedule,
  spec: CronSpec,
  zone: string,
  from: Date,
  until: Date,
): ClockChangeCompensation {
  const base = { from, until };
  const changes = [...clockChanges(zone, from.getTime() / 1000, until.getTime() / 1000)];
  const missing: number[] = [];
  let affected = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const lo = c.at - MARGIN_SECONDS;
    const hi = c.at + MARGIN_SECONDS;
    const neighbourTooClose =
      (i > 0 && changes[i - 1]!.at > lo - MARGIN_SECONDS) ||
      (i + 1 < changes.length && changes[i + 1]!.at < hi + MARGIN_SECONDS);
    if (Math.abs(c.after - c.before) >= 3 * 3600 || neighbourTooClose) {
      return {
        ...base,
        lines: [],
        affected: affected + 1,
        refusal: `the clock change on ${day(c.at, zone)} in ${zone} moves the clock by more than 3 hours or comes hours after another one; sched cannot make a systemd timer follow Debian cron's rule there. Use the crontab backend, or a zone without such changes`,
      };
    }
    // Debian's rule and the calendar differ only for local times in the gap or the repeated
    // interval: a job that names none of them needs no comparison (most jobs, most changes).
    if (!namesLocalMinuteIn(spec, c.at + Math.min(c.before, c.after), c.at + Math.max(c.before, c.after)))
      continue;
    const debian = fireTimesBetween(schedule, zone, new Date(lo * 1000), new Date(hi * 1000)).map(
      (d) => d.getTime() / 1000,
    );
    const timer = calendarFires(spec, c.before, c.after, c.at, lo, hi);
    const inTimer = new Set(timer);
    const inDebian = new Set(debian);
    const extra = timer.filter((t) => !inDebian.has(t));
    if (extra.length > 0) {
      return {
        ...base,
        lines: [],
        affected: affected + 1,
        refusal: `around the clock change on ${day(c.at, zone)} in ${zone} the systemd timer would run it at ${extra
          .map((t) => formatInZone(new Date(t * 1000), zone))
          .join(', ')}, when Debian cron does not, and a timer cannot leave out a time its calendar matches`,
      };
    }
    const lack = debian.filter((t) => !inTimer.has(t));
    if (lack.length > 0 || debian.length !== timer.length) affected++;
    missing.push(...lack);
  }
  return { ...base, lines: utcLines(missing), affected };
}

/** Whether the spec matches a local minute in [fromLocal, toLocal) (local epoch seconds). */
function namesLocalMinuteIn(spec: CronSpec, fromLocal: number, toLocal: number): boolean {
  for (let lm = Math.floor(fromLocal / 60); lm < Math.ceil(toLocal / 60); lm++) {
    if (cronMatches(spec, localMinuteFields(lm))) return true;
  }
  return false;
}

function localMinuteFields(lm: number): {
  minute: number;
  hour: number;
  dom: number;
  month: number;
  dow: number;
} {
  const d = new Date(lm * 60_000);
  return {
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    dom: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    dow: d.getUTCDay(),
  };
}

function day(at: number, zone: string): string {
  return formatInZone(new Date(at * 1000), zone).slice(0, 10);
}

/**
 * What a calendar spec in a zone fires in (lo, hi] around ONE change at `at` (offset `before`,
 * then `after`): each matching local minute at its first real occurrence (systemd's rule).
 */
function calendarFires(
  spec: CronSpec,
  before: number,
  after: number,
  at: number,
  lo: number,
  hi: number,
): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let u = Math.floor(lo / 60) * 60 + 60; u <= hi; u += 60) {
    const local = u + (u < at ? before : after);
    const lm = Math.floor(local / 60);
    if (seen.has(lm)) continue;
    seen.add(lm);
    if (cronMatches(spec, localMinuteFields(lm))) out.push(u);
  }
  return out;
}

/**
 * Instants (epoch seconds, whole minutes) as few `OnCalendar=` values as possible: one per UTC day
 * and minute set, e.g. `2025-11-02 06:00..59/5:00 UTC` or `2025-03-30 01:00:00 UTC`.
 */
export function utcLines(instants: readonly number[]): string[] {
  const byDay = new Map<string, Map<number, number[]>>();
  for (const t of [...new Set(instants)].sort((a, b) => a - b)) {
    const d = new Date(t * 1000);
    const date = d.toISOString().slice(0, 10);
    let hours = byDay.get(date);
    if (!hours) byDay.set(date, (hours = new Map()));
    const list = hours.get(d.getUTCHours()) ?? [];
    list.push(d.getUTCMinutes());
    hours.set(d.getUTCHours(), list);
  }
  const lines: string[] = [];
  for (const [date, hours] of byDay) {
    // Hours sharing one minute set share a line (a line is hours × minutes).
    const byMinutes = new Map<string, number[]>();
    for (const [hour, minutes] of hours) {
      const text = compactSet(minutes, 0, 59);
      byMinutes.set(text, [...(byMinutes.get(text) ?? []), hour]);
    }
    for (const [minutes, hourList] of byMinutes) {
      lines.push(`${date} ${compactSet(hourList, 0, 23)}:${minutes}:00 UTC`);
    }
  }
  return lines;
}

/** The comment heading the compensation lines of a timer; it names the window's end. */
export function compensationComment(zone: string, until: Date): string {
  return `# Clock changes in ${zone} compensated (Debian cron's rule) until ${until.toISOString().slice(0, 10)}`;
}

const COMMENT = /^# Clock changes in \S+ compensated \(Debian cron's rule\) until (\d{4}-\d{2}-\d{2})$/;

/** The window end a rendered timer states in its compensation comment, if it has one. */
export function compensatedUntil(timerText: string): Date | undefined {
  for (const line of timerText.split('\n')) {
    const m = COMMENT.exec(line.trim());
    if (m) return new Date(`${m[1]}T00:00:00Z`);
  }
  return undefined;
}

/** `2025-11-02 06:00:00 UTC`-shaped values: explicit-date lines (compensation or one-shots). */
export function isExplicitUtcLine(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2} [0-9.,/:*]+ UTC$/.test(value.trim());
}
