/**
 * Kubernetes reads `spec.schedule` with robfig/cron v3 (`cron.ParseStandard`), not with Debian's
 * cron. The two agree on almost everything; this module finds the expressions where they do not,
 * so that the backend can refuse them instead of silently running a job on other days.
 *
 * Verified against robfig/cron v3 `parser.go` / `spec.go`:
 * - day of week is 0–6 only (`7` is "above maximum"); names `sun`…`sat`, `jan`…`dec` as in Debian;
 * - the day-of-month/day-of-week OR rule applies when neither field carries robfig's "star bit";
 *   the star bit is set by a `*` (or `?`) range element whose step is 1 — so `*` and `*\/1` are
 *   unrestricted but `*\/2` is restricted. Debian instead looks at the first character of the field:
 *   any field starting with `*` (`*\/2` included) is unrestricted, and `1,*` is restricted;
 * - `@yearly @annually @monthly @weekly @daily @midnight @hourly` mean what they mean in Debian.
 *
 * Pure: no I/O.
 */
// Names and macros mean the same in robfig and Debian (see above): one definition.
import { CRON_DOW_NAMES, CRON_MONTH_NAMES, MACRO_EXPANSIONS } from '../../schedule/cron.js';

/** One parsed field: the set of values and the two "unrestricted" readings. */
interface Field {
  values: Set<number>;
  /** Debian: the field text starts with `*`. */
  debianStar: boolean;
  /** robfig: some element is `*` with step 1. */
  robfigStar: boolean;
  /** Some element names 7 (allowed in Debian's day of week, refused by robfig). */
  usesSeven: boolean;
}

/** A Debian cron expression read into sets, with both readings of the day fields. */
export interface ParsedCron {
  minute: Set<number>;
  hour: Set<number>;
  dom: Field;
  month: Set<number>;
  dow: Field;
}

class CronTextError extends Error {}

function parseNumber(
  text: string,
  min: number,
  max: number,
  names?: readonly string[],
  nameBase = 0,
): number {
  const lower = text.toLowerCase();
  if (names) {
    const i = names.indexOf(lower);
    if (i >= 0) return i + nameBase;
  }
  if (!/^[0-9]+$/.test(text)) throw new CronTextError(`'${text}' is not a number`);
  const n = Number(text);
  if (n < min || n > max) throw new CronTextError(`${n} is out of range ${min}-${max}`);
  return n;
}

function parseField(text: string, min: number, max: number, names?: readonly string[], nameBase = 0): Field {
  const values = new Set<number>();
  let robfigStar = false;
  let usesSeven = false;
  for (const element of text.split(',')) {
    if (element === '') throw new CronTextError(`empty list element in '${text}'`);
    const [range, stepText, extra] = element.split('/');
    if (extra !== undefined || range === undefined) throw new CronTextError(`too many '/' in '${element}'`);
    const step = stepText === undefined ? 1 : parseNumber(stepText, 1, 1000);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
      if (step === 1) robfigStar = true;
    } else {
      const [a, b, more] = range.split('-');
      if (more !== undefined || a === undefined) throw new CronTextError(`too many '-' in '${element}'`);
      lo = parseNumber(a, min, max, names, nameBase);
      if (b === undefined) {
        // Debian refuses `N/step`; robfig reads it as `N-max/step`. Never pass it through.
        if (stepText !== undefined) throw new CronTextError(`'${element}': a step needs a range or '*'`);
        hi = lo;
      } else {
        hi = parseNumber(b, min, max, names, nameBase);
      }
      if (lo > hi) throw new CronTextError(`'${range}': range runs backwards`);
      if (hi === 7 || lo === 7) usesSeven = true;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, debianStar: text.startsWith('*'), robfigStar, usesSeven };
}

/** Reads a 5-field expression or @-macro; throws an Error with a reason on bad syntax. */
export function parseCronForKubernetes(expr: string): ParsedCron {
  const text = MACRO_EXPANSIONS[expr.trim()] ?? expr.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new CronTextError(`expected 5 fields, found ${fields.length}`);
  const [mi, h, dm, mo, dw] = fields as [string, string, string, string, string];
  const dow = parseField(dw, 0, 7, CRON_DOW_NAMES);
  // Debian folds 7 into 0 (both Sunday).
  if (dow.values.delete(7)) dow.values.add(0);
  return {
    minute: parseField(mi, 0, 59).values,
    hour: parseField(h, 0, 23).values,
    dom: parseField(dm, 1, 31),
    month: parseField(mo, 1, 12, CRON_MONTH_NAMES, 1).values,
    dow,
  };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dayMatches(p: ParsedCron, dom: number, dow: number, reading: 'debian' | 'robfig'): boolean {
  const d = p.dom.values.has(dom);
  const w = p.dow.values.has(dow);
  const and =
    reading === 'debian' ? p.dom.debianStar || p.dow.debianStar : p.dom.robfigStar || p.dow.robfigStar;
  return and ? d && w : d || w;
}

/**
 * Why Kubernetes would run `expr` at other instants than Debian cron, or undefined when both
 * agree. Every (month, day, weekday) combination occurs in some year, so comparing the day
 * predicate over all of them is exact.
 */
export function kubernetesScheduleProblem(expr: string): string | undefined {
  let p: ParsedCron;
  try {
    p = parseCronForKubernetes(expr);
  } catch (e) {
    return `'${expr}' is not a cron expression Kubernetes and Debian cron read alike (${(e as Error).message})`;
  }
  if (p.dow.usesSeven) {
    return `'${expr}' uses 7 for Sunday in the day-of-week field; Kubernetes' cron parser accepts 0-6 only (write 0 or sun)`;
  }
  for (const month of p.month) {
    for (let dom = 1; dom <= DAYS_IN_MONTH[month - 1]!; dom++) {
      for (let dow = 0; dow < 7; dow++) {
        if (dayMatches(p, dom, dow, 'debian') !== dayMatches(p, dom, dow, 'robfig')) {
          const fields = expr.trim().split(/\s+/);
          return (
            `in '${expr}' Debian cron and Kubernetes pick different days: a day field starting with '*' ` +
            `(here '${fields[2]}' / '${fields[4]}') counts as unrestricted in Debian cron, so both day fields must match, ` +
            `while Kubernetes (robfig/cron) counts only a plain '*' as unrestricted and fires when either matches`
          );
        }
      }
    }
  }
  return undefined;
}

/**
 * Shortest and longest gap (seconds) between consecutive fire times, measured on a wall clock
 * without DST over 2024–2027 (a leap year included). Used to pick `startingDeadlineSeconds`.
 * Returns undefined for an expression that never fires.
 */
export function fireGaps(expr: string): { min: number; max: number } | undefined {
  const p = parseCronForKubernetes(expr);
  const minutesOfDay: number[] = [];
  for (const h of [...p.hour].sort((a, b) => a - b)) {
    for (const m of [...p.minute].sort((a, b) => a - b)) minutesOfDay.push(h * 60 + m);
  }
  const start = Date.UTC(2024, 0, 1);
  const days = 4 * 365 + 1;
  let prev: number | undefined;
  let first: number | undefined;
  let min = Infinity;
  let max = 0;
  for (let day = 0; day < days; day++) {
    const date = new Date(start + day * 86_400_000);
    if (!p.month.has(date.getUTCMonth() + 1)) continue;
    if (!dayMatches(p, date.getUTCDate(), date.getUTCDay(), 'debian')) continue;
    for (const m of minutesOfDay) {
      const t = day * 1440 + m;
      if (prev !== undefined) {
        min = Math.min(min, t - prev);
        max = Math.max(max, t - prev);
      }
      first ??= t;
      prev = t;
    }
  }
  if (first === undefined || prev === undefined) return undefined;
  // Wrap around the 4-year window so a once-in-four-years schedule has a gap too.
  const wrap = days * 1440 - prev + first;
  min = Math.min(min, wrap);
  max = Math.max(max, wrap);
  return { min: min * 60, max: max * 60 };
}
