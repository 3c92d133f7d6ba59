import { Args } from '@oclif/core';
import { BaseCommand } from './base.js';
import { editAndPlan, editFlags } from '../cli/edit-command.js';

export default class Resume extends BaseCommand {
  static override summary = 'Resume a paused job, then show the plan';
  static override description = `Removes \`enabled: false\` from the job in schedules.yaml, keeping the file's comments and layout, and prints the plan: apply registers the job again.`;

  static override examples = [
    '<%= config.bin %> resume nightly-report',
    '<%= config.bin %> resume nightly-report --apply --auto-approve',
  ];

  static override args = { name: Args.string({ description: 'the job to resume', required: true }) };
  static override flags = { ...editFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Resume);
    await editAndPlan({ kind: 'resume', name: args.name }, flags, `Resumed job '${args.name}'`);
  }
}
