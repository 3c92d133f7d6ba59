import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, installedProjectFlag, scopeFlag } from '../cli/flags.js';

export default class Status extends BaseCommand {
  static override summary = 'One table of every job: what the host will run, when, and how the last run went';
  static override description = `Shows, for each job, what the host will actually do: the schedule sched applied (or the one a hand edit put in the native entry), when it fires next (LEFT) or that it is paused, when it last ran (PASSED) and how that ended, and the drift from schedules.yaml (what \`sched plan\` would change). Failed, missed and interrupted runs, missing entries and drift are marked with "!".

The table fits the terminal (80 columns when not a terminal), shortening the schedule text; --wide shows every column in full, with absolute times in the host's zone. --json prints the same data (format_version 1, snake_case keys, times in ISO-8601 UTC).

With --project NAME, the project is read from what was applied (see \`sched list\`), not from a file: the way to look at a project whose checkout is gone.`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --wide',
    '<%= config.bin %> status --project billing',
    '<%= config.bin %> status --json | jq \'.jobs[] | select(.result == "failed")\'',
  ];
  static override flags = {
    file: fileFlag,
    project: installedProjectFlag,
    json: Flags.boolean({ description: 'print the status as JSON' }),
    wide: Flags.boolean({ description: 'every column in full (absolute times, duration, drift)' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const { projectStatus } = await import('../services/status.js');
    const { defaultHost } = await import('../services/host.js');
    const host = defaultHost({ systemdScope: flags.scope as 'user' | 'system' });
    const status = await projectStatus(
      flags.project !== undefined ? { project: flags.project } : { file: flags.file },
      host,
    );
    if (flags.json) {
      process.stdout.write(JSON.stringify(status, null, 2) + '\n');
      return;
    }
    const { renderStatusTable } = await import('../cli/status-table.js');
    const { useColor } = await import('../cli/color.js');
    const { hostZone } = await import('../services/host.js');
    const out = process.stdout;
    process.stdout.write(
      renderStatusTable(status, {
        color: useColor(out),
        zone: hostZone(host).zone,
        width: out.isTTY && out.columns > 0 ? out.columns : 80,
        wide: flags.wide,
      }),
    );
  }
}
