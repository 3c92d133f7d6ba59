import { BaseCommand } from './base.js';
import { PLAN_SPEC, planOptionsOf } from '../cli/plan-command.js';
import { oclifFlags } from '../cli/oclif-spec.js';

/** `sched plan`: flags and help from PLAN_SPEC, which the fast path in bin/run.js parses alike. */
export default class Plan extends BaseCommand {
  static override summary = PLAN_SPEC.summary;
  static override description = PLAN_SPEC.description;
  static override examples = [...PLAN_SPEC.examples];
  static override flags = oclifFlags(PLAN_SPEC);

  async run(): Promise<void> {
    const { flags } = await this.parse(Plan);
    const { planCommand } = await import('../cli/plan-command.js');
    const code = await planCommand(planOptionsOf(flags));
    if (code !== 0) this.exit(code);
  }
}
