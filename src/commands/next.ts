import { existsSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { UserError } from '../errors.js';
import { CRON_PRESETS, EVENT_PRESETS, type Schedule } from '../model/job.js';
import { CronSyntaxError, NEVER_FIRES, canEverFire, parseCron, parseSchedule } from '../schedule/cron.js';
import { describeSchedule } from '../schedule/describe.js';
import { dstEffects, nextFireTimes } from '../schedule/occurrences.js';
import { formatInZone, isValidTimeZone, zonedToInstant } from '../schedule/zoned.js';
import { hostSchedulerZone } from '../platform/host-zone.js';
import { BaseCommand } from './base.js';

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

export default class Next extends BaseCommand {
  static override summary = 'Show the next fire times of a cron expression, a preset, or a job.';

  static override description = `Computes when a schedule fires, with Debian cron's semantics (day-of-month and day-of-week are ORed unless one of them starts with '*'; 0 and 7 are Sunday) and its DST behaviour: a fixed-time job whose local time is skipped by a spring change runs right after it; wildcard jobs lose the skipped minutes; in the repeated autumn hour fixed-time jobs run once and wildcard jobs run in both passes.

EXPR is a 5-field cron expression, an @-macro (@daily…), a preset (hour, day, weekday, week, month) or the name of a job in the schedules file (then its schedule and zone are used).`;

  static override examples = [
    {
      description: 'The next 5 runs of a nightly job, in the host zone',
      command: "<%= config.bin %> <%= command.id %> '0 2 * * *'",
    },
    {
      description: 'Ten runs in Berlin, from a given instant, as JSON',
      command:
        "<%= config.bin %> <%= command.id %> '30 2 * * *' --tz Europe/Berlin --from 2025-03-29T00:00:00Z --count 10 --json",
    },
    { description: 'A preset', command: '<%= config.bin %> <%= command.id %> weekday --tz America/New_York' },
    {
      description: 'A job of ./schedules.yaml, in its zone',
      command: '<%= config.bin %> <%= command.id %> nightly-report',
    },
    {
      description: 'A job of another file',
      command: '<%= config.bin %> <%= command.id %> backup -f deploy/schedules.yaml',
    },
  ];

  static override args = {
    schedule: Args.string({
      description: 'cron expression (quote it), @-macro, preset, or job name',
      required: true,
    }),
  };

  static override flags = {
    tz: Flags.string({ description: "IANA time zone (default: the job's zone, else the host's)" }),
    from: Flags.string({
      description: 'start after this instant (ISO-8601; a time without offset is read in --tz)',
    }),
    count: Flags.integer({ char: 'n', description: 'how many fire times', default: 5, min: 1, max: 100000 }),
    json: Flags.boolean({
      description: 'print JSON: next_runs, ISO-8601 instants with their UTC offset (see docs/json.md)',
    }),
    file: Flags.string({ char: 'f', description: 'schedules file for job names', default: 'schedules.yaml' }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(Next);
    const input = args.schedule;
    let schedule: Schedule | undefined;
    let zone = flags.tz;
    let label = input;

    const isPreset =
      Object.prototype.hasOwnProperty.call(CRON_PRESETS, input) ||
      (EVENT_PRESETS as readonly string[]).includes(input);
    const jobLike = JOB_LIKE.test(input) && !isPreset;
    if (jobLike && existsSync(flags.file)) {
      const { loadProject } = await import('../config/load.js');
      const { formatText, hasErrors } = await import('../config/diagnostic.js');
      const result = await loadProject(flags.file, { checkFilesystem: false });
      if (!result.project || hasErrors(result.diagnostics)) {
        const text = formatText(result.diagnostics, { [flags.file]: result.source });
        throw new UserError(
          `${flags.file} is not valid:\n${text.trimEnd()}`,
          `run 'sched validate -f ${flags.file}'`,
        );
      }
      const job = result.project.jobs.find((j) => j.name === input);
      if (!job) {
        const names = result.project.jobs.map((j) => j.name).join(', ') || 'none';
        throw new UserError(`no job '${input}' in ${flags.file}`, `jobs: ${names}`);
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
            jobLike
              ? `there is no ${flags.file} to look '${input}' up as a job name; pass -f FILE`
              : undefined,
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
      throw new UserError(
        `unknown time zone '${zone}'`,
        'use an IANA zone name such as Europe/Berlin or UTC',
      );
    }
    const from = flags.from === undefined ? new Date() : parseFrom(flags.from, zone);
    let times: Date[];
    try {
      times = nextFireTimes(schedule, zone, from, flags.count);
    } catch (err) {
      if (err instanceof CronSyntaxError) throw new UserError(syntaxMessage(input, err));
      throw err;
    }
    const iso = times.map((t) => formatInZone(t, zone));
    if (flags.json) {
      const { nextJson, writeJson } = await import('../cli/json-views.js');
      writeJson(nextJson(input, zone, iso));
      return;
    }
    const words = describeSchedule(schedule);
    process.stdout.write(`${label}: ${words} (${zone})\n`);
    if (schedule.kind === 'event') {
      process.stdout.write(`  fires on an event (${schedule.event}), not at set times\n`);
      return;
    }
    if (iso.length === 0) {
      process.stdout.write('  no fire times after the start\n');
      return;
    }
    for (const line of iso) process.stdout.write(`  ${line} ${zone}\n`);
    // Say when a DST change moves, skips or doubles one of the runs shown.
    for (const note of dstEffects(schedule, zone, from, times[times.length - 1]!)) {
      process.stdout.write(`  note: ${note.text}\n`);
    }
  }
}
