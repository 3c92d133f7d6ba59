/**
 * Pure conversion of a foreign systemd timer + service pair into a job proposal.
 *
 * OnCalendar= → cron only where it is exact: seconds 0, any year, no `~` (last days), one
 * OnCalendar= line, and weekday+day only when cron would AND them too (a day field starting with
 * `*`). Everything else is refused with "cannot import exactly: …". Monotonic triggers
 * (OnBootSec=, OnUnitActiveSec=…) have no cron equivalent and are refused too.
 */
import { CronSyntaxError, canEverFire, parseCron, parseSchedule } from '../../schedule/cron.js';
import { isValidTimeZone } from '../../schedule/zoned.js';
import type { ImportSource, UnnamedProposal } from '../../import/types.js';

const SHORTHANDS: Record<string, string> = {
  minutely: '* * * * *',
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 1', // systemd's week starts on Monday (cron's @weekly is Sunday)
  monthly: '0 0 1 * *',
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  quarterly: '0 0 1 1,4,7,10 *',
  semiannually: '0 0 1 1,7 *',
};

const WEEKDAYS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

class Inexact extends Error {}

function weekdayNumber(word: string): number {
  const n = WEEKDAYS[word.toLowerCase().slice(0, 3)];
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  if (n === undefined || !(word.length === 3 || full.includes(word.toLowerCase())))
    throw new Inexact(`'${word}' is not a weekday`);
  return n;
}

function num(text: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(text)) throw new Inexact(`'${text}' is not a number in the ${what}`);
  const n = Number(text);
  if (n < min || n > max) throw new Inexact(`${what} ${n} is out of range`);
  return n;
}

/** One calendar component (`*`, `5`, `1,15`, `9..17`, `0/15`, `1..10/3`) as a cron field. */
function component(text: string, min: number, max: number, what: string): string {
  const items = text.split(',');
  if (items.includes('*')) {
    if (items.length > 1) throw new Inexact(`'${text}' mixes * with values`);
    return '*';
  }
  return items
    .map((item) => {
      const [range, stepText, extra] = item.split('/');
      if (extra !== undefined) throw new Inexact(`'${item}' has two steps`);
      const step = stepText === undefined ? undefined : num(stepText, 1, max, `${what} step`);
      if (range === '*') {
        if (step === undefined) return '*';
        return `*/${step}`;
      }
      const bounds = range!.split('..');
      if (bounds.length > 2) throw new Inexact(`'${item}' is not a range`);
      const a = num(bounds[0]!, min, max, what);
      const b = bounds.length === 2 ? num(bounds[1]!, min, max, what) : undefined;
      if (b !== undefined && b < a) throw new Inexact(`'${item}' is a reversed range`);
      if (step !== undefined) {
        const end = b ?? max;
        return a === min && end === max ? `*/${step}` : `${a}-${end}/${step}`;
      }
      return b === undefined ? `${a}` : `${a}-${b}`;
    })
    .join(',');
}

function weekdayField(text: string): string {
  return text
    .split(',')
    .map((item) => {
      const [a, b] = item.split('..');
      const from = weekdayNumber(a!);
      if (b === undefined) return `${from}`;
      const to = weekdayNumber(b);
      if (to < from) throw new Inexact(`'${item}' wraps around the week`);
      return `${from}-${to}`;
    })
    .join(',');
}

/**
 * One OnCalendar= value as a 5-field cron expression (and a zone when it names one), or the
 * reason it cannot be one exactly.
 */
export function onCalendarToCron(value: string): { cron: string; timezone?: string } | { reason: string } {
  try {
    const text = value.trim();
    const shorthand = SHORTHANDS[text.toLowerCase()];
    if (shorthand) return { cron: shorthand };
    const tokens = text.split(/\s+/).filter(Boolean);
    let timezone: string | undefined;
    const last = tokens.at(-1);
    if (last && /^[A-Za-z]/.test(last) && !/^(mon|tue|wed|thu|fri|sat|sun)/i.test(last)) {
      if (!isValidTimeZone(last)) throw new Inexact(`'${last}' is not a time zone sched knows`);
      timezone = last;
      tokens.pop();
    }
    let weekdays = '*';
    if (tokens[0] && /^[A-Za-z]/.test(tokens[0])) weekdays = weekdayField(tokens.shift()!);
    let date: string | undefined;
    let time: string | undefined;
    for (const t of tokens) {
      if (t.includes(':') && time === undefined) time = t;
      else if (t.includes('-') && date === undefined && time === undefined) date = t;
      else throw new Inexact(`'${t}' is not a date or time systemd's calendar syntax sched can read`);
    }
    let month = '*';
    let day = '*';
    if (date !== undefined) {
      if (date.includes('~'))
        throw new Inexact('it counts days from the end of the month (~), which cron cannot');
      const parts = date.split('-');
      if (parts.length === 3) {
        if (parts[0] !== '*')
          throw new Inexact(`it names the year ${parts[0]}; a cron line repeats every year`);
        parts.shift();
      }
      if (parts.length !== 2) throw new Inexact(`'${date}' is not a date`);
      month = component(parts[0]!, 1, 12, 'month');
      day = component(parts[1]!, 1, 31, 'day');
    }
    let hour = '0';
    let minute = '0';
    if (time !== undefined) {
      const parts = time.split(':');
      if (parts.length < 2 || parts.length > 3) throw new Inexact(`'${time}' is not a time`);
      const seconds = parts[2];
      if (seconds !== undefined && !/^0?0$/.test(seconds)) {
        throw new Inexact(`it fires at second ${seconds}; cron fires at whole minutes only`);
      }
      hour = component(parts[0]!, 0, 23, 'hour');
      minute = component(parts[1]!, 0, 59, 'minute');
    }
    // systemd ANDs weekday and day; cron ORs them unless the day field starts with '*'.
    if (weekdays !== '*' && day !== '*' && !day.startsWith('*')) {
      throw new Inexact(
        'it restricts both the weekday and the day of the month; systemd requires both, cron either',
      );
    }
    const cron = `${minute} ${hour} ${day} ${month} ${weekdays}`;
    parseSchedule(cron);
    if (!canEverFire(parseCron(cron))) throw new Inexact('it never fires');
    return timezone ? { cron, timezone } : { cron };
  } catch (err) {
    if (err instanceof Inexact || err instanceof CronSyntaxError)
      return { reason: `cannot import exactly: ${err.message}` };
    throw err;
  }
}

/** A unit file's `[Section]` keys, each with its values in order (an empty value resets the list). */
export function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = pending + raw.trimEnd();
    if (line.endsWith('\\')) {
      pending = line.slice(0, -1) + ' ';
      continue;
    }
    pending = '';
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(t);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = t.indexOf('=');
    if (eq < 0) continue;
    const key = `${section}.${t.slice(0, eq).trim()}`;
    const value = t.slice(eq + 1).trim();
    if (value === '') out.set(key, []);
    else out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** systemd's word splitting: blanks separate, "…" and '…' quote, a backslash escapes. */
function splitWords(value: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g;
  for (const m of value.matchAll(re)) words.push((m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  return words;
}

/** ExecStart= words; refuses the `%` specifiers and `$` variables systemd would expand. */
export function splitExecWords(value: string): string[] | { reason: string } {
  if (/[%$]/.test(value))
    return {
      reason:
        'cannot import exactly: the command uses systemd specifiers (%) or variables ($), which sched does not expand',
    };
  return splitWords(value);
}

/** Environment= values: `A=b "C=d e"` → {A: 'b', C: 'd e'} (a value with a % specifier is left out). */
function environment(values: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values) {
    for (const w of splitWords(v)) {
      const eq = w.indexOf('=');
      if (eq > 0 && !w.includes('%')) env[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  return env;
}

export interface SystemdUnitsOptions {
  homeDir: string;
  hostTimezone: string;
  defaultTimezone?: string;
}

/**
 * A foreign timer (`name.timer`, as `systemctl --user cat` prints it) and the service it starts,
 * as a proposal, or the reason it cannot be imported exactly.
 */
export function convertSystemdTimer(
  timerName: string,
  timerText: string,
  serviceText: string,
  options: SystemdUnitsOptions,
): UnnamedProposal | { source: ImportSource; reason: string } {
  const timer = parseUnit(timerText);
  const service = parseUnit(serviceText);
  const calendars = timer.get('Timer.OnCalendar') ?? [];
  const source: ImportSource = {
    scheduler: 'systemd',
    where: `timer ${timerName}`,
    original: calendars.join(' | ') || timerName,
    id: timerName,
  };
  const refuse = (reason: string) => ({ source, reason });
  const monotonic = [
    'OnActiveSec',
    'OnBootSec',
    'OnStartupSec',
    'OnUnitActiveSec',
    'OnUnitInactiveSec',
  ].filter((k) => (timer.get(`Timer.${k}`) ?? []).length);
  if (monotonic.length)
    return refuse(
      `cannot import exactly: ${monotonic.join(', ')}= (time since an event) has no cron equivalent`,
    );
  if (calendars.length === 0) return refuse('cannot import exactly: the timer has no OnCalendar=');
  if (calendars.length > 1)
    return refuse(
      'cannot import exactly: several OnCalendar= lines (a union) do not fit one cron expression; split the job by hand',
    );
  const converted = onCalendarToCron(calendars[0]!);
  if ('reason' in converted) return refuse(converted.reason);

  const execs = service.get('Service.ExecStart') ?? [];
  if (execs.length !== 1)
    return refuse(
      `cannot import exactly: the service has ${execs.length} ExecStart= lines (sched runs one command)`,
    );
  let exec = execs[0]!;
  const notes = [`imported from systemd timer ${timerName}: OnCalendar=${calendars[0]}`];
  const prefix = /^[-@:+!]+/.exec(exec)?.[0] ?? '';
  if (/[@:+!]/.test(prefix))
    return refuse(`cannot import exactly: ExecStart= prefix '${prefix}' has no sched equivalent`);
  if (prefix.includes('-'))
    notes.push('ExecStart=- ignored failures; sched records them (the run shows as failed)');
  exec = exec.slice(prefix.length);
  const argv = splitExecWords(exec);
  if (!Array.isArray(argv)) return refuse(argv.reason);
  if (argv.length === 0) return refuse('the service has an empty ExecStart=');

  const proposal: UnnamedProposal = {
    schedule: converted.cron,
    command: argv,
    notes,
    source,
    nameHint: timerName.replace(/\.timer$/, ''),
    working_dir:
      service.get('Service.WorkingDirectory')?.at(-1)?.replace(/^-/, '').replace(/^~$/, options.homeDir) ??
      options.homeDir,
  };
  const description = (timer.get('Unit.Description') ?? service.get('Unit.Description'))?.at(-1);
  if (description) proposal.description = description;
  const env = environment(service.get('Service.Environment') ?? []);
  if (Object.keys(env).length) proposal.env = env;
  const envFiles = service.get('Service.EnvironmentFile') ?? [];
  if (envFiles.length > 1)
    return refuse('cannot import exactly: several EnvironmentFile= lines (sched takes one env_file)');
  if (envFiles[0]) proposal.env_file = envFiles[0].replace(/^-/, '');
  if ((timer.get('Timer.Persistent') ?? []).at(-1)?.match(/^(yes|true|1|on)$/i)) proposal.catch_up = true;
  const delay = (timer.get('Timer.RandomizedDelaySec') ?? []).at(-1);
  if (delay && delay !== '0')
    notes.push(`RandomizedDelaySec=${delay} was not imported; set jitter: if you want it`);
  const zone = converted.timezone ?? options.hostTimezone;
  if (zone !== (options.defaultTimezone ?? options.hostTimezone)) proposal.timezone = zone;
  return proposal;
}
