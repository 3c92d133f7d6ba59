/**
 * Expressions for the Debian-cron oracle comparison: hand-picked tricky cases (the Debian cron rules in
 * ARCHITECTURE.md, "Native formats") and a
 * seeded random generator.
 */

/** Cases where dom/dow rules, names, steps, month lengths and DST meet. */
export const TRICKY: readonly string[] = [
  // day-of-month / day-of-week: star text means AND, otherwise OR
  '0 0 */2 * 1',
  '0 0 */2 * *',
  '0 0 1-31/2 * 1',
  '0 0 1-31 * 1',
  '0 0 * * 1',
  '0 0 1,15 * 5',
  '0 0 1,15 * *',
  '0 0 13 * 5',
  '0 0 *,13 * 5',
  '0 0 13 * *,5',
  '0 0 */1 * 1-5',
  '0 12 1 * */2',
  '0 12 1-7 * 1',
  '0 12 8-14 * 0',
  '0 0 1 * 1-5',
  '0 0 */10 * 6',
  '0 0 2-31/3 * *',
  '0 0 */31 * *',
  // Sunday as 0 and 7, names, ranges over 7
  '0 0 * * 0',
  '0 0 * * 7',
  '0 0 * * 0,7',
  '0 0 * * 5-7',
  '0 0 * * 6-7',
  '0 0 * * 0-7/2',
  '0 0 * * 1-7/3',
  '0 0 * * sun',
  '0 0 * * SUN',
  '0 0 * * Sat',
  '0 0 * * mon-fri',
  '0 0 * * MON-Fri/2',
  '15 10 * * Mon,wed,FRI',
  '0 9 * jan,mar,may mon-fri',
  '0 12 * JUL *',
  '0 12 1 jan-dec/3 *',
  '0 12 * feb-apr sun',
  '0 6 * Dec-Dec *',
  // steps on ranges and on *
  '1-30/7 * * * *',
  '0 8-18/3 * * *',
  '*/7 * * * *',
  '*/45 * * * *',
  '5-59/20 * * * *',
  '0 */5 * * *',
  '0 0 */10 * *',
  '*/59 */23 * * *',
  '0-59/60 0 * * *',
  '*/90 3 * * *',
  '10-10/5 1 * * *',
  '0 0-23/25 * * *',
  '23 0-23/2 * * *',
  '0 0,12 1 */2 *',
  '0,15,30,45 * * * *',
  '0 1,2,3,4,5 * * *',
  // month lengths, Feb 29/30/31
  '0 0 29 * *',
  '0 0 30 * *',
  '0 0 31 * *',
  '0 0 29 2 *',
  '0 0 30 2 *',
  '0 0 31 4 *',
  '0 0 29-31 2 *',
  '0 0 31 * 1',
  '0 0 30 2 1',
  '0 0 31 2,4,6,9,11 *',
  '59 23 31 12 *',
  '0 0 28-31 * *',
  '0 0 29 2 1',
  '0 0 */28 2 1',
  // DST: fixed-time and wildcard jobs around the spring gap and the autumn overlap
  '30 2 * * *',
  '0 2 * * *',
  '59 2 * * *',
  '0 3 * * *',
  '30 1 * * *',
  '0 1 * * *',
  '59 1 * * *',
  '0,30 2,3 * * *',
  '*/15 2 * * *',
  '30 * * * *',
  '30 */1 * * *',
  '* 2 * * *',
  '*/5 1-3 * * *',
  '0 1-3 * * 0',
  '0 2 * 3 0',
  '0 2 * 11 0',
  '30 2 8-14 3 0',
  '30 2 * 3 *',
  '30 2 25-31 3 *',
  '30 2 25-31 10 *',
  '45 1 * 10,11 *',
  '0-59/10 2 * * *',
  '0 2-3 * * *',
  '0 0-4 * * *',
  '15 2,3,4 * * *',
  '0 */2 * * *',
  '5 * * * 0',
  '30 2 * * 0',
  '1 2 * * *',
  '58 1 * * *',
  '0 4 * * *',
  // plain
  '* * * * *',
  '0 0 1 1 *',
  '0 12 * * 1-5',
  '0 0 1 * *',
  '30 4 1,15 * 5',
  '0 22 * * 1-5',
  '5 0 * 8 *',
  '15 14 1 * *',
  '0 0,12 1 */2 *',
  '0 4 8-14 * *',
  // @-macros
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
];

/** Expressions Debian's cron rejects; sched must reject them too. */
export const REJECTED_BY_BOTH: readonly string[] = [
  '5/15 * * * *',
  '60 * * * *',
  '* 24 * * *',
  '* * 0 * *',
  '* * 32 * *',
  '* * * 0 *',
  '* * * 13 *',
  '* * * * 8',
  '0 0 L * *',
  '0 0 15W * *',
  '0 0 ? * *',
  '0 0 * * 5L',
  '*/0 * * * *',
  '0-10/0 * * * *',
  'a * * * *',
  '0 0 * * funday',
  '0 0 * january *',
  '0 0 mon * *',
  '5-64/30 * * * *',
  '-5 * * * *',
  '* * * *',
  '@Daily',
  '@every',
  '@',
  '0 0 * * 1/2',
  '*/ * * * *',
  ', * * * *',
  '1,,2 * * * *',
  '1, * * * *',
];

/**
 * Expressions Debian's cron accepts but sched deliberately rejects, and why: Debian silently
 * misreads them (it ignores whatever follows a valid prefix of a field; a reversed range sets
 * nothing, so the job never runs; a sixth field is the command).
 */
export const DELIBERATELY_REJECTED: readonly { expr: string; why: string }[] = [
  { expr: '1#2 * * * *', why: "'#' and what follows is ignored by Debian" },
  { expr: '0 0 * * 1#2', why: "nth-weekday '#' is ignored by Debian (runs every Monday)" },
  { expr: '*x * * * *', why: 'trailing garbage after * is ignored by Debian' },
  { expr: '5-1 * * * *', why: 'reversed range: Debian accepts and never runs it' },
  { expr: '0 0 * * 5-1', why: 'reversed range: Debian accepts and never runs it' },
  { expr: '0 0 * * sat-sun', why: 'reversed range (sun = 0)' },
  { expr: '0 0 1.5 * *', why: "'.5' is ignored by Debian" },
  { expr: '0 0 * * 1 5', why: 'a sixth field is seconds to some tools and the start of the command to cron' },
  { expr: '0 0 * * 1-5;', why: 'trailing garbage' },
];

/** mulberry32: a small seeded PRNG so the random corpus is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A random valid expression (both Debian and sched accept it). `sparse` keeps it to a few runs a day. */
export function randomExpression(next: () => number, sparse: boolean): string {
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const value = (lo: number, hi: number, names?: readonly string[], nameBase = 0): string => {
    const v = int(lo, hi);
    if (names && next() < 0.3 && v - nameBase < names.length && v - nameBase >= 0) {
      const n = names[v - nameBase]!;
      return next() < 0.5 ? n : n.toUpperCase();
    }
    return String(v);
  };
  const element = (lo: number, hi: number, names?: readonly string[], nameBase = 0): string => {
    const r = next();
    if (r < 0.45) return value(lo, hi, names, nameBase);
    const a = int(lo, hi);
    const b = int(a, hi);
    const rangeText = (): string => {
      const an =
        names && next() < 0.3 && a - nameBase >= 0 && a - nameBase < names.length
          ? names[a - nameBase]!
          : String(a);
      const bn =
        names && next() < 0.3 && b - nameBase >= 0 && b - nameBase < names.length
          ? names[b - nameBase]!
          : String(b);
      return `${an}-${bn}`;
    };
    if (r < 0.75) return rangeText();
    return `${rangeText()}/${int(1, Math.max(1, Math.ceil((hi - lo) / 2)))}`;
  };
  const field = (
    lo: number,
    hi: number,
    starWeight: number,
    names?: readonly string[],
    nameBase = 0,
  ): string => {
    const r = next();
    if (r < starWeight) return '*';
    if (r < starWeight + 0.15) return `*/${int(1, Math.max(2, Math.ceil((hi - lo + 1) / 2)))}`;
    const n = next() < 0.6 ? 1 : int(2, 4);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(element(lo, hi, names, nameBase));
    return items.join(',');
  };
  const minute = sparse ? String(int(0, 59)) : field(0, 59, 0.2);
  const hour = sparse
    ? pick([String(int(0, 23)), `${int(0, 3)}`, `${int(0, 11)},${int(12, 23)}`, `${int(1, 3)}-${int(3, 5)}`])
    : field(0, 23, 0.3);
  const dom = field(1, 31, 0.5);
  const month = field(1, 12, 0.6, MONTHS, 1);
  const dow = field(0, 7, 0.5, DAYS, 0);
  return `${minute} ${hour} ${dom} ${month} ${dow}`;
}

/** Random junk-ish expressions: each is either rejected by both or in neither list. */
export function randomMutation(next: () => number, base: string): string {
  const junk = ['L', '?', 'W', '#', '/', '-', ',', 'x', '99', '0', '7', '8', '32', '13', '24', '60'];
  const pos = Math.floor(next() * (base.length + 1));
  return base.slice(0, pos) + junk[Math.floor(next() * junk.length)]! + base.slice(pos);
}
