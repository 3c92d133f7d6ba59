import { Flags } from '@oclif/core';
import { writeFile } from 'node:fs/promises';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag, targetFlag } from '../cli/flags.js';

export default class Plan extends BaseCommand {
  static override summary = 'Show what apply would change on this host';
  static override description = `Compares schedules.yaml with what is installed in the host's scheduler and prints, per job, + create, ~ update or - delete with the reason, a unified diff of each native file, the schedule in words and the next fire times.

Reasons: new; changed in the file; edited by hand; missing; not enabled or not loaded; removed from the file; paused.

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present (only with --detailed-exitcode).`;

  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --target nightly-report',
    '<%= config.bin %> plan --out plan.json && <%= config.bin %> apply plan.json',
    '<%= config.bin %> plan --detailed-exitcode --json > plan.json  # CI drift check: exit 2 on drift',
  ];

  static override flags = {
    file: fileFlag,
    target: targetFlag,
    out: Flags.string({ description: 'save the plan to FILE for `sched apply FILE`', helpValue: 'FILE' }),
    'detailed-exitcode': Flags.boolean({
      description: 'exit 0 when there are no changes, 2 when there are, 1 on error',
    }),
    json: Flags.boolean({ description: 'print the plan as JSON (format_version 1, see docs/plan-json.md)' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Plan);
    const { makePlan } = await import('../services/plan.js');
    const { defaultHost } = await import('../services/host.js');
    const { planToJson } = await import('../plan/view-json.js');
    const { isEmptyPlan } = await import('../plan/types.js');
    const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });
    // Data for machines gets every job described; the text shows only what changes.
    const describeAll = flags.json || Boolean(flags.out);
    const { plan } = await makePlan({ file: flags.file, targets: flags.target, describeAll }, host);
    if (flags.out)
      await writeFile(flags.out, JSON.stringify(planToJson(plan), null, 2) + '\n', { mode: 0o600 });
    if (flags.json) {
      process.stdout.write(JSON.stringify(planToJson(plan), null, 2) + '\n');
    } else {
      const { renderPlanText, shouldColor } = await import('../plan/view-text.js');
      process.stdout.write(renderPlanText(plan, { color: shouldColor(process.stdout) }));
      if (flags.out)
        process.stdout.write(
          `\nSaved the plan to ${flags.out}. Apply exactly it with: sched apply ${flags.out}\n`,
        );
    }
    if (flags['detailed-exitcode'] && !isEmptyPlan(plan)) this.exit(2);
  }
}
