/**
 * 5-field cron parsing with the exact semantics of Debian's cron 3.0pl1 (`entry.c`: load_entry,
 * get_list, get_range, get_number) and its match predicate (`cron.c`: find_jobs).
 *
 * What Debian accepts, sched accepts with the same meaning — except junk that Debian silently
 * misreads (it skips everything after a valid prefix of a field, and a reversed range sets
 * nothing); sched rejects that with a message that says why. See {@link parseCron}.
 */
import { CRON_PRESETS, EVENT_PRESETS, type Schedule, type ScheduleEvent } from '../model/job.js';

/** A cron expression sched refuses; `column` is the 0-based offset of the offending text. */
export class CronSyntaxError extends Error {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

/**
 * A parsed cron expression, as Debian's `entry` struct holds it (but indexed by value, not by
 * `value - low`): `minute[0..59]`, `hour[0..23]`, `dom[1..31]` (index 0 unused), `month[1..12]`
 * (index 0 unused), `dow[0..7]` with 0 and 7 both Sunday and always equal.
 * The `*Star` flags are Debian's: set when the field's TEXT starts with `*` (so `*\/2` is "star").
 */
export interface CronSpec {
  minute: boolean[];
  hour: boolean[];
  dom: boolean[];
  month: boolean[];
  dow: boolean[];
  /** DOM_STAR: when this or dowStar is set, day-of-month AND day-of-week must match; else OR. */
  domStar: boolean;
  dowStar: boolean;
  /** MIN_STAR / HR_STAR: a job with either is a "wildcard" job for cron's DST handling. */
  minStar: boolean;
  hourStar: boolean;
}

/** Wall-clock fields as cron's find_jobs sees them (month 1-12, dow 0-6 with 0 = Sunday). */
export interface CronFields {
  minute: number;
  hour: number;
  dom: number;
  month: number;
  dow: number;
}

/** Month names cron accepts (index + 1 = month), shared with every reader of cron text. */
export const CRON_MONTH_NAMES: readonly string[] = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
];
/** Weekday names cron accepts (index = day of week, 0 = Sunday). */
export const CRON_DOW_NAMES: readonly string[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldDef {
  name: string;
  low: number;
  high: number;
  names?: readonly string[];
  /** index into `names` + this = value */
  nameBase: number;
}

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', low: 0, high: 59, nameBase: 0 },
  { name: 'hour', low: 0, high: 23, nameBase: 0 },
  { name: 'day-of-month', low: 1, high: 31, nameBase: 0 },
  { name: 'month', low: 1, high: 12, names: CRON_MONTH_NAMES, nameBase: 1 },
  { name: 'day-of-week', low: 0, high: 7, names: CRON_DOW_NAMES, nameBase: 0 },
];

/** The @-macros Debian's cron knows (case-sensitive, as in entry.c's strcmp). */
export const CRON_MACROS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
] as const;

/** Each macro's 5-field equivalent (for words and for backends that need fields). */
export const MACRO_EXPANSIONS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function bits(size: number, fill = false): boolean[] {
  return new Array<boolean>(size).fill(fill);
}

/**
 * The spec Debian builds for each macro, flags included (entry.c): @yearly/@monthly set DOW_STAR,
 * @weekly sets DOM_STAR, @daily sets no flag (all days either way), @hourly sets HR_STAR (so it is a
 * wildcard job for DST purposes while @daily etc. are fixed-time jobs).
 */
function macroSpec(name: string): CronSpec | undefined {
  const s: CronSpec = {
    minute: bits(60),
    hour: bits(24),
    dom: bits(32),
    month: bits(13),
    dow: bits(8),
    domStar: false,
    dowStar: false,
    minStar: false,
    hourStar: false,
  };
  const allDom = (): void => void s.dom.fill(true, 1);
  const allMonth = (): void => void s.month.fill(true, 1);
  const allDow = (): void => void s.dow.fill(true);
  s.minute[0] = true;
  switch (name) {
    case 'yearly':
    case 'annually':
      s.hour[0] = true;
      s.dom[1] = true;
      s.month[1] = true;
      allDow();
      s.dowStar = true;
      return s;
    case 'monthly':
      s.hour[0] = true;
      s.dom[1] = true;
      allMonth();
      allDow();
      s.dowStar = true;
      return s;
    case 'weekly':
      s.hour[0] = true;
      allDom();
      s.domStar = true;
      allMonth();
      s.dow[0] = true;
      s.dow[7] = true;
      return s;
    case 'daily':
    case 'midnight':
      s.hour[0] = true;
      allDom();
      allMonth();
      allDow();
      return s;
    case 'hourly':
      s.hour.fill(true);
      allDom();
      allMonth();
      allDow();
      s.hourStar = true;
      return s;
    default:
      return undefined;
  }
}

const QUARTZ_HINTS: Record<string, string> = {
  '#': "'#' (nth weekday of the month) is Quartz syntax, not cron",
  L: "'L' (last day) is Quartz syntax, not cron",
  W: "'W' (nearest weekday) is Quartz syntax, not cron",
  '?': "'?' is Quartz syntax, not cron; use '*'",
};

/** Parses one field (a list of ranges) at `offset` in the expression into `out`. */
function parseField(text: string, offset: number, def: FieldDef, out: boolean[]): void {
  const fail = (msg: string, at: number): never => {
    throw new CronSyntaxError(`${def.name} field '${text}': ${msg}`, offset + at);
  };
  let i = 0;
  // Reads what Debian's get_number reads (a run of letters and digits) and resolves it.
  const readNumber = (what: 'value' | 'step'): number => {
    const start = i;
    while (i < text.length && /[A-Za-z0-9]/.test(text[i]!)) i++;
    const tok = text.slice(start, i);
    if (tok.length === 0) {
      const ch = text[start];
      if (ch === undefined)
        return fail(`expected a ${what === 'step' ? 'step' : 'number'} at the end`, start);
      if (QUARTZ_HINTS[ch]) return fail(QUARTZ_HINTS[ch], start);
      if (ch === '-') return fail('negative numbers are not allowed', start);
      return fail(`unexpected '${ch}'`, start);
    }
    if (/^[0-9]+$/.test(tok)) {
      if (tok.length > 9) return fail(`number '${tok}' is too large`, start);
      return Number.parseInt(tok, 10);
    }
    if (what === 'value' && def.names) {
      const idx = def.names.indexOf(tok.toLowerCase());
      if (idx >= 0) return idx + def.nameBase;
    }
    if (/^[0-9]*[LW]$/i.test(tok) && (def.name === 'day-of-month' || def.name === 'day-of-week')) {
      return fail(QUARTZ_HINTS[tok.slice(-1).toUpperCase()]!, start);
    }
    if (def.names && what === 'value') {
      return fail(
        `'${tok}' is not a number or a ${def.name === 'month' ? 'month' : 'weekday'} name (${def.names.join(', ')})`,
        start,
      );
    }
    return fail(
      `'${tok}' is not a number${what === 'value' && !def.names ? ` (names are only allowed in the month and day-of-week fields)` : ''}`,
      start,
    );
  };
  const checkRange = (n: number, at: number): void => {
    if (n < def.low || n > def.high) fail(`${n} is out of range (${def.low}-${def.high})`, at);
  };

  if (text.length === 0) fail('empty field', 0);
  for (;;) {
    const itemStart = i;
    let lo: number;
    let hi: number;
    let step = 1;
    if (text[i] === '*') {
      lo = def.low;
      hi = def.high;
      i++;
    } else {
      const aAt = i;
      lo = readNumber('value');
      if (text[i] === '/') {
        fail(
          `a step needs a range: '${text.slice(itemStart, i)}/…' is rejected by Debian's cron; write '${lo}-${def.high}/…' or '*/…'`,
          i,
        );
      }
      if (text[i] === '-') {
        i++;
        const bAt = i;
        hi = readNumber('value');
        checkRange(lo, aAt);
        checkRange(hi, bAt);
        if (hi < lo) {
          fail(
            `reversed range '${text.slice(aAt, i)}' matches nothing (Debian's cron accepts it and never runs it); write it in increasing order or as a list`,
            aAt,
          );
        }
      } else {
        checkRange(lo, aAt);
        hi = lo;
      }
    }
    if (text[i] === '/') {
      i++;
      const sAt = i;
      step = readNumber('step');
      if (step <= 0) fail('a step must be at least 1', sAt);
    }
    for (let v = lo; v <= hi; v += step) out[v] = true;
    if (i >= text.length) break;
    const ch = text[i]!;
    if (ch === ',') {
      i++;
      if (i >= text.length) fail('a list cannot end with a comma', i - 1);
      if (text[i] === ',') fail('empty list element', i);
      continue;
    }
    // Debian skips any trailing garbage after a valid element; sched refuses it.
    const quartz = QUARTZ_HINTS[ch] ?? QUARTZ_HINTS[ch.toUpperCase()];
    fail(
      `${quartz ? `${quartz}: ` : ''}unexpected '${text.slice(i)}' after '${text.slice(0, i)}' (Debian's cron would silently ignore it)`,
      i,
    );
  }
}

/**
 * Parses a 5-field cron expression or an @-macro with Debian cron 3.0pl1's rules.
 *
 * Accepted: numbers, `*`, ranges `a-b`, steps on ranges and on `*` (`a-b/s`, `*\/s`), lists,
 * month names `jan`–`dec` and weekday names `sun`–`sat` (three letters, any case, also in
 * ranges), `0` and `7` for Sunday, and `@yearly @annually @monthly @weekly @daily @midnight
 * @hourly` (lower case, as Debian compares them).
 *
 * Rejected like Debian: out-of-range values, a step on a single number (`5/15`), step 0, names
 * in other fields, unknown names, `L`/`W`/`?`, a 6th field. Rejected although Debian accepts
 * (because Debian silently misreads them): trailing garbage in a field (`1#2`, `*x` — Debian
 * ignores the rest of the field), reversed ranges (`5-1` — Debian sets nothing, so the job never
 * runs), empty list elements.
 */
export function parseCron(expr: string): CronSpec {
  const known = typeof expr === 'string' ? parsedCron.get(expr) : undefined;
  if (known) return known;
  const spec = parseCronText(expr);
  // Frozen: every caller shares the one parse of an expression.
  for (const field of [spec.minute, spec.hour, spec.dom, spec.month, spec.dow]) Object.freeze(field);
  if (parsedCron.size >= PARSED_CRON_LIMIT) parsedCron.clear();
  parsedCron.set(expr, Object.freeze(spec));
  return spec;
}

/**
 * Expressions parsed in this process: a plan of 1,000 jobs parsed each one three times (the
 * schedule check, the resolver, the backend), and jobs often share an expression.
 */
const parsedCron = new Map<string, CronSpec>();
const PARSED_CRON_LIMIT = 10_000;

function parseCronText(expr: string): CronSpec {
  if (typeof expr !== 'string') throw new CronSyntaxError('a cron expression must be a string', 0);
  const leading = expr.length - expr.trimStart().length;
  const body = expr.trim();
  if (body.length === 0) throw new CronSyntaxError('empty cron expression', 0);
  if (body.startsWith('@')) {
    const m = /^@(\S*)(\s+\S.*)?$/s.exec(body);
    const name = m?.[1] ?? '';
    if (m?.[2]) {
      throw new CronSyntaxError(
        `unexpected text after '@${name}'`,
        leading + body.indexOf(m[2].trim(), name.length + 1),
      );
    }
    if (name === 'reboot') {
      throw new CronSyntaxError(
        "'@reboot' is not a time schedule: use the 'boot' event (schedule: boot)",
        leading,
      );
    }
    const spec = macroSpec(name);
    if (!spec) {
      const lower = `@${name.toLowerCase()}`;
      const hint = (CRON_MACROS as readonly string[]).includes(lower)
        ? ` (Debian's cron only knows it in lower case: '${lower}')`
        : `; known: ${CRON_MACROS.join(' ')} @reboot`;
      throw new CronSyntaxError(`unknown macro '@${name}'${hint}`, leading);
    }
    return spec;
  }

  const fields: { text: string; at: number }[] = [];
  const re = /[^ \t\r\n]+/g;
  for (let m = re.exec(expr); m; m = re.exec(expr)) fields.push({ text: m[0], at: m.index });
  if (fields.length === 6) {
    throw new CronSyntaxError(
      'sched uses 5-field cron (minute hour day-of-month month day-of-week); 6 fields would mean seconds to some tools and a command to cron',
      fields[5]!.at,
    );
  }
  if (fields.length > 6) {
    throw new CronSyntaxError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
      fields[5]!.at,
    );
  }
  if (fields.length < 5) {
    throw new CronSyntaxError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
      expr.length,
    );
  }
  const out = [bits(60), bits(24), bits(32), bits(13), bits(8)] as const;
  fields.forEach((f, idx) => parseField(f.text, f.at, FIELDS[idx]!, out[idx]!));
  const dow = out[4];
  // "make sundays equivalent"
  if (dow[0] || dow[7]) dow[0] = dow[7] = true;
  return {
    minute: out[0],
    hour: out[1],
    dom: out[2],
    month: out[3],
    dow,
    minStar: fields[0]!.text.startsWith('*'),
    hourStar: fields[1]!.text.startsWith('*'),
    domStar: fields[2]!.text.startsWith('*'),
    dowStar: fields[4]!.text.startsWith('*'),
  };
}

/** Debian's find_jobs predicate: minute, hour, month must match; dom/dow AND when either is star, else OR. */
export function cronMatches(spec: CronSpec, f: CronFields): boolean {
  if (!spec.minute[f.minute] || !spec.hour[f.hour] || !spec.month[f.month]) return false;
  const domOk = spec.dom[f.dom] === true;
  const dowOk = spec.dow[f.dow] === true;
  return spec.domStar || spec.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** Day-level part of the predicate (month + dom/dow). */
export function cronMatchesDay(spec: CronSpec, month: number, dom: number, dow: number): boolean {
  if (!spec.month[month]) return false;
  const domOk = spec.dom[dom] === true;
  const dowOk = spec.dow[dow] === true;
  return spec.domStar || spec.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** A "wildcard" job in cron's DST logic: its minute or hour field starts with `*`. */
export function isWildcardJob(spec: CronSpec): boolean {
  return spec.minStar || spec.hourStar;
}

const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The words for a schedule that {@link canEverFire} rejects, shared by `validate` (and so `plan`
 * and `render`) and `next`, so the same mistake reads the same everywhere.
 */
export const NEVER_FIRES = {
  reason: 'can never fire (no month has such a day)',
  hint: 'check the day-of-month and month fields',
} as const;

/**
 * Whether the spec matches any date at all (every month can fall on every weekday, and Feb 29
 * exists in leap years). False for `0 0 30 2 *`, `0 0 31 4,6 *` and the like.
 */
export function canEverFire(spec: CronSpec): boolean {
  if (!spec.minute.some(Boolean) || !spec.hour.some(Boolean)) return false;
  const anyDow = spec.dow.some(Boolean);
  for (let m = 1; m <= 12; m++) {
    if (!spec.month[m]) continue;
    let domPossible = false;
    for (let d = 1; d <= MAX_DAYS[m]!; d++) if (spec.dom[d]) domPossible = true;
    if (spec.domStar || spec.dowStar) {
      if (domPossible && anyDow) return true;
    } else if (domPossible || anyDow) {
      return true;
    }
  }
  return false;
}

const AT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/** Validates a one-shot `YYYY-MM-DD HH:MM` (a real calendar date and time); returns the normalised text. */
export function parseAtLocal(text: string): string {
  const m = AT_PATTERN.exec(typeof text === 'string' ? text.trim() : '');
  if (!m) throw new CronSyntaxError(`one-shot time '${String(text)}' must look like 'YYYY-MM-DD HH:MM'`, 0);
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const maxDay = mo === 2 ? (leap ? 29 : 28) : (MAX_DAYS[mo] ?? 0);
  if (mo < 1 || mo > 12) throw new CronSyntaxError(`one-shot time '${text}': month ${mo} does not exist`, 5);
  if (d < 1 || d > maxDay)
    throw new CronSyntaxError(`one-shot time '${text}': ${y}-${m[2]} has no day ${d}`, 8);
  if (h > 23) throw new CronSyntaxError(`one-shot time '${text}': hour ${h} is out of range (00-23)`, 11);
  if (mi > 59) throw new CronSyntaxError(`one-shot time '${text}': minute ${mi} is out of range (00-59)`, 14);
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`;
}

/**
 * Turns what a user wrote in `schedule:` into a {@link Schedule}: a preset (`hour day weekday
 * week month` → their cron expression; `boot wake` → events), `@reboot` (the boot event), an
 * @-macro or 5-field expression (validated with {@link parseCron}; kept as written), or
 * `{at: "YYYY-MM-DD HH:MM"}`. Throws {@link CronSyntaxError}.
 */
export function parseSchedule(input: string | { at: string }): Schedule {
  if (input !== null && typeof input === 'object') {
    if (typeof input.at !== 'string')
      throw new CronSyntaxError('a one-shot schedule needs \'at: "YYYY-MM-DD HH:MM"\'', 0);
    return { kind: 'at', local: parseAtLocal(input.at), source: input.at };
  }
  if (typeof input !== 'string')
    throw new CronSyntaxError('a schedule must be a cron expression, a preset or {at: …}', 0);
  const text = input.trim();
  if ((EVENT_PRESETS as readonly string[]).includes(text)) {
    return { kind: 'event', event: text as ScheduleEvent, source: input };
  }
  if (text === '@reboot') return { kind: 'event', event: 'boot', source: input };
  const preset = CRON_PRESETS[text];
  if (preset !== undefined && Object.prototype.hasOwnProperty.call(CRON_PRESETS, text)) {
    return { kind: 'cron', expr: preset, source: input };
  }
  if (/^[a-z]+$/i.test(text)) {
    throw new CronSyntaxError(
      `unknown schedule '${text}': use a 5-field cron expression, an @-macro, or a preset (${[
        ...Object.keys(CRON_PRESETS),
        ...EVENT_PRESETS,
      ].join(', ')})`,
      0,
    );
  }
  parseCron(input);
  return { kind: 'cron', expr: text, source: input };
}
