import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';

export default class List extends BaseCommand {
  static override summary = 'Every project sched installed for this user, with the file it came from';
  static override description = `Lists the projects sched installed for this user on every backend, read from sched's state: the backend, the number of jobs (and how many are paused), and the schedules.yaml each was applied from. A project whose file is gone is marked "(gone)": \`sched status --project NAME\` shows it and \`sched destroy --project NAME\` removes it.`;
  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list --json'];
  static override flags = {
    json: Flags.boolean({ description: 'print the list as JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(List);
    const { listProjects } = await import('../services/list.js');
    const { defaultHost } = await import('../services/host.js');
    const list = await listProjects(defaultHost());
    if (flags.json) {
      process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      return;
    }
    const { renderProjectList } = await import('../cli/list-table.js');
    process.stdout.write(renderProjectList(list));
  }
}
