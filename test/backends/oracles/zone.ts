/**
 * Wall-clock arithmetic for the test oracles (`expandLaunchd`, `expandTaskTriggers`).
 *
 * This deliberately does NOT use `src/schedule/zoned.ts`: the oracles prove that sched's
 * conversions fire at the same instants as cron-parser, and an oracle that shared the product's
 * zone code would share its bugs. Keep it independent (and simple: minute precision, no caching
 * beyond one formatter per zone).
 */

/** Wall-clock fields of an instant, to the minute. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of `t` in `zone`. */
export function wallClock(t: number, zone: string): LocalFields {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    partsFormatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute! };
}

/**
 * Instants whose wall clock in `zone` is `f`: none in a spring-forward gap, two in a repeated
 * autumn hour. How launchd itself behaves around DST is undocumented; tests compare in zones or
 * on days without transitions, and callers choose what to do with 0 or 2 results.
 */
export function localToInstants(f: LocalFields, zone: string): number[] {
  if (isUtc(zone)) return [Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute)];
  const naive = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute);
  const out = new Set<number>();
  // Offsets are within ±14h; try the offsets in effect around the naive time.
  for (const probe of [naive - 14 * 3600e3, naive, naive + 14 * 3600e3]) {
    const w = wallClock(probe, zone);
    const offset =
      Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - (probe - (((probe % 60000) + 60000) % 60000));
    const t = naive - offset;
    const back = wallClock(t, zone);
    if (
      back.year === f.year &&
      back.month === f.month &&
      back.day === f.day &&
      back.hour === f.hour &&
      back.minute === f.minute
    )
      out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
}

/** Offset (ms) of `zone` at instant `t`. */
function offsetAt(t: number, zone: string): number {
  const w = wallClock(t, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - (t - (((t % 60000) + 60000) % 60000));
}

/**
 * A function from local (hour, minute) of one local day to instants; constant-offset days take
 * the fast path, transition days the exact one.
 */
export function dayResolver(
  year: number,
  month: number,
  day: number,
  zone: string,
): (hour: number, minute: number) => number[] {
  const naiveDay = Date.UTC(year, month - 1, day);
  if (isUtc(zone)) return (h, m) => [naiveDay + (h * 60 + m) * 60000];
  const a = offsetAt(naiveDay - 14 * 3600e3, zone);
  const b = offsetAt(naiveDay + 38 * 3600e3, zone);
  if (a === b) return (h, m) => [naiveDay + (h * 60 + m) * 60000 - a];
  return (h, m) => localToInstants({ year, month, day, hour: h, minute: m }, zone);
}

/** A local calendar date; `weekday` 0 = Sunday. */
export interface LocalDay {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

/**
 * The local calendar days of `zone` from the day before `from`'s to the day after `to`'s: one
 * spare day on each side, for zones ahead of UTC and for repetitions that run past midnight.
 */
export function* localDays(from: Date, to: Date, zone: string): Generator<LocalDay> {
  const start = wallClock(from.getTime(), zone);
  const end = wallClock(to.getTime(), zone);
  const endDay = Date.UTC(end.year, end.month - 1, end.day) + 86400e3;
  for (let day = Date.UTC(start.year, start.month - 1, start.day) - 86400e3; day <= endDay; day += 86400e3) {
    const dt = new Date(day);
    yield {
      year: dt.getUTCFullYear(),
      month: dt.getUTCMonth() + 1,
      day: dt.getUTCDate(),
      weekday: dt.getUTCDay(),
    };
  }
}

/** The instants in (from, to], sorted, as Dates. */
export function within(instants: Iterable<number>, from: Date, to: Date): Date[] {
  return [...instants]
    .filter((t) => t > from.getTime() && t <= to.getTime())
    .sort((a, b) => a - b)
    .map((t) => new Date(t));
}
