import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { compactFlag, fileFlag, noPagerFlag, scopeFlag, targetFlag } from '../cli/flags.js';

export default class Plan extends BaseCommand {
  static override summary = 'Show what apply would change on this host';
  static override description = `Compares schedules.yaml with what is installed in the host's scheduler and prints, per job, + create, ~ update or - delete with the reason, a unified diff of each native file, the schedule in words and the next fire times.

Reasons: new; changed in the file; edited by hand; missing; not enabled or not loaded; removed from the file; paused; moved from another checkout (the project is installed from another schedules.yaml: applying moves it here, and \`apply --auto-approve\` needs --force for that).

A plan longer than the terminal goes through a pager (SCHED_PAGER, PAGER, else less -FRX); never when piped or with --no-pager.

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present (only with --detailed-exitcode).`;

  static override examples = [
    '<%= config.bin %> plan',
    '<%= config.bin %> plan --target nightly-report',
    '<%= config.bin %> plan --compact  # one line per job: for plans of hundreds of jobs',
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
    'no-pager': noPagerFlag,
    compact: compactFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Plan);
    const { planCommand } = await import('../cli/plan-command.js');
    const code = await planCommand({
      file: flags.file,
      target: flags.target,
      out: flags.out,
      detailedExitcode: flags['detailed-exitcode'],
      json: flags.json,
      scope: flags.scope as 'user' | 'system',
      noPager: flags['no-pager'],
      compact: flags.compact,
    });
    if (code !== 0) this.exit(code);
  }
}
