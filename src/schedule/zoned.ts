/**
 * IANA time-zone arithmetic on top of `Intl.DateTimeFormat` (no extra dependency). Offsets are
 * looked up through one cached formatter per zone and memoised per instant; transitions are found
 * by sampling and bisection, so callers can walk a year without an Intl call per minute.
 */

/** Wall-clock fields of an instant in a zone. `month` 1-12, `dow` 0-6 (0 = Sunday). */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  dow: number;
  /** UTC offset in seconds (local = UTC + offset). */
  offsetSeconds: number;
}

/** Local wall-clock input for {@link zonedToInstant} (`second` defaults to 0). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Names the runtime calls `UTC` (its own list of zones leaves them out). */
const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  'GMT',
  'Etc/Universal',
  'Universal',
  'Etc/Zulu',
  'Zulu',
  'Etc/GMT0',
  'GMT0',
  'Etc/Greenwich',
  'Greenwich',
  'Etc/UCT',
  'UCT',
]);
let listedZones: Set<string> | undefined;

/**
 * The runtime's name for `zone` (`Etc/UTC` → `UTC`), or undefined when it is not a zone. A zone
 * of the runtime's own list is named as listed (test/platform/host-zone.test.ts checks every one
 * against a DateTimeFormat): reading the list costs ~2 ms where the first DateTimeFormat with a
 * zone costs ~20, on every plan. Other names (aliases) ask a DateTimeFormat.
 */
export function runtimeZoneName(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return undefined;
  if (UTC_NAMES.has(zone)) return 'UTC';
  listedZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (listedZones.has(zone)) return zone;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Whether `zone` is an IANA zone name this runtime knows (`Europe/Berlin`, `UTC`). Offsets such as
 * `+01:00` and abbreviations such as `CET`-style aliases that are not names are refused.
 */
export function isValidTimeZone(zone: string): boolean {
  return typeof zone === 'string' && runtimeZoneName(zone) !== undefined;
}

const offsetCache = new Map<string, Map<number, number>>();

/** UTC offset in seconds of `zone` at the instant `epochSeconds` (whole seconds). */
export function offsetAt(zone: string, epochSeconds: number): number {
  // UTC has no offset ever: no formatter (the first costs ~20 ms), on the many hosts that run in UTC.
  if (UTC_NAMES.has(zone)) return 0;
  let cache = offsetCache.get(zone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(zone, cache);
  }
  const hit = cache.get(epochSeconds);
  if (hit !== undefined) return hit;
  const parts = formatter(zone).formatToParts(new Date(epochSeconds * 1000));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value === 'BC' || p.value === 'B';
        break;
      default:
        break;
    }
  }
  if (bc) year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const off = Math.round(d.getTime() / 1000) - epochSeconds;
  if (cache.size > 200_000) cache.clear();
  cache.set(epochSeconds, off);
  return off;
}

const DAY = 86_400;

/**
 * The first instant `t` in (`after`, `limit`] at which the zone's offset differs from its offset
 * at `after`, or undefined. Samples every 3.5 days (aligned, so samples are cached across calls)
 * and bisects to the second. Two transitions less than 3.5 days apart that cancel each other out
 * would be missed; no zone's current rules have them.
 */
export function nextTransition(zone: string, after: number, limit: number): number | undefined {
  const base = offsetAt(zone, after);
  const step = DAY * 3.5;
  let lo = after;
  let t = Math.floor(after / step) * step + step;
  for (;;) {
    const probe = Math.min(t, limit);
    if (offsetAt(zone, probe) !== base) {
      let hi = probe;
      // invariant: offset(lo) === base, offset(hi) !== base
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(zone, mid) === base) lo = mid;
        else hi = mid;
      }
      return hi;
    }
    if (probe >= limit) return undefined;
    lo = probe;
    t += step;
  }
}

/** One change of a zone's UTC offset: at `at` (epoch seconds) it goes from `before` to `after`. */
export interface ClockChange {
  at: number;
  before: number;
  after: number;
}

/** Every clock change of `zone` in (`from`, `to`], in order (epoch seconds). */
export function* clockChanges(zone: string, from: number, to: number): Generator<ClockChange> {
  let cur = from;
  for (;;) {
    const at = nextTransition(zone, cur, to);
    if (at === undefined) return;
    cur = at;
    const before = offsetAt(zone, at - 1);
    const after = offsetAt(zone, at);
    if (before !== after) yield { at, before, after };
  }
}

/** Wall-clock fields of `date` in `zone`. */
export function localFields(date: Date, zone: string): LocalFields {
  const secs = Math.floor(date.getTime() / 1000);
  const off = offsetAt(zone, secs);
  const l = new Date((secs + off) * 1000);
  return {
    year: l.getUTCFullYear(),
    month: l.getUTCMonth() + 1,
    day: l.getUTCDate(),
    hour: l.getUTCHours(),
    minute: l.getUTCMinutes(),
    second: l.getUTCSeconds(),
    dow: l.getUTCDay(),
    offsetSeconds: off,
  };
}

function wallToLocalSeconds(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second ?? 0, 0);
  return Math.round(d.getTime() / 1000);
}

/**
 * The instant at which the wall clock of `zone` shows `w`.
 * - Repeated local time (autumn overlap): the earlier instant, or the later with `prefer: 'later'`.
 * - Skipped local time (spring gap): the first instant after the gap, i.e. the transition itself
 *   (02:30 on a Berlin spring-forward day → 03:00 CEST).
 */
export function zonedToInstant(w: WallTime, zone: string, prefer: 'earlier' | 'later' = 'earlier'): Date {
  const local = wallToLocalSeconds(w);
  const offsets = new Set([offsetAt(zone, local - DAY), offsetAt(zone, local), offsetAt(zone, local + DAY)]);
  const candidates: number[] = [];
  for (const off of offsets) {
    const t = local - off;
    if (offsetAt(zone, t) === off) candidates.push(t);
  }
  if (candidates.length > 0) {
    candidates.sort((a, b) => a - b);
    return new Date((prefer === 'later' ? candidates[candidates.length - 1]! : candidates[0]!) * 1000);
  }
  // In a gap: the transition lies between local - maxOffset and local - minOffset.
  const offs = [...offsets];
  const from = local - Math.max(...offs) - 1;
  const t = nextTransition(zone, from, local - Math.min(...offs) + 1);
  return new Date((t ?? local - offsetAt(zone, local)) * 1000);
}

function pad(n: number, w = 2): string {
  return String(Math.abs(n)).padStart(w, '0');
}

/** Formats an offset in seconds as `+01:00` (`+05:53:28` when it has seconds). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const s = a % 60;
  return `${sign}${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
}

/** ISO-8601 local time with offset, e.g. `2025-03-03T09:00:00+01:00` (UTC: `+00:00`). */
export function formatInZone(date: Date, zone: string): string {
  const f = localFields(date, zone);
  const year = f.year >= 0 && f.year <= 9999 ? pad(f.year, 4) : `${f.year < 0 ? '-' : '+'}${pad(f.year, 6)}`;
  return `${year}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${formatOffset(f.offsetSeconds)}`;
}
