import { BaseCommand } from './base.js';
import { APPLY_SPEC, applyOptionsOf } from '../cli/apply-command.js';
import { lockTimeoutFlag } from '../cli/flags.js';
import { oclifArgs, oclifFlags } from '../cli/oclif-spec.js';

/** `sched apply`: flags and help from APPLY_SPEC, which the fast path in bin/run.js parses alike. */
export default class Apply extends BaseCommand {
  static override summary = APPLY_SPEC.summary;
  static override description = APPLY_SPEC.description;
  static override examples = [...APPLY_SPEC.examples];
  static override args = oclifArgs(APPLY_SPEC);
  // --lock-timeout as oclif parses it: a mistake in the duration is explained by oclif.
  static override flags = { ...oclifFlags(APPLY_SPEC), 'lock-timeout': lockTimeoutFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Apply);
    const { applyCommand } = await import('../cli/apply-command.js');
    const code = await applyCommand(applyOptionsOf(flags, args, flags['lock-timeout']));
    if (code !== 0) this.exit(code);
  }
}
