import { Args, Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';

export default class RunNow extends BaseCommand {
  static override summary = 'Start a job now, through its backend';
  static override description = `Starts an applied job immediately the way its scheduler would (systemctl --user start, launchctl kickstart, schtasks /Run, kubectl create job); crontab and embedded jobs start as a detached \`sched run\`. The run is recorded like any other: see \`sched history JOB\` and \`sched logs JOB -F\`.`;
  static override examples = [
    '<%= config.bin %> run-now nightly-report',
    '<%= config.bin %> run-now nightly-report && <%= config.bin %> logs nightly-report -F',
  ];
  static override args = { job: Args.string({ description: 'job name', required: true }) };
  static override flags = {
    file: fileFlag,
    scope: scopeFlag,
    json: Flags.boolean({ description: 'print what was started as JSON (see docs/json.md)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunNow);
    const { runNow } = await import('../services/run-now.js');
    const { defaultHost } = await import('../services/host.js');
    const result = await runNow(
      flags.file,
      args.job,
      defaultHost({ systemdScope: flags.scope as 'user' | 'system' }),
    );
    if (flags.json) {
      const { runNowJson, writeJson } = await import('../cli/json-views.js');
      writeJson(runNowJson(args.job, result));
      return;
    }
    process.stdout.write(
      `Started ${args.job} through ${result.via}. Follow it with: sched logs ${args.job} -F\n`,
    );
  }
}
