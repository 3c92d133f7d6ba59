import { Flags } from '@oclif/core';
import { BACKENDS } from '../model/job.js';
import { initSchedulesFile } from '../services/init.js';
import { BaseCommand } from './base.js';

export default class Init extends BaseCommand {
  static override summary = 'Write a starter schedules.yaml.';

  static override description = `Writes a commented starter schedules.yaml with the schema modeline, so that editors using the YAML language server complete and document every key. Never overwrites an existing file.`;

  static override examples = [
    { description: 'Start a schedules.yaml in this folder', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Name the project and pick the backend',
      command: '<%= config.bin %> <%= command.id %> --project billing --backend systemd',
    },
    {
      description: 'Write it elsewhere',
      command: '<%= config.bin %> <%= command.id %> -f deploy/schedules.yaml',
    },
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'file to create', default: 'schedules.yaml' }),
    backend: Flags.string({
      description: 'backend to write into the file [default: auto, which picks one on each host]',
      options: ['auto', ...BACKENDS],
    }),
    project: Flags.string({ description: 'project name (default: the folder name, slugified)' }),
  };

  public async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const { project, backend, detected } = await initSchedulesFile(flags);
    this.log(
      `Wrote ${flags.file} (project '${project}', backend ${backend}${detected ? `; here auto picks ${detected}` : ''}).`,
    );
    this.log(
      `Next: edit it, then run \`sched validate${flags.file === 'schedules.yaml' ? '' : ` -f ${flags.file}`}\` and \`sched plan\`.`,
    );
  }
}
