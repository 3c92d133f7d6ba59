import { Args, Flags } from '@oclif/core';
import { noPagerFlag, projectFileFlag, projectFlag } from '../cli/flags.js';
import { BaseCommand } from './base.js';

export default class Logs extends BaseCommand {
  static override summary = "Show a job's log; -F (--follow) to follow it, as tail -F.";

  static override description = `Each line is "<instant> <stream> <text>": stream is out or err for the command's output, sched for the wrapper's own lines (start, end, result, retries, timeouts). The log rotates at 1 MiB and keeps 3 older files (run.log.1…3) in the job's state directory. A log longer than the terminal goes through a pager (SCHED_PAGER, PAGER, else less -FRX); never when piped, with --no-pager, --follow or --json.

--json prints one JSON object per log line (JSON lines: format_version, project, job, at, stream, text; see docs/json.md), with -F too.

Like every command, -f names the schedules file (used here only to find the project); -F follows the log, as in \`tail -F\`.`;

  static override examples = [
    '<%= config.bin %> logs nightly-report',
    '<%= config.bin %> logs nightly-report -n 200 -F',
    '<%= config.bin %> logs backup -f deploy/schedules.yaml',
    '<%= config.bin %> logs nightly-report --json | jq -r \'select(.stream == "err") | .text\'',
  ];

  static override args = {
    job: Args.string({ description: 'the job', required: true }),
  };

  static override flags = {
    number: Flags.integer({ char: 'n', description: 'show the last N lines', default: 50, min: 0 }),
    follow: Flags.boolean({
      char: 'F',
      description: 'keep printing new lines as they are written (Ctrl-C stops)',
      default: false,
    }),
    project: projectFlag,
    file: projectFileFlag,
    'no-pager': noPagerFlag,
    json: Flags.boolean({
      description: 'print each line as a JSON object on its own line (JSON lines; see docs/json.md)',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { resolveProjectName } = await import('../run/project.js');
    const { followLog, jobLogFile, jobLogTail } = await import('../services/history.js');
    const { stateRoot } = await import('../state/paths.js');
    const project = await resolveProjectName({ project: flags.project, file: flags.file });
    const root = stateRoot();
    const { assertJobKnown } = await import('../services/job-lookup.js');
    await assertJobKnown({ root, project, job: args.job, file: flags.file });
    const lines = jobLogTail(root, project, args.job, flags.number);
    // --json: one object per line, also while following (JSON lines, never paged).
    let write = (text: string) => void process.stdout.write(text);
    if (flags.json) {
      const { logLineJson, writeJsonLine } = await import('../cli/json-views.js');
      let partial = '';
      write = (text) => {
        const parts = (partial + text).split('\n');
        partial = parts.pop()!;
        for (const line of parts) writeJsonLine(logLineJson(project, args.job, line));
      };
    }
    const text = lines.map((l) => `${l}\n`).join('');
    // A follow keeps printing below the tail: no pager in between.
    if (flags.follow || flags.json) write(text);
    if (!flags.follow) {
      if (flags.json) return;
      const { writePaged } = await import('../cli/pager.js');
      await writePaged(text, { disabled: flags['no-pager'] });
      return;
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await followLog(jobLogFile(root, project, args.job), write, controller.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
