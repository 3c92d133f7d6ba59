import { Args, Flags } from '@oclif/core';
import { nextFireTimesFor } from '../services/schedule-info.js';
import { BaseCommand } from './base.js';

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
    const answer = await nextFireTimesFor({
      input: args.schedule,
      tz: flags.tz,
      from: flags.from,
      count: flags.count,
      file: flags.file,
    });
    if (flags.json) {
      const { nextJson, writeJson } = await import('../cli/json-views.js');
      writeJson(nextJson(args.schedule, answer.zone, answer.times));
      return;
    }
    const { schedule, zone } = answer;
    process.stdout.write(`${answer.label}: ${answer.words} (${zone})\n`);
    if (schedule.kind === 'event') {
      process.stdout.write(`  fires on an event (${schedule.event}), not at set times\n`);
      return;
    }
    if (answer.times.length === 0) {
      process.stdout.write('  no fire times after the start\n');
      return;
    }
    for (const line of answer.times) process.stdout.write(`  ${line} ${zone}\n`);
    // Say when a DST change moves, skips or doubles one of the runs shown.
    for (const note of answer.notes) process.stdout.write(`  note: ${note}\n`);
  }
}
