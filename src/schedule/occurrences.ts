/**
 * Fire times of a schedule in an IANA zone, with Debian cron 3.0pl1's DST behaviour.
 *
 * ## The DST rule (what Debian's cron.c main loop does, reproduced exactly)
 *
 * cron keeps two clocks in "local minutes" (UTC minutes + the current UTC offset): `timeRunning`
 * (the local minute it woke at) and `virtualTime` (the last local minute whose jobs it ran). It
 * wakes at every real minute. When `timeRunning - virtualTime` is:
 * - `1` (normal): every job matching the local minute runs.
 * - `2..5` (woke late): every job of every missed local minute runs, now.
 * - `6..180` (clock jumped forward, e.g. the spring DST gap): *wildcard* jobs run for the current
 *   local minute only; *fixed-time* jobs of every skipped local minute run now, at the first
 *   instant after the gap. So `30 2 * * *` in Europe/Berlin on the last Sunday of March runs at
 *   03:00 CEST, while `*\/15 * * * *` simply loses 02:00–02:45.
 * - `-179..0` (clock went back, e.g. the autumn DST overlap): only *wildcard* jobs run, for each
 *   local minute, until the local clock passes `virtualTime` again. So `30 2 * * *` runs once
 *   (in the first 02:30, summer time), while `*\/15 * * * *` runs in both passes of 02:00–02:59.
 * - beyond ±180 minutes (a real clock jump): the current minute's jobs run, nothing is caught up.
 *
 * A *wildcard* job is one whose minute or hour field starts with `*` (Debian's MIN_STAR/HR_STAR;
 * `@hourly` counts as one); every other job, `@daily` included, is *fixed-time*. Several
 * catch-up runs at the same wake are one instant here (cron would start them one after another,
 * 10 seconds apart). Instants are reported at the start of the local minute cron acted on.
 *
 * One-shots (`at`) fire once at their local time in the zone; a local time skipped by a spring
 * gap fires at the first instant after the gap, a repeated one at its first (earlier) occurrence.
 * Events (boot, wake) have no fire times.
 */
import type { Schedule } from '../model/job.js';
import {
  type CronSpec,
  canEverFire,
  cronMatchesDay,
  isWildcardJob,
  parseAtLocal,
  parseCron,
} from './cron.js';
import { clockChanges, nextTransition, offsetAt, zonedToInstant } from './zoned.js';

const MIN_PER_DAY = 1440;
const DAY = 86_400;
/** Simulate this long before `from` so a DST overlap in progress at `from` is handled as cron would. */
const WARMUP_SECONDS = 4 * 3600;
/** Give up when nothing fires for this long (a spec that passes canEverFire fires within decades). */
const MAX_SCAN_SECONDS = 400 * 366 * DAY;

/** Civil date of a day number (days since 1970-01-01), Howard Hinnant's algorithm. */
function civil(days: number): { y: number; m: number; d: number; dow: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const dow = (((days + 4) % 7) + 7) % 7;
  return { y, m, d, dow };
}

interface Tables {
  spec: CronSpec;
  wild: boolean;
  /** nextHour[h] = smallest hour >= h in the spec, or -1 */
  nextHour: Int8Array;
  nextMinute: Int8Array;
}

function tables(spec: CronSpec): Tables {
  const nextHour = new Int8Array(25).fill(-1);
  for (let h = 23; h >= 0; h--) nextHour[h] = spec.hour[h] ? h : nextHour[h + 1]!;
  const nextMinute = new Int8Array(61).fill(-1);
  for (let m = 59; m >= 0; m--) nextMinute[m] = spec.minute[m] ? m : nextMinute[m + 1]!;
  return { spec, wild: isWildcardJob(spec), nextHour, nextMinute };
}

/** Whether local minute number `lm` (minutes since 1970-01-01T00:00 local) matches. */
function matchesLocalMinute(t: Tables, lm: number): boolean {
  const day = Math.floor(lm / MIN_PER_DAY);
  const mod = lm - day * MIN_PER_DAY;
  const h = Math.floor(mod / 60);
  const mi = mod - h * 60;
  if (!t.spec.minute[mi] || !t.spec.hour[h]) return false;
  const c = civil(day);
  return cronMatchesDay(t.spec, c.m, c.d, c.dow);
}

/** Smallest matching local minute in (after, upTo], or undefined. Skips whole days and hours. */
function nextLocalMatch(t: Tables, after: number, upTo: number): number | undefined {
  let lm = after + 1;
  while (lm <= upTo) {
    const day = Math.floor(lm / MIN_PER_DAY);
    const c = civil(day);
    if (!cronMatchesDay(t.spec, c.m, c.d, c.dow)) {
      lm = (day + 1) * MIN_PER_DAY;
      continue;
    }
    const mod = lm - day * MIN_PER_DAY;
    let h = Math.floor(mod / 60);
    let mi = mod - h * 60;
    const nh = t.nextHour[h]!;
    if (nh < 0) {
      lm = (day + 1) * MIN_PER_DAY;
      continue;
    }
    if (nh > h) {
      h = nh;
      mi = 0;
    }
    let nm = t.nextMinute[mi]!;
    if (nm < 0) {
      const nh2 = h + 1 <= 23 ? t.nextHour[h + 1]! : -1;
      if (nh2 < 0) {
        lm = (day + 1) * MIN_PER_DAY;
        continue;
      }
      h = nh2;
      nm = t.nextMinute[0]!;
    }
    const found = day * MIN_PER_DAY + h * 60 + nm;
    return found <= upTo ? found : undefined;
  }
  return undefined;
}

/**
 * Yields the fire instants (epoch seconds) of a cron spec strictly after `after`, in order,
 * until `until` (inclusive) or forever. Simulates cron's main loop; see the module comment.
 */
function* cronFireSeconds(spec: CronSpec, zone: string, after: number, until = Infinity): Generator<number> {
  if (!canEverFire(spec)) return;
  const t = tables(spec);
  const start = Math.floor((after - WARMUP_SECONDS) / 60) * 60;
  let off = offsetAt(zone, start);
  let tr = Math.floor((start + off) / 60); // timeRunning
  let vt = tr; // virtualTime
  let lastEmitted = -Infinity;
  let lastProgress = start;
  const window = 366 * DAY;
  const boundary = (from: number): number => {
    const lim = from + window;
    return nextTransition(zone, from, lim) ?? lim;
  };
  let segEnd = boundary(start); // instant at which `off` may stop being valid

  const pending: number[] = [];
  const emit = (u: number): void => {
    if (u > after && u > lastEmitted && u <= until) {
      pending.push(u);
      lastEmitted = u;
    }
  };
  const wake = (m: number, u: number): void => {
    tr = m;
    const diff = tr - vt;
    if (diff === 1) {
      vt = tr;
      if (matchesLocalMinute(t, vt)) emit(u);
      return;
    }
    let kind = -1;
    if (diff > -180) kind = 0;
    if (diff > 0) kind = 1;
    if (diff > 5) kind = 2;
    if (diff > 180) kind = 3;
    switch (kind) {
      case 1:
        do {
          vt++;
          if (matchesLocalMinute(t, vt)) emit(u);
        } while (vt < tr);
        break;
      case 2:
        if (t.wild && matchesLocalMinute(t, tr)) emit(u);
        do {
          vt++;
          if (!t.wild && matchesLocalMinute(t, vt)) emit(u);
        } while (vt < tr);
        break;
      case 0:
        if (t.wild && matchesLocalMinute(t, tr)) emit(u);
        break;
      default:
        vt = tr;
        if (matchesLocalMinute(t, tr)) emit(u);
    }
  };

  for (;;) {
    if (vt === tr) {
      // Steady state: every wake in this segment is a normal one, so jump to the next match.
      const lastM = Math.ceil((segEnd + off) / 60) - 1;
      const m = nextLocalMatch(t, tr, lastM);
      if (m !== undefined) {
        const u = m * 60 - off;
        if (u > until) return;
        tr = vt = m;
        emit(u);
        while (pending.length > 0) yield (lastProgress = pending.shift()!);
        continue;
      }
      if (lastM > tr) tr = vt = lastM;
    }
    // One wake at a time: across an offset change, and while catching up after one.
    let m = tr + 1;
    let u = m * 60 - off;
    if (u >= segEnd) {
      off = offsetAt(zone, segEnd);
      m = Math.ceil((segEnd + off) / 60);
      if (m === tr) m++; // the local minute did not change: cron keeps sleeping
      u = m * 60 - off;
      segEnd = boundary(segEnd);
    }
    if (u > until) return;
    wake(m, u);
    while (pending.length > 0) yield (lastProgress = pending.shift()!);
    if (u - Math.max(lastProgress, after) > MAX_SCAN_SECONDS) return;
  }
}

function instantOfAt(local: string, zone: string): number {
  const norm = parseAtLocal(local);
  const [date, time] = norm.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  return Math.floor(
    zonedToInstant({ year: y, month: mo, day: d, hour: h, minute: mi }, zone).getTime() / 1000,
  );
}

/** Fire instants (epoch seconds) strictly after `after` and at most `until`. */
function* fireSeconds(schedule: Schedule, zone: string, after: number, until = Infinity): Generator<number> {
  if (!Number.isFinite(after) || Number.isNaN(until))
    throw new RangeError('fire times need a valid start and end date');
  switch (schedule.kind) {
    case 'event':
      return;
    case 'at': {
      const t = instantOfAt(schedule.local, zone);
      if (t > after && t <= until) yield t;
      return;
    }
    case 'cron':
      yield* cronFireSeconds(parseCron(schedule.expr), zone, after, until);
      return;
  }
}

/**
 * The next `count` fire times of `schedule` in `zone`, strictly after `from`, following Debian
 * cron's DST rule (see the module comment). Events have none; a one-shot has at most one.
 * Throws CronSyntaxError for an invalid expression.
 */
export function nextFireTimes(schedule: Schedule, zone: string, from: Date, count: number): Date[] {
  const out: Date[] = [];
  if (count <= 0) return out;
  const after = Math.floor(from.getTime() / 1000);
  for (const s of fireSeconds(schedule, zone, after)) {
    out.push(new Date(s * 1000));
    if (out.length >= count) break;
  }
  return out;
}

/** All fire times of `schedule` in `zone` in the interval (`from`, `to`]. */
export function fireTimesBetween(schedule: Schedule, zone: string, from: Date, to: Date): Date[] {
  const after = Math.floor(from.getTime() / 1000);
  const until = Math.floor(to.getTime() / 1000);
  const out: Date[] = [];
  if (until <= after) return out;
  for (const s of fireSeconds(schedule, zone, after, until)) out.push(new Date(s * 1000));
  return out;
}

/** Fire times of a cron expression (convenience for callers that hold a bare expression). */
export function nextCronTimes(expr: string, zone: string, from: Date, count: number): Date[] {
  return nextFireTimes({ kind: 'cron', expr, source: expr }, zone, from, count);
}

/** How one DST change affects one job (for `plan`/`status` to say so). */
export interface DstEffect {
  /** The instant the zone's offset changes. */
  transition: Date;
  /** `spring`: local time jumps forward (a gap); `autumn`: local time repeats (an overlap). */
  change: 'spring' | 'autumn';
  /**
   * `moved`: fixed-time runs in the gap happen right after it; `skipped`: wildcard runs in the gap
   * are lost; `once`: fixed-time runs in the repeated time happen once; `doubled`: wildcard runs
   * in the repeated time happen twice.
   */
  effect: 'moved' | 'skipped' | 'once' | 'doubled';
  /** How many local minutes of the job fall in the gap or the repeated time. */
  runs: number;
  /** The runs concerned, for sentences: `the 2027-03-28 02:30 run`, `4 runs from 2027-03-28 02:00`. */
  subject: string;
  /** A sentence for users (Debian cron's behaviour). */
  text: string;
}

function localMinuteText(lm: number): string {
  const day = Math.floor(lm / MIN_PER_DAY);
  const c = civil(day);
  const mod = lm - day * MIN_PER_DAY;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${c.y}-${p(c.m)}-${p(c.d)} ${p(Math.floor(mod / 60))}:${p(mod % 60)}`;
}

/**
 * The DST changes in (`from`, `to`] that move, skip, or double runs of a cron schedule in `zone`,
 * per Debian cron's rule (see the module comment). Jobs unaffected by a change get no entry;
 * non-cron schedules get none.
 */
export function dstEffects(schedule: Schedule, zone: string, from: Date, to: Date): DstEffect[] {
  if (schedule.kind !== 'cron') return [];
  const spec = parseCron(schedule.expr);
  if (!canEverFire(spec)) return [];
  const t = tables(spec);
  const out: DstEffect[] = [];
  const start = Math.floor(from.getTime() / 1000);
  const end = Math.floor(to.getTime() / 1000);
  for (const { at: tr, before, after } of clockChanges(zone, start, end)) {
    const a = Math.floor((tr + Math.min(before, after)) / 60);
    const b = Math.floor((tr + Math.max(before, after)) / 60);
    const matches: number[] = [];
    for (let lm = a; lm < b; lm++) if (matchesLocalMinute(t, lm)) matches.push(lm);
    if (matches.length === 0) continue;
    const spring = after > before;
    const effect: DstEffect['effect'] = spring ? (t.wild ? 'skipped' : 'moved') : t.wild ? 'doubled' : 'once';
    const first = localMinuteText(matches[0]!);
    const n = matches.length;
    const runs = n === 1 ? `the ${first} run` : `${n} runs from ${first}`;
    const text = {
      moved: `${runs} falls in the DST gap (${zone}); cron runs it right after the change`,
      skipped: `${runs} falls in the DST gap (${zone}) and is skipped`,
      once: `${runs} falls in the repeated DST hour (${zone}); it runs once, not twice`,
      doubled: `${runs} falls in the repeated DST hour (${zone}) and runs twice`,
    }[effect];
    out.push({
      transition: new Date(tr * 1000),
      change: spring ? 'spring' : 'autumn',
      effect,
      runs: n,
      subject: runs,
      text,
    });
  }
  return out;
}
