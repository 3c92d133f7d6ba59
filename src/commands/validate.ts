import { Flags } from '@oclif/core';
import { formatDiagnostics, type DiagnosticFormat } from '../config/diagnostic.js';
import { validateFile } from '../services/validate.js';
import { BaseCommand } from './base.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check a schedules file: schema, cron expressions, zones, paths.';

  static override description = `Checks the schema and the meaning of every job (cron syntax and ranges, schedules that can never fire, time zones, durations, one-shots in the past, env_file and working_dir) and prints every problem at once, with its line and column.

Exit status: 0 when the file is valid (warnings allowed), 1 when it is not.`;

  static override examples = [
    { description: 'Validate ./schedules.yaml', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Validate another file',
      command: '<%= config.bin %> <%= command.id %> -f deploy/schedules.yaml',
    },
    {
      description: 'Annotate a pull request in GitHub Actions',
      command: '<%= config.bin %> <%= command.id %> --format github',
    },
    {
      description: 'Machine-readable diagnostics',
      command: '<%= config.bin %> <%= command.id %> --format json',
    },
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'schedules file to check', default: 'schedules.yaml' }),
    format: Flags.string({
      description:
        'output format: text (compiler style), json (an object with the diagnostics, see docs/json.md), github (annotations)',
      options: ['text', 'json', 'github'],
      default: 'text',
    }),
  };

  public async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const format = flags.format as DiagnosticFormat;
    const result = await validateFile(flags.file);
    if (format === 'json') {
      const { validateJson, writeJson } = await import('../cli/json-views.js');
      const { toJsonDiagnostics } = await import('../config/diagnostic.js');
      writeJson(
        validateJson(result.file, result.valid, result.project, toJsonDiagnostics(result.diagnostics)),
      );
      if (!result.valid) this.exit(1);
      return;
    }
    const out = formatDiagnostics(format, result.diagnostics, { [result.file]: result.source });
    if (out) process.stdout.write(out);
    if (format === 'text' && result.valid) {
      const jobs = result.project?.jobs.length ?? 0;
      process.stdout.write(
        `${result.file}: valid (project '${result.project?.name}', ${jobs} job${jobs === 1 ? '' : 's'})\n`,
      );
    }
    if (!result.valid) this.exit(1);
  }
}
