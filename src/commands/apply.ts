import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { BaseCommand } from './base.js';
import {
  autoApproveFlag,
  compactFlag,
  fileFlag,
  forceMoveFlag,
  lockTimeoutFlag,
  scopeFlag,
  targetFlag,
} from '../cli/flags.js';
import { UserError } from '../errors.js';

export default class Apply extends BaseCommand {
  static override summary = "Make the host's scheduler match schedules.yaml";
  static override description = `Plans, shows the plan, asks for confirmation and applies it. With a saved plan (from \`sched plan --out\`), applies exactly that plan and refuses it when the file or the host changed since.

The project's apply lock is held from before the host is read until the apply ends — through the confirmation prompt — so a second apply of the project waits (--lock-timeout) or is refused, naming the holder. Right before changing anything, the plan is checked again: if the file or what is installed changed meanwhile, nothing is changed.

Only what this project installed is ever changed. Applying twice in a row reports no changes the second time. An interrupted apply is finished by the next one.

A project installed from another schedules.yaml (another checkout) is moved here only when you answer yes below a plan that says so, or with --force; --auto-approve alone refuses it.`;

  static override examples = [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --auto-approve',
    '<%= config.bin %> apply --auto-approve --lock-timeout 5m',
    '<%= config.bin %> plan --out plan.json && <%= config.bin %> apply plan.json',
  ];

  static override args = {
    planfile: Args.string({ description: 'a plan saved with `sched plan --out`', required: false }),
  };

  static override flags = {
    file: fileFlag,
    target: targetFlag,
    'auto-approve': autoApproveFlag,
    'lock-timeout': lockTimeoutFlag,
    force: forceMoveFlag,
    json: Flags.boolean({ description: 'print the applied plan and summary as JSON' }),
    compact: compactFlag,
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    const { makePlan } = await import('../services/plan.js');
    const { applyUnderLock, checkSavedPlan, projectOfFile } = await import('../services/apply.js');
    const { defaultHost } = await import('../services/host.js');
    const { invokedCommandLine } = await import('../cli/command-line.js');
    const { planFromJson, planToJson } = await import('../plan/view-json.js');
    const { renderPlanText } = await import('../plan/view-text.js');
    const { useColor } = await import('../cli/color.js');
    const { ask, cancellation, printCancellation } = await import('../cli/confirm.js');
    const { lockWaitNotice } = await import('../cli/lock-notice.js');
    const { applyProgressDisplay } = await import('../cli/apply-progress.js');
    const progress = flags.json ? undefined : applyProgressDisplay(process.stderr);
    const view = () => ({ color: useColor(process.stdout), compact: flags.compact });
    const host = defaultHost({
      systemdScope: flags.scope as 'user' | 'system',
      commandLine: invokedCommandLine(),
    });

    let saved;
    if (args.planfile) {
      const text = await readFile(args.planfile, 'utf8').catch(() => {
        throw new UserError(`cannot read plan file ${args.planfile}`);
      });
      try {
        saved = planFromJson(JSON.parse(text));
      } catch (e) {
        const { notASavedPlan } = await import('../cli/usage.js');
        throw notASavedPlan(args.planfile, text, e);
      }
    }
    const savedPlan = saved;
    let cancelled: ReturnType<typeof cancellation> | undefined;
    const result = await applyUnderLock(
      {
        project: savedPlan ? savedPlan.project : await projectOfFile(flags.file, host),
        plan: () =>
          savedPlan
            ? checkSavedPlan(savedPlan, host)
            : makePlan({ file: flags.file, targets: flags.target }, host),
        decide: async (outcome) => {
          if (savedPlan) return savedPlan;
          if (!flags.json) process.stdout.write(renderPlanText(outcome.plan, view()));
          const question = outcome.plan.installedFrom
            ? `\nDo you want to apply these changes, moving project ${outcome.plan.project} here from ${outcome.plan.installedFrom}?`
            : '\nDo you want to apply these changes?';
          const answer = await ask(question, flags['auto-approve']);
          if (answer === 'yes') return outcome.plan;
          cancelled = cancellation(answer, 'Apply');
          return undefined;
        },
        // A person who said yes below a plan showing the move approved it; a script needs --force.
        allowMove: flags.force || (!savedPlan && !flags['auto-approve']),
      },
      host,
      { timeoutMs: flags['lock-timeout'], onWait: lockWaitNotice() },
      progress,
    ).finally(() => progress?.finish());
    if (result.status === 'declined') {
      return this.exit(printCancellation(cancelled!));
    }
    if (result.status === 'empty') {
      if (!savedPlan && !flags.json) process.stdout.write(renderPlanText(result.outcome.plan, view()));
      if (flags.json) {
        const shown = savedPlan ?? result.outcome.plan;
        process.stdout.write(JSON.stringify({ ...planToJson(shown), applied: true }, null, 2) + '\n');
      } else if (savedPlan) process.stdout.write('No changes to apply.\n');
      return;
    }
    const { plan, summary } = result;
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...planToJson(plan), applied: true }, null, 2) + '\n');
    } else {
      process.stdout.write(
        `\nApply complete: ${summary.add} added, ${summary.change} changed, ${summary.delete} deleted.\n`,
      );
    }
  }
}
