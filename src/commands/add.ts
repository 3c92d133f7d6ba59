import { Args, Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { editAndPlan, editFlags } from '../cli/edit-command.js';
import { UserError } from '../errors.js';
import { OVERLAP_POLICIES, type OverlapPolicy } from '../model/job.js';

export default class Add extends BaseCommand {
  static override summary = 'Add a job to schedules.yaml, then show the plan';
  static override description = `Appends the job to the jobs of schedules.yaml, keeping the file's comments and layout, validates the result (nothing is written when it is invalid) and prints the plan. With --apply, applies it.

Everything after -- is the command, stored as an argv (a YAML list, run without a shell): \`-- pg_dump -Fc mydb\`. A single argument containing spaces stays one argv element (a program of that name); for a shell line, write \`-- sh -c 'cmd | other'\`.`;

  static override examples = [
    "<%= config.bin %> add nightly-backup --schedule '0 2 * * *' -- /usr/local/bin/backup --full",
    '<%= config.bin %> add report --schedule weekday --tz Europe/Berlin --overlap skip --timeout 30m --apply -- node scripts/report.js',
    "<%= config.bin %> add rotate --schedule day -- sh -c 'gzip -9 logs/*.log'",
  ];

  static override strict = false;
  static override usage = [
    'add NAME -s EXPR [--tz ZONE] [--overlap skip|queue|replace|allow] [--description TEXT] [--timeout DURATION] [--catch-up] [-f FILE] [--apply] [--auto-approve] -- COMMAND [ARG...]',
  ];

  static override args = {
    name: Args.string({ description: 'job name: lower-case letters, digits and dashes', required: true }),
  };

  static override flags = {
    schedule: Flags.string({
      char: 's',
      description: '5-field cron, @-macro, or preset (hour, day, weekday, week, month, boot, wake)',
      required: true,
      helpValue: 'EXPR',
    }),
    tz: Flags.string({
      description: 'IANA time zone of the schedule (default: the defaults, else the host)',
      helpValue: 'ZONE',
    }),
    overlap: Flags.string({
      description: 'when a run is still going at the next fire time',
      options: [...OVERLAP_POLICIES],
    }),
    description: Flags.string({ description: 'what the job does', helpValue: 'TEXT' }),
    timeout: Flags.string({
      description: 'stop the run after this long (e.g. 30m, 2h)',
      helpValue: 'DURATION',
    }),
    'catch-up': Flags.boolean({
      description: 'run once after the machine was off or asleep at a fire time',
      allowNo: true,
    }),
    ...editFlags,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Add);
    const command = (argv as string[]).slice(1);
    if (command[0] === '--') command.shift();
    if (command.length === 0) {
      throw new UserError(
        'no command given for the job',
        `put it after --, e.g. sched add ${args.name} --schedule day -- ./backup.sh --full`,
      );
    }
    if (command.length === 1 && /\s/.test(command[0]!)) {
      process.stderr.write(
        `Warning: the command is one argument containing spaces; it runs a program named '${command[0]}' (no shell).\n` +
          `  For a shell line use: -- sh -c '${command[0]}'   To pass arguments, give them separately after --.\n`,
      );
    }
    await editAndPlan(
      {
        kind: 'add',
        name: args.name,
        job: {
          schedule: flags.schedule,
          command,
          timezone: flags.tz,
          overlap: flags.overlap as OverlapPolicy | undefined,
          description: flags.description,
          timeout: flags.timeout,
          catchUp: flags['catch-up'],
        },
      },
      flags,
      `Added job '${args.name}'`,
    );
  }
}
