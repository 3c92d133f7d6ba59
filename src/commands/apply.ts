import { Args, Flags } from '@oclif/core';
import { readFile } from 'node:fs/promises';
import { BaseCommand } from './base.js';
import { autoApproveFlag, fileFlag, forceMoveFlag, scopeFlag, targetFlag } from '../cli/flags.js';
import { UserError } from '../errors.js';

export default class Apply extends BaseCommand {
  static override summary = "Make the host's scheduler match schedules.yaml";
  static override description = `Plans, shows the plan, asks for confirmation and applies it. With a saved plan (from \`sched plan --out\`), applies exactly that plan and refuses it when the file or the host changed since.

Only what this project installed is ever changed. Applying twice in a row reports no changes the second time. An interrupted apply is finished by the next one.

A project installed from another schedules.yaml (another checkout) is moved here only when you answer yes below a plan that says so, or with --force; --auto-approve alone refuses it.`;

  static override examples = [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --auto-approve',
    '<%= config.bin %> plan --out plan.json && <%= config.bin %> apply plan.json',
  ];

  static override args = {
    planfile: Args.string({ description: 'a plan saved with `sched plan --out`', required: false }),
  };

  static override flags = {
    file: fileFlag,
    target: targetFlag,
    'auto-approve': autoApproveFlag,
    force: forceMoveFlag,
    json: Flags.boolean({ description: 'print the applied plan and summary as JSON' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    const { makePlan } = await import('../services/plan.js');
    const { checkSavedPlan, executePlan } = await import('../services/apply.js');
    const { defaultHost } = await import('../services/host.js');
    const { planFromJson, planToJson } = await import('../plan/view-json.js');
    const { renderPlanText, shouldColor } = await import('../plan/view-text.js');
    const { isEmptyPlan } = await import('../plan/types.js');
    const { confirmOrRefuse } = await import('../cli/confirm.js');
    const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });

    let plan;
    let outcome;
    if (args.planfile) {
      const text = await readFile(args.planfile, 'utf8').catch(() => {
        throw new UserError(`cannot read plan file ${args.planfile}`);
      });
      try {
        plan = planFromJson(JSON.parse(text));
      } catch (e) {
        throw new UserError(
          `${args.planfile} is not a sched plan: ${(e as Error).message}`,
          'Make one with `sched plan --out FILE`.',
        );
      }
      outcome = await checkSavedPlan(plan, host);
    } else {
      outcome = await makePlan({ file: flags.file, targets: flags.target }, host);
      plan = outcome.plan;
      if (!flags.json) process.stdout.write(renderPlanText(plan, { color: shouldColor(process.stdout) }));
      if (
        !isEmptyPlan(plan) &&
        !(await confirmOrRefuse(
          plan.installedFrom
            ? `\nDo you want to apply these changes, moving project ${plan.project} here from ${plan.installedFrom}?`
            : '\nDo you want to apply these changes?',
          flags['auto-approve'],
        ))
      ) {
        process.stdout.write('Apply cancelled.\n');
        return;
      }
    }
    // A person who said yes below a plan showing the move approved it; a script needs --force.
    const allowMove = flags.force || (!args.planfile && !flags['auto-approve']);
    const summary = await executePlan(
      plan,
      outcome,
      host,
      (e) => {
        if (!flags.json)
          process.stderr.write(`  ${e.phase}: ${e.count} change${e.count === 1 ? '' : 's'} on ${e.target}\n`);
      },
      { allowMove },
    );
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...planToJson(plan), applied: true }, null, 2) + '\n');
    } else if (isEmptyPlan(plan)) {
      if (args.planfile) process.stdout.write('No changes to apply.\n');
    } else {
      process.stdout.write(
        `\nApply complete: ${summary.add} added, ${summary.change} changed, ${summary.delete} deleted.\n`,
      );
    }
  }
}
