import { Args } from '@oclif/core';
import { BaseCommand } from './base.js';
import { editAndPlan, editFlags } from '../cli/edit-command.js';

export default class Remove extends BaseCommand {
  static override summary = 'Remove a job from schedules.yaml, then show the plan';
  static override description = `Deletes the job (and the comment lines right above it) from schedules.yaml, keeping the rest of the file byte for byte, and prints the plan: apply removes its native entry. Run history and logs are kept.`;

  static override examples = [
    '<%= config.bin %> remove old-report',
    '<%= config.bin %> remove old-report --apply --auto-approve',
  ];

  static override args = { name: Args.string({ description: 'the job to remove', required: true }) };
  static override flags = { ...editFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Remove);
    await editAndPlan({ kind: 'remove', name: args.name }, flags, `Removed job '${args.name}'`);
  }
}
