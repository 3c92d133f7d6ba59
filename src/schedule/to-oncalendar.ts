/**
 * Cron → systemd `OnCalendar=` expressions that fire at exactly the cron instants.
 *
 * Facts this relies on (systemd 252, verified with `systemd-analyze calendar`):
 * - In one expression, weekday and day are ANDed; a timer with several `OnCalendar=` lines fires
 *   on the union. Debian cron ORs day-of-month and day-of-week when both are restricted (neither
 *   field text starts with `*`), so that case becomes two lines: one with the weekdays, one with
 *   the days. Otherwise (a `*`-prefixed field, e.g. `*\/2`) Debian ANDs them, which is one line.
 * - `a..b/s` ranges with a step, `a..b` ranges and `,` lists work in every component.
 * - A trailing IANA zone makes systemd evaluate the wall clock in that zone.
 *
 * Around DST changes these lines alone differ from cron: systemd fires each local time at its
 * first occurrence only (a spring-gap time never, a repeated time once), while cron runs a
 * fixed-time job of the gap after the jump and wildcard jobs in both passes. The systemd backend
 * adds explicit-date lines for those runs (src/backends/systemd/compensation.ts);
 * {@link systemdInstants} is the model of systemd's rule, checked against systemd itself.
 */
import { cronMatches, parseCron, type CronSpec } from './cron.js';
import { fireTimesBetween } from './occurrences.js';
import { localFields, nextTransition } from './zoned.js';

const DOW_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Values set in `bits` within [lo, hi]. */
function members(bits: readonly boolean[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = lo; i <= hi; i++) if (bits[i]) out.push(i);
  return out;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Compact systemd text for a set of numbers in [lo, hi]: `*` when full, `a..b/s` when the set is
 * an arithmetic progression of at least three values, otherwise a list of values and `a..b` runs.
 */
export function compactSet(
  values: readonly number[],
  lo: number,
  hi: number,
  fmt: (n: number) => string = pad2,
): string {
  if (values.length === 0) throw new Error('compactSet: empty set');
  if (values.length === hi - lo + 1) return '*';
  if (values.length >= 3) {
    const step = values[1]! - values[0]!;
    if (step > 1 && values.every((v, i) => i === 0 || v - values[i - 1]! === step)) {
      return `${fmt(values[0]!)}..${fmt(values[values.length - 1]!)}/${step}`;
    }
  }
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${fmt(values[i]!)}..${fmt(values[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(fmt(values[k]!));
    i = j + 1;
  }
  return parts.join(',');
}

/** Weekday text in Monday-first order (systemd ranges do not wrap around Sunday). */
function weekdayText(dow: readonly boolean[]): string | undefined {
  const days = [1, 2, 3, 4, 5, 6, 0].filter((d) => dow[d] || (d === 0 && dow[7]));
  if (days.length === 7) return undefined;
  // Map to 1..7 (Mon..Sun) so runs are contiguous, then print names.
  const mondayFirst = days.map((d) => (d === 0 ? 7 : d));
  const parts: string[] = [];
  let i = 0;
  while (i < mondayFirst.length) {
    let j = i;
    while (j + 1 < mondayFirst.length && mondayFirst[j + 1] === mondayFirst[j]! + 1) j++;
    const name = (n: number) => DOW_NAMES[n % 7]!;
    if (j - i >= 2) parts.push(`${name(mondayFirst[i]!)}..${name(mondayFirst[j]!)}`);
    else for (let k = i; k <= j; k++) parts.push(name(mondayFirst[k]!));
    i = j + 1;
  }
  return parts.join(',');
}

/** The zone suffix systemd understands: `UTC` for the UTC aliases, else the IANA name. */
export function systemdZone(zone: string): string {
  return zone === 'UTC' ||
    zone === 'Etc/UTC' ||
    zone === 'Etc/UCT' ||
    zone === 'UCT' ||
    zone === 'Etc/Zulu' ||
    zone === 'Zulu' ||
    zone === 'Etc/Universal' ||
    zone === 'Universal'
    ? 'UTC'
    : zone;
}

function line(
  weekdays: string | undefined,
  months: string,
  days: string,
  hours: string,
  minutes: string,
  zone: string,
): string {
  const date = `*-${months}-${days}`;
  return `${weekdays ? weekdays + ' ' : ''}${date} ${hours}:${minutes}:00 ${systemdZone(zone)}`;
}

/**
 * The `OnCalendar=` expressions (one per line, union semantics) that fire at exactly the instants
 * of `spec` in `zone` (DST aside, see the module comment). Pure.
 */
export function cronToOnCalendar(spec: CronSpec, zone: string): string[] {
  const minutes = compactSet(members(spec.minute, 0, 59), 0, 59);
  const hours = compactSet(members(spec.hour, 0, 23), 0, 23);
  const months = compactSet(members(spec.month, 1, 12), 1, 12);
  const domValues = members(spec.dom, 1, 31);
  const days = compactSet(domValues, 1, 31);
  const weekdays = weekdayText(spec.dow);
  if (!spec.domStar && !spec.dowStar) {
    // Debian cron: day-of-month OR day-of-week. Two lines; the timer fires on their union.
    if (weekdays === undefined || days === '*') {
      // One side matches every day: the OR is every day.
      return [line(undefined, months, '*', hours, minutes, zone)];
    }
    return [
      line(weekdays, months, '*', hours, minutes, zone),
      line(undefined, months, days, hours, minutes, zone),
    ];
  }
  // Debian cron: a `*`-prefixed field makes the test an AND (the star side usually matches all).
  return [line(weekdays, months, days, hours, minutes, zone)];
}

/** A one-shot instant as systemd reads it unambiguously: `2026-12-31 06:00:00 UTC`. */
export function instantToOnCalendar(instant: Date): string {
  const iso = instant.toISOString(); // 2026-12-31T06:00:00.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const MINUTE = 60_000;
/** How far around a DST change the two schedulers can differ (the change moves clocks by ≤ 1 h). */
const DST_WINDOW = 3 * 3_600_000;

/**
 * What systemd (252) fires for `spec` in [from, to]: each local wall-clock minute the spec matches,
 * at its FIRST real occurrence only — so a spring-gap time never fires and a repeated autumn time
 * fires once, in summer time. Verified against `systemd-analyze calendar` around DST changes.
 * Walks minute by minute: meant for the few hours around a DST change.
 */
export function systemdInstants(spec: CronSpec, zone: string, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  const seen = new Set<string>();
  for (let t = Math.floor(from.getTime() / MINUTE) * MINUTE + MINUTE; t <= to.getTime(); t += MINUTE) {
    const f = localFields(new Date(t), zone);
    const key = `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (cronMatches(spec, { minute: f.minute, hour: f.hour, dom: f.day, month: f.month, dow: f.dow }))
      out.push(new Date(t));
  }
  return out;
}

/** One DST change at which a job's systemd fire times differ from sched's (Debian cron's). */
export interface DstDifference {
  /** The instant the zone's offset changes. */
  transition: Date;
  /** sched's fire times near it that systemd will not produce. */
  missing: Date[];
  /** systemd's fire times near it that sched does not have. */
  extra: Date[];
}

/**
 * The DST changes in (from, to] at which systemd's instants for `spec` differ from sched's
 * (e.g. `30 2 * * *` in Europe/Berlin: cron runs at 03:00 on the spring-forward day, systemd
 * not at all; `*\/15 * * * *`: cron runs the repeated autumn hour twice, systemd once). Pure.
 */
export function systemdDstDifferences(expr: string, zone: string, from: Date, to: Date): DstDifference[] {
  const spec = parseCron(expr);
  const diffs: DstDifference[] = [];
  let after = Math.floor(from.getTime() / 1000);
  const limit = Math.floor(to.getTime() / 1000);
  for (;;) {
    const t = nextTransition(zone, after, limit);
    if (t === undefined) break;
    after = t;
    const T = t * 1000;
    const lo = new Date(T - DST_WINDOW);
    const hi = new Date(T + DST_WINDOW);
    const sched = fireTimesBetween({ kind: 'cron', expr, source: expr }, zone, lo, hi).map((d) =>
      d.getTime(),
    );
    const systemd = systemdInstants(spec, zone, lo, hi).map((d) => d.getTime());
    const s = new Set(sched);
    const y = new Set(systemd);
    const missing = sched.filter((x) => !y.has(x));
    const extra = systemd.filter((x) => !s.has(x));
    if (missing.length || extra.length) {
      diffs.push({
        transition: new Date(T),
        missing: missing.map((x) => new Date(x)),
        extra: extra.map((x) => new Date(x)),
      });
    }
  }
  return diffs;
}
