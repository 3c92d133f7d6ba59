import { Args, Flags } from '@oclif/core';
import { projectFileFlag, projectFlag } from '../cli/flags.js';
import { BaseCommand } from './base.js';

export default class Run extends BaseCommand {
  static override summary = 'Run a job the way its scheduler does: lock, log, timeout, retries, record.';

  static override description = `The wrapper every backend invokes, also usable by hand. It runs what was applied (the spec \`sched apply\` recorded), never the YAML as it is now: an edited but unapplied file changes nothing.

By hand, the output also goes to the terminal and the exit code is the command's (128+N when it was killed by signal N). With --trigger (set by the native entries) the run is a scheduled one: a late start with catch_up false is recorded as skipped, and jitter is applied where the backend has none.

Overlap (skip, queue, replace, allow), timeout (SIGTERM to the whole process group, SIGKILL after a grace period), retries and on_failure work the same on every backend. --catch-up (no JOB) is the boot/wake entry: each job that missed a fire time runs once (catch_up true) or is recorded missed.`;

  static override examples = [
    '<%= config.bin %> run nightly-report',
    '<%= config.bin %> run nightly-report --project billing',
    '<%= config.bin %> run --catch-up --project billing --trigger crontab',
  ];

  static override args = {
    job: Args.string({ description: 'the job to run', required: false }),
  };

  // Scheduled runs skip oclif (bin/run.js) and print no colours: no --no-color here.
  static override baseFlags = {};

  static override flags = {
    project: projectFlag,
    file: projectFileFlag,
    trigger: Flags.string({
      description: "started by this backend's scheduler (set by the native entries)",
      helpValue: 'BACKEND',
    }),
    'catch-up': Flags.boolean({
      description: 'run (or record as missed) every job that missed a fire time',
      default: false,
    }),
    'state-dir': Flags.string({
      description:
        "sched's state directory (default: $SCHED_HOME, else the platform's; set by native entries when apply used SCHED_HOME)",
      helpValue: 'DIR',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const { runCommand } = await import('../services/run.js');
    const code = await runCommand({
      job: args.job,
      project: flags.project,
      file: flags.file,
      trigger: flags.trigger,
      catchUp: flags['catch-up'],
      stateDir: flags['state-dir'],
    });
    if (code !== 0) this.exit(code);
  }
}
