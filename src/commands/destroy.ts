import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import {
  autoApproveFlag,
  compactFlag,
  fileFlag,
  forceMoveFlag,
  installedProjectFlag,
  lockTimeoutFlag,
  scopeFlag,
  targetFlag,
} from '../cli/flags.js';

export default class Destroy extends BaseCommand {
  static override summary = 'Remove everything this project installed on this host';
  static override description = `Plans the removal of every native entry and applied spec of the project (timers, crontab block, agents, tasks…), shows it, asks, and removes them. Other projects and anything sched did not write are untouched. Run history and logs are kept.

Like apply, holds the project's apply lock from before the host is read until it ends (a second apply or destroy waits up to --lock-timeout, or is refused naming the holder), and changes nothing if what is installed changed since the plan was shown.

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
    'lock-timeout': lockTimeoutFlag,
    force: forceMoveFlag,
    json: Flags.boolean({ description: 'print the destroy plan as JSON' }),
    compact: compactFlag,
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Destroy);
    const { makePlan } = await import('../services/plan.js');
    const { applyUnderLock, projectOfFile } = await import('../services/apply.js');
    const { defaultHost } = await import('../services/host.js');
    const { invokedCommandLine } = await import('../cli/command-line.js');
    const { renderPlanText } = await import('../plan/view-text.js');
    const { useColor } = await import('../cli/color.js');
    const { planToJson } = await import('../plan/view-json.js');
    const { ask, cancellation, printCancellation } = await import('../cli/confirm.js');
    const { lockWaitNotice } = await import('../cli/lock-notice.js');
    const { applyProgressDisplay } = await import('../cli/apply-progress.js');
    const progress = flags.json ? undefined : applyProgressDisplay(process.stderr);
    const host = defaultHost({
      systemdScope: flags.scope as 'user' | 'system',
      commandLine: invokedCommandLine(),
    });
    const show = (plan: Parameters<typeof renderPlanText>[0]) => {
      if (!flags.json)
        process.stdout.write(
          renderPlanText(plan, { color: useColor(process.stdout), compact: flags.compact }),
        );
    };
    let cancelled: ReturnType<typeof cancellation> | undefined;
    const result = await applyUnderLock(
      {
        project: flags.project ?? (await projectOfFile(flags.file, host)),
        plan: (beforeHostRead) =>
          makePlan(
            {
              file: flags.file,
              project: flags.project,
              targets: flags.target,
              destroy: true,
              beforeHostRead,
            },
            host,
          ),
        noPrompt: flags['auto-approve'],
        // A person who said yes below a plan showing the move approved it; a script needs --force.
        allowMove: flags.force || !flags['auto-approve'],
        decide: async ({ plan }) => {
          show(plan);
          const answer = await ask(
            `\nDestroy everything of project ${plan.project} listed above?`,
            flags['auto-approve'],
          );
          if (answer === 'yes') return plan;
          cancelled = cancellation(answer, 'Destroy');
          return undefined;
        },
      },
      host,
      { timeoutMs: flags['lock-timeout'], onWait: lockWaitNotice() },
      progress,
    ).finally(() => progress?.finish());
    if (result.status === 'declined') return this.exit(printCancellation(cancelled!));
    if (result.status === 'empty') return show(result.outcome.plan);
    if (flags.json)
      process.stdout.write(JSON.stringify({ ...planToJson(result.plan), applied: true }, null, 2) + '\n');
    else process.stdout.write(`\nDestroy complete: ${result.summary.delete} deleted.\n`);
  }
}
