import { RUN_SPEC, runInvocationOf } from '../backends/invocation.js';
import { oclifArgs, oclifFlags } from '../cli/oclif-spec.js';
import { BaseCommand } from './base.js';

/** `sched run`: flags and help from RUN_SPEC, which the fast path in bin/run.js parses alike. */
export default class Run extends BaseCommand {
  static override summary = RUN_SPEC.summary;
  static override description = RUN_SPEC.description;
  static override examples = [...RUN_SPEC.examples];
  static override args = oclifArgs(RUN_SPEC);
  static override flags = oclifFlags(RUN_SPEC);
  // Scheduled runs skip oclif (bin/run.js) and print no colours: no --no-color here.
  static override baseFlags = {};

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const { runCommand } = await import('../services/run.js');
    const { processSignals } = await import('../platform/signals.js');
    const code = await runCommand(runInvocationOf({ flags, args }), {
      signals: processSignals,
      stdout: process.stdout,
      stderr: process.stderr,
    });
    if (code !== 0) this.exit(code);
  }
}
