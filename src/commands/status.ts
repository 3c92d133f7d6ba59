import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';

export default class Status extends BaseCommand {
  static override summary = 'One table of every job: schedule, next run, last run, result, drift';
  static override description = `Shows, for each job of schedules.yaml on this host: the backend, the schedule in words, the next run, the last run with its result and duration, and drift (what \`sched plan\` would change). Missed and interrupted runs, failures and drift are marked with "!".`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json | jq \'.jobs[] | select(.result == "failed")\'',
  ];
  static override flags = {
    file: fileFlag,
    json: Flags.boolean({ description: 'print the status as JSON' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const { projectStatus } = await import('../services/status.js');
    const { defaultHost } = await import('../services/host.js');
    const status = await projectStatus(
      flags.file,
      defaultHost({ systemdScope: flags.scope as 'user' | 'system' }),
    );
    if (flags.json) {
      process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      return;
    }
    const { renderStatusTable } = await import('../cli/status-table.js');
    const { shouldColor } = await import('../plan/view-text.js');
    process.stdout.write(renderStatusTable(status, shouldColor(process.stdout)));
  }
}
