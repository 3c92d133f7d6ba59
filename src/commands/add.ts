import { Args, Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { autoApproveFlag, fileFlag, scopeFlag } from '../cli/flags.js';
import { UserError } from '../errors.js';
import { OVERLAP_POLICIES, type OverlapPolicy } from '../model/job.js';
import type { EditOp } from '../services/edit.js';

/** Flags every editing command shares: the file, and applying the result. */
export const editFlags = {
  file: fileFlag,
  apply: Flags.boolean({
    description: 'apply the resulting plan (asks first unless --auto-approve)',
    default: false,
  }),
  'auto-approve': autoApproveFlag,
  scope: scopeFlag,
  json: Flags.boolean({
    description: 'print what changed, the plan and the apply result as one JSON object (see docs/json.md)',
    default: false,
  }),
};

interface EditFlags {
  file: string;
  apply: boolean;
  'auto-approve': boolean;
  scope: string;
  json: boolean;
}

/**
 * Shared by add/pause/resume/remove: edits the file (validated before it is written), says what
 * changed, prints the plan, and with --apply applies it under the same confirmation rules as `sched apply`.
 */
export async function editAndPlan(op: EditOp, flags: EditFlags, done: string): Promise<void> {
  const { editSchedulesFile } = await import('../services/edit.js');
  const { formatText } = await import('../config/diagnostic.js');
  // Refuse before editing: a saved file whose apply was refused would make the retry a no-op.
  if (flags.apply && !flags['auto-approve'] && !process.stdin.isTTY) {
    throw new UserError(
      'refusing to change the host without confirmation: standard input is not a terminal',
      'Run again with --auto-approve, or without --apply to only edit the file and see the plan.',
    );
  }
  const edit = await editSchedulesFile(flags.file, op, { displayName: flags.file });
  if (flags.json) return editAndPlanJson(op, flags, edit);
  if (!edit.changed) {
    process.stdout.write(`${edit.note ?? 'Nothing to change'}: ${flags.file} is unchanged.\n\n`);
  } else {
    if (edit.warnings.length) process.stderr.write(formatText(edit.warnings, { [flags.file]: edit.text }));
    const note = edit.reserialized
      ? ' (The file was re-formatted: its layout could not be edited in place.)'
      : '';
    process.stdout.write(`${done} in ${flags.file}.${note}\n\n`);
  }

  const { makePlan } = await import('../services/plan.js');
  const { executePlan } = await import('../services/apply.js');
  const { defaultHost } = await import('../services/host.js');
  const { renderPlanText } = await import('../plan/view-text.js');
  const { useColor } = await import('../cli/color.js');
  const { isEmptyPlan } = await import('../plan/types.js');
  const { confirmOrRefuse } = await import('../cli/confirm.js');
  const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });
  const outcome = await makePlan({ file: flags.file }, host);
  const { plan } = outcome;
  process.stdout.write(renderPlanText(plan, { color: useColor(process.stdout) }));
  if (isEmptyPlan(plan)) return;
  if (!flags.apply) {
    process.stdout.write('\nThe file is saved; the host is unchanged. Apply with: sched apply\n');
    return;
  }
  if (!(await confirmOrRefuse('\nDo you want to apply these changes?', flags['auto-approve']))) {
    process.stdout.write('Apply cancelled (the file is saved).\n');
    return;
  }
  const summary = await executePlan(plan, outcome, host);
  process.stdout.write(
    `\nApply complete: ${summary.add} added, ${summary.change} changed, ${summary.delete} deleted.\n`,
  );
}

/** {@link editAndPlan} with --json: the same steps, one JSON object on stdout (docs/json.md). */
async function editAndPlanJson(
  op: EditOp,
  flags: EditFlags,
  edit: import('../services/edit.js').FileEdit,
): Promise<void> {
  const { makePlan } = await import('../services/plan.js');
  const { executePlan } = await import('../services/apply.js');
  const { defaultHost } = await import('../services/host.js');
  const { isEmptyPlan } = await import('../plan/types.js');
  const { confirmOrRefuse } = await import('../cli/confirm.js');
  const { editJson, writeJson } = await import('../cli/json-views.js');
  const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });
  const outcome = await makePlan({ file: flags.file, describeAll: true }, host);
  const { plan } = outcome;
  let summary: Awaited<ReturnType<typeof executePlan>> | undefined;
  if (flags.apply && !isEmptyPlan(plan)) {
    // The question goes to stderr (src/cli/confirm.ts): stdout stays one JSON object.
    if (await confirmOrRefuse('Do you want to apply these changes?', flags['auto-approve']))
      summary = await executePlan(plan, outcome, host);
    else process.stderr.write('Apply cancelled (the file is saved).\n');
  }
  writeJson(
    editJson({
      action: op.kind,
      job: op.name,
      file: flags.file,
      edit,
      warnings: edit.warnings,
      plan,
      applied: summary !== undefined,
      applySummary: summary,
    }),
  );
}

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
