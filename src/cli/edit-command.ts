/**
 * The flow every editing command shares (add, pause, resume, remove): edit schedules.yaml through
 * the edit service, say what changed, print the plan, and with --apply apply it under the same
 * confirmation rules as `sched apply`. Lives in cli/ because it prints and prompts; the commands
 * only turn their arguments into an edit.
 */
import { Flags } from '@oclif/core';
import { autoApproveFlag, fileFlag, scopeFlag } from './flags.js';
import { UserError } from '../errors.js';
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

export interface EditFlags {
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
  const { invokedCommandLine } = await import('./command-line.js');
  const { renderPlanText } = await import('../plan/view-text.js');
  const { useColor } = await import('./color.js');
  const { isEmptyPlan } = await import('../plan/types.js');
  const { confirmOrRefuse } = await import('./confirm.js');
  const host = defaultHost({
    systemdScope: flags.scope as 'user' | 'system',
    commandLine: invokedCommandLine(),
  });
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
  const { invokedCommandLine } = await import('./command-line.js');
  const { isEmptyPlan } = await import('../plan/types.js');
  const { confirmOrRefuse } = await import('./confirm.js');
  const { editJson, writeJson } = await import('./json-views.js');
  const host = defaultHost({
    systemdScope: flags.scope as 'user' | 'system',
    commandLine: invokedCommandLine(),
  });
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
