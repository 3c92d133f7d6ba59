import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';

export default class Fmt extends BaseCommand {
  static override summary = 'Rewrite schedules.yaml in the canonical layout, comments kept.';

  static override description = `Like \`terraform fmt\`: two-space indentation, indented lists, \`[a, b]\` flow lists, no folded lines, LF line ends. Comments are kept and the meaning never changes (the result is parsed again and compared; nothing is written otherwise). Prints the name of each file it rewrote.

With --check nothing is written: exits 0 when the file is already canonical, 2 when it would be rewritten (for CI), 1 on error.`;

  static override examples = [
    { description: 'Format ./schedules.yaml', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Fail CI when a file is not formatted, showing the diff',
      command: '<%= config.bin %> <%= command.id %> --check --diff',
    },
    { description: 'Another file', command: '<%= config.bin %> <%= command.id %> -f deploy/schedules.yaml' },
  ];

  static override flags = {
    file: Flags.string({
      char: 'f',
      description: 'path to schedules.yaml (repeatable)',
      default: ['schedules.yaml'],
      helpValue: 'FILE',
      multiple: true,
    }),
    check: Flags.boolean({
      description: 'write nothing; exit 2 when a file is not canonical',
      default: false,
    }),
    diff: Flags.boolean({ description: 'print a unified diff of each change', default: false }),
    json: Flags.boolean({
      description: 'print {format_version, files: [{file, changed, written}]} as JSON',
      default: false,
    }),
  };

  public async run(): Promise<void> {
    const { flags } = await this.parse(Fmt);
    const { formatSchedulesFile } = await import('../services/fmt.js');
    const results = [];
    for (const file of flags.file) results.push(await formatSchedulesFile(file, { check: flags.check }));
    if (flags.json) {
      const files = results.map((r) => ({ file: r.file, changed: r.changed, written: r.written }));
      process.stdout.write(`${JSON.stringify({ format_version: 1, files }, null, 2)}\n`);
    } else {
      const { createTwoFilesPatch } = flags.diff ? await import('diff') : { createTwoFilesPatch: undefined };
      for (const r of results.filter((x) => x.changed)) {
        process.stdout.write(`${r.file}${flags.check ? ' (not formatted)' : ''}\n`);
        if (createTwoFilesPatch)
          process.stdout.write(createTwoFilesPatch(r.file, r.file, r.before, r.text, 'now', 'formatted'));
      }
    }
    if (flags.check && results.some((r) => r.changed)) this.exit(2);
  }
}
