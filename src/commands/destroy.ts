import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import {
  autoApproveFlag,
  fileFlag,
  forceMoveFlag,
  installedProjectFlag,
  scopeFlag,
  targetFlag,
} from '../cli/flags.js';

export default class Destroy extends BaseCommand {
  static override summary = 'Remove everything this project installed on this host';
  static override description = `Plans the removal of every native entry and applied spec of the project (timers, crontab block, agents, tasks…), shows it, asks, and removes them. Other projects and anything sched did not write are untouched. Run history and logs are kept.

With --project NAME, the project is read from what was applied (see \`sched list\`) instead of a file: the way to remove a project whose checkout is gone. It still plans and asks.`;

  static override examples = [
    '<%= config.bin %> destroy',
    '<%= config.bin %> destroy --auto-approve',
    '<%= config.bin %> destroy --project old-checkout-project',
  ];

  static override flags = {
    file: fileFlag,
    target: targetFlag,
    project: installedProjectFlag,
    'auto-approve': autoApproveFlag,
    force: forceMoveFlag,
    json: Flags.boolean({ description: 'print the destroy plan as JSON' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Destroy);
    const { makePlan } = await import('../services/plan.js');
    const { executePlan } = await import('../services/apply.js');
    const { defaultHost } = await import('../services/host.js');
    const { renderPlanText, shouldColor } = await import('../plan/view-text.js');
    const { planToJson } = await import('../plan/view-json.js');
    const { isEmptyPlan } = await import('../plan/types.js');
    const { confirmOrRefuse } = await import('../cli/confirm.js');
    const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });
    const outcome = await makePlan(
      { file: flags.file, project: flags.project, targets: flags.target, destroy: true },
      host,
    );
    const { plan } = outcome;
    if (!flags.json) process.stdout.write(renderPlanText(plan, { color: shouldColor(process.stdout) }));
    if (isEmptyPlan(plan)) return;
    if (
      !(await confirmOrRefuse(
        `\nDestroy everything of project ${plan.project} listed above?`,
        flags['auto-approve'],
      ))
    ) {
      process.stdout.write('Destroy cancelled.\n');
      return;
    }
    const summary = await executePlan(plan, outcome, host, undefined, {
      allowMove: flags.force || !flags['auto-approve'],
    });
    if (flags.json)
      process.stdout.write(JSON.stringify({ ...planToJson(plan), applied: true }, null, 2) + '\n');
    else process.stdout.write(`\nDestroy complete: ${summary.delete} deleted.\n`);
  }
}
