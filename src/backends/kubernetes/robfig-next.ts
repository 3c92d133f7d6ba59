/**
 * A pure evaluator of robfig/cron v3.0.1's `SpecSchedule.Next`, which the Kubernetes CronJob
 * controller uses to decide when a CronJob fires (robfig/cron v3.0.1 is pinned in Kubernetes'
 * go.mod). Written from its documented algorithm, so that sched can name the instants where the
 * cluster and Debian cron disagree instead of guessing.
 *
 * The algorithm (robfig's spec.go): start at the next whole second; then, field by field (month,
 * day, hour, minute, second), while the field does not match, advance it — the first advance
 * resets the smaller fields to zero in local time, later ones step by a calendar month, a calendar
 * day, one hour, one minute or one second; a wrap-around of a field goes back to the month check.
 * Give up after five years. Two details make it differ from Debian cron at clock changes:
 * - the hour step is one real hour, so across a change the wall clock's minutes can move
 *   (a 30-minute change, as in Australia/Lord_Howe, turns 01:00 into 02:30) and the minute step
 *   then runs on to the next hour: the run of that day is lost;
 * - the day step corrects a midnight that is not 00:00 by whole hours only.
 *
 * Go's `time.Date` for a local time that does not exist or exists twice picks the offset in
 * effect at (wall time read as UTC − the offset in effect at the wall time read as UTC) — this
 * is reproduced exactly ({@link ZoneTable.fromWall}), since it decides which pass of a repeated
 * hour robfig lands on.
 *
 * Instants are whole epoch seconds. Pure: no I/O beyond the tz database Node ships.
 */
import { nextTransition, offsetAt } from '../../schedule/zoned.js';

/** A parsed robfig schedule: the sets of allowed values and the "star bit" of the day fields. */
export interface RobfigSpec {
  second: ReadonlySet<number>;
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dom: ReadonlySet<number>;
  month: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  dow: ReadonlySet<number>;
  /** The day-of-month field was `*` or `?` (robfig's star bit): both day fields must match. */
  domStar: boolean;
  dowStar: boolean;
}

/** robfig gives up when nothing matches within five years of the start. */
const YEAR_LIMIT = 5;
const DAY = 86_400;

/**
 * The UTC offsets of one zone over a span, as a sorted list of transitions, so the evaluator does
 * not call Intl for every second it steps (it steps one second at a time in places).
 */
export class ZoneTable {
  private readonly starts: number[] = [];
  private readonly offsets: number[] = [];

  constructor(
    readonly zone: string,
    private readonly from: number,
    private readonly to: number,
  ) {
    let t = from;
    this.starts.push(-Infinity);
    this.offsets.push(offsetAt(zone, from));
    for (;;) {
      const next = nextTransition(zone, t, to);
      if (next === undefined) break;
      this.starts.push(next);
      this.offsets.push(offsetAt(zone, next));
      t = next;
    }
  }

  /** UTC offset (seconds) in effect at the instant `t`. */
  offset(t: number): number {
    if (t < this.from || t > this.to) return offsetAt(this.zone, t);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.offsets[lo]!;
  }

  /** The instant of a wall time (as seconds of the wall clock read as UTC), as Go's time.Date picks it. */
  fromWall(wall: number): number {
    return wall - this.offset(wall - this.offset(wall));
  }

  /** Wall-clock fields of the instant `t`. */
  fields(t: number): WallFields {
    const d = new Date((t + this.offset(t)) * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
}

interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** Go's time.Date(year, month, day, hour, min, sec, 0, loc): out-of-range fields roll over. */
function goDate(zone: ZoneTable, y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return zone.fromWall(Date.UTC(y, mo - 1, d, h, mi, s) / 1000);
}

function dayMatches(spec: RobfigSpec, f: WallFields): boolean {
  const dom = spec.dom.has(f.day);
  const dow = spec.dow.has(f.weekday);
  return spec.domStar || spec.dowStar ? dom && dow : dom || dow;
}

/**
 * robfig/cron v3.0.1 `SpecSchedule.Next(t)` for a schedule in `zone`: the first fire time after the
 * instant `after` (epoch seconds), or undefined when there is none within five years (robfig's
 * zero time). `zone` must cover the span searched (see {@link ZoneTable}); outside it, offsets are
 * looked up directly.
 */
export function robfigNext(spec: RobfigSpec, zone: ZoneTable, after: number): number | undefined {
  // The upcoming whole second.
  let t = Math.floor(after) + 1;
  let added = false;
  const yearLimit = zone.fields(t).year + YEAR_LIMIT;

  wrap: for (;;) {
    let f = zone.fields(t);
    if (f.year > yearLimit) return undefined;

    while (!spec.month.has(f.month)) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, 1, 0, 0, 0);
        f = zone.fields(t);
      }
      // AddDate(0, 1, 0): same wall clock, one calendar month on.
      t = goDate(zone, f.year, f.month + 1, f.day, f.hour, f.minute, f.second);
      f = zone.fields(t);
      if (f.month === 1) continue wrap;
    }

    while (!dayMatches(spec, f)) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, f.day, 0, 0, 0);
        f = zone.fields(t);
      }
      t = goDate(zone, f.year, f.month, f.day + 1, f.hour, f.minute, f.second);
      f = zone.fields(t);
      // A midnight that a change moved: robfig corrects by whole hours only.
      if (f.hour !== 0) {
        t += f.hour > 12 ? (24 - f.hour) * 3600 : -f.hour * 3600;
        f = zone.fields(t);
      }
      if (f.day === 1) continue wrap;
    }

    while (!spec.hour.has(f.hour)) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, f.day, f.hour, 0, 0);
        f = zone.fields(t);
      }
      t += 3600;
      f = zone.fields(t);
      if (f.hour === 0) continue wrap;
    }

    while (!spec.minute.has(f.minute)) {
      if (!added) {
        added = true;
        t -= t % 60; // Truncate(time.Minute): on the absolute time line
        f = zone.fields(t);
      }
      t += 60;
      f = zone.fields(t);
      if (f.minute === 0) continue wrap;
    }

    if (!spec.second.has(f.second)) {
      added = true; // already a whole second
      // robfig steps one second at a time; offsets are whole minutes, so the steps reach the
      // next allowed second of this minute, or second 0 of the next minute (a wrap) — jump there.
      let s = f.second + 1;
      while (s < 60 && !spec.second.has(s)) s++;
      t += s - f.second;
      if (s === 60) continue wrap;
    }

    return t;
  }
}

/** Seconds in `years` years, generously (for sizing a {@link ZoneTable}). */
export function yearsInSeconds(years: number): number {
  return Math.ceil(years * 366 * DAY);
}
