import { Args, Flags } from '@oclif/core';
import { BaseCommand } from './base.js';

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script (bash, zsh, fish).';

  static override description = `Completes commands, their flags, and job names from the schedules.yaml in reach (./schedules.yaml, or the file after -f on the command line being completed). The script asks \`sched completion --jobs\` for job names each time, so it follows the file as you edit it.`;

  static override examples = [
    {
      description: 'bash',
      command: '<%= config.bin %> <%= command.id %> bash > ~/.local/share/bash-completion/completions/sched',
    },
    { description: 'zsh', command: '<%= config.bin %> <%= command.id %> zsh > "${fpath[1]}/_sched"' },
    {
      description: 'fish',
      command: '<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/sched.fish',
    },
    {
      description: 'Try it in this bash session',
      command: 'source <(<%= config.bin %> <%= command.id %> bash)',
    },
  ];

  static override args = {
    shell: Args.string({ description: 'the shell', options: ['bash', 'zsh', 'fish'], required: false }),
  };

  static override flags = {
    jobs: Flags.boolean({
      description: 'print the job names of the schedules file, one per line',
      hidden: true,
    }),
    file: Flags.string({
      char: 'f',
      description: 'schedules file for --jobs',
      default: 'schedules.yaml',
      helpValue: 'FILE',
    }),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(Completion);
    const service = await import('../services/completion.js');
    if (flags.jobs) {
      const names = await service.jobNamesIn(flags.file);
      if (names.length) process.stdout.write(`${names.join('\n')}\n`);
      return;
    }
    if (!args.shell) {
      const { UserError } = await import('../errors.js');
      throw new UserError(
        'name the shell: sched completion bash|zsh|fish',
        'see `sched completion --help` for where to put the script',
      );
    }
    const commands = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        summary: c.summary ?? (c.description ?? '').split('\n')[0],
        flags: service.completionFlags(c.flags as never),
        takesJob: service.JOB_ARGUMENT_COMMANDS.has(c.id),
      }));
    process.stdout.write(service.completionScript(args.shell as 'bash', this.config.bin, commands));
  }
}
