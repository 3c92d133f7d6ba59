import { Args } from '@oclif/core';
import { BaseCommand } from './base.js';
import { editAndPlan, editFlags } from '../cli/edit-command.js';

export default class Pause extends BaseCommand {
  static override summary = 'Pause a job (enabled: false), then show the plan';
  static override description = `Sets \`enabled: false\` on the job in schedules.yaml, keeping the file's comments and layout, and prints the plan: the job's native entry is removed on apply, its state and history are kept. \`sched resume NAME\` undoes it.`;

  static override examples = [
    '<%= config.bin %> pause nightly-report',
    '<%= config.bin %> pause nightly-report --apply --auto-approve',
  ];

  static override args = { name: Args.string({ description: 'the job to pause', required: true }) };
  static override flags = { ...editFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Pause);
    await editAndPlan({ kind: 'pause', name: args.name }, flags, `Paused job '${args.name}'`);
  }
}
