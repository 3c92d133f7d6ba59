/**
 * When a schedule fires and what it means, for the library API and `sched mcp`: the next fire
 * times in a zone, the schedule in words, and how the clock changes of the coming year move,
 * skip or double its runs (Debian cron's rules); and what `sched next` shows. No printing.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { CRON_PRESETS, EVENT_PRESETS, type Schedule } from '../model/job.js';
import { CronSyntaxError, NEVER_FIRES, canEverFire, parseCron, parseSchedule } from '../schedule/cron.js';
import { describeSchedule } from '../schedule/describe.js';
import { dstEffects, nextFireTimes } from '../schedule/occurrences.js';
import { formatInZone, isValidTimeZone, zonedToInstant } from '../schedule/zoned.js';
import { hostSchedulerZone } from '../platform/host-zone.js';

/** What a schedule does, in a zone, from an instant. */
export interface ScheduleInfo {
  /** The schedule as written (an expression, macro or preset). */
  schedule: string;
  /** In words (`At 02:00 AM`). */
  description: string;
  /** The IANA zone the times are in. */
  timezone: string;
  /** ISO-8601 with the zone's offset; empty for event schedules (boot, wake). */
  next: string[];
  /** How the clock changes between now and the last time shown (or within a year) affect runs. */
  clockChanges: string[];
}

const YEAR_MS = 366 * 24 * 3600 * 1000;

/**
 * Describes `input` (a cron expression, @-macro or preset; or an already parsed schedule) in
 * `zone` (default: the host's): `count` next fire times after `from` and the clock-change notes.
 * A bad expression or zone is a {@link UserError}.
 */
export function scheduleInfo(
  input: string | Schedule,
  options: { zone?: string; from?: Date; count?: number } = {},
): ScheduleInfo {
  const zone = options.zone ?? hostSchedulerZone().zone;
  if (!isValidTimeZone(zone))
    throw new UserError(`unknown time zone '${zone}'`, 'use an IANA zone name such as Europe/Berlin or UTC');
  const count = options.count ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new UserError(`count must be a whole number from 1 to 1000, not ${count}`);
  let schedule: Schedule;
  if (typeof input === 'string') {
    try {
      schedule = parseSchedule(input);
    } catch (err) {
      if (err instanceof CronSyntaxError) throw new UserError(`invalid schedule '${input}': ${err.message}`);
      throw err;
    }
  } else schedule = input;
  const from = options.from ?? new Date();
  const times = nextFireTimes(schedule, zone, from, count);
  const last = times[times.length - 1];
  const until = new Date(Math.max(last?.getTime() ?? 0, from.getTime() + YEAR_MS));
  return {
    schedule: schedule.source,
    description: describeSchedule(schedule),
    timezone: zone,
    next: times.map((t) => formatInZone(t, zone)),
    clockChanges: dstEffects(schedule, zone, from, until).map((e) => e.text),
  };
}

const JOB_LIKE = /^[a-z0-9][a-z0-9-]*$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** `--from`: an instant with an offset (`…Z`, `…+01:00`), or a local time / date in the zone. */
export function parseFrom(text: string, zone: string): Date {
  const m = LOCAL_TIME.exec(text.trim());
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
    if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) {
      throw new UserError(
        `--from '${text}' is not a valid date/time`,
        'use ISO-8601, e.g. 2025-03-03T09:00:00Z',
      );
    }
    return zonedToInstant({ year: y!, month: mo!, day: d!, hour: h!, minute: mi!, second: s! }, zone);
  }
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())
    ? Date.parse(text.trim())
    : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UserError(
      `--from '${text}' is not an ISO-8601 instant`,
      'e.g. 2025-03-03T09:00:00Z, 2025-03-03T09:00:00+01:00, or a local 2025-03-03T09:00 in --tz',
    );
  }
  return new Date(ms);
}

/** The message for a bad expression, with a caret under the offending column. */
function syntaxMessage(expr: string, err: CronSyntaxError): string {
  let msg = `invalid schedule '${expr}': ${err.message}`;
  if (err.column !== undefined && err.column >= 0 && err.column <= expr.length && !expr.includes('\n')) {
    msg += `\n  ${expr}\n  ${' '.repeat(err.column)}^`;
  }
  return msg;
}

/** What `sched next` asks: an expression, preset or job name, and where and from when. */
export interface NextRequest {
  /** A cron expression, @-macro, preset, or the name of a job in `file`. */
  input: string;
  /** IANA zone (default: the job's, else the host scheduler's). */
  tz?: string;
  /** `--from`: an instant with an offset, or a local time in the zone (default: now). */
  from?: string;
  count: number;
  /** The schedules file a job name is looked up in. */
  file: string;
}

/** The answer to a {@link NextRequest}, ready to print. */
export interface NextAnswer {
  /** The input, with the expression it stands for (`weekday (0 0 * * 1-5)`). */
  label: string;
  schedule: Schedule;
  /** The schedule in words. */
  words: string;
  zone: string;
  /** The fire times, ISO-8601 with the zone's offset. */
  times: string[];
  /** How a clock change moves, skips or doubles one of the runs shown. */
  notes: string[];
}

/**
 * `sched next`: resolves the input (a job of the file, else a schedule), the zone and the start,
 * and computes the fire times and the clock-change notes. Bad input is a {@link UserError}.
 */
export async function nextFireTimesFor(req: NextRequest): Promise<NextAnswer> {
  const input = req.input;
  let schedule: Schedule | undefined;
  let zone = req.tz;
  let label = input;

  const isPreset =
    Object.prototype.hasOwnProperty.call(CRON_PRESETS, input) ||
    (EVENT_PRESETS as readonly string[]).includes(input);
  const jobLike = JOB_LIKE.test(input) && !isPreset;
  if (jobLike && existsSync(req.file)) {
    const { loadProject } = await import('../config/load.js');
    const { formatText, hasErrors } = await import('../config/diagnostic.js');
    const result = await loadProject(req.file, { checkFilesystem: false });
    if (!result.project || hasErrors(result.diagnostics)) {
      const text = formatText(result.diagnostics, { [req.file]: result.source });
      throw new UserError(
        `${req.file} is not valid:\n${text.trimEnd()}`,
        `run 'sched validate -f ${req.file}'`,
      );
    }
    const job = result.project.jobs.find((j) => j.name === input);
    if (!job) {
      const names = result.project.jobs.map((j) => j.name).join(', ') || 'none';
      throw new UserError(`no job '${input}' in ${req.file}`, `jobs: ${names}`);
    }
    schedule = job.schedule;
    zone ??= job.timezone;
    label = `${input} (${job.schedule.source})`;
  } else {
    try {
      schedule = parseSchedule(input);
      if (schedule.kind === 'cron' && schedule.expr !== input.trim()) label = `${input} (${schedule.expr})`;
    } catch (err) {
      if (err instanceof CronSyntaxError) {
        throw new UserError(
          syntaxMessage(input, err),
          jobLike ? `there is no ${req.file} to look '${input}' up as a job name; pass -f FILE` : undefined,
        );
      }
      throw err;
    }
  }

  // The same error, words and exit code as `validate` (and so `plan` and `render`).
  if (schedule.kind === 'cron' && !canEverFire(parseCron(schedule.expr)))
    throw new UserError(`schedule '${schedule.source}' ${NEVER_FIRES.reason}`, NEVER_FIRES.hint);

  // The zone the host's scheduler would fire it in, not this shell's $TZ.
  zone ??= hostSchedulerZone().zone;
  if (!isValidTimeZone(zone)) {
    throw new UserError(`unknown time zone '${zone}'`, 'use an IANA zone name such as Europe/Berlin or UTC');
  }
  const from = req.from === undefined ? new Date() : parseFrom(req.from, zone);
  let times: Date[];
  try {
    times = nextFireTimes(schedule, zone, from, req.count);
  } catch (err) {
    if (err instanceof CronSyntaxError) throw new UserError(syntaxMessage(input, err));
    throw err;
  }
  const iso = times.map((t) => formatInZone(t, zone));
  const last = times[times.length - 1];
  const notes = last ? dstEffects(schedule, zone, from, last).map((n) => n.text) : [];
  return { label, schedule, words: describeSchedule(schedule), zone, times: iso, notes };
}
