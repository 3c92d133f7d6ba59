import { Args, Flags } from '@oclif/core';
import { formatElapsed } from '../config/duration.js';
import { projectFileFlag, projectFlag } from '../cli/flags.js';
import { BaseCommand } from './base.js';

export default class History extends BaseCommand {
  static override summary = 'Show the recorded runs of a job, newest first.';

  static override description = `One line per attempt: start, result, exit code or signal, duration, attempt, trigger. Runs still in progress come first; a run whose process died without recording its end shows as interrupted. History keeps the last 1,000 runs of each job. --json prints an object (format_version 2, see docs/json.md) whose runs are objects with start, end, duration_ms, result, exit_code, signal, attempt, trigger, pid (and reason, scheduled when known; notify_failed lists notifications about the run that could not be delivered, URLs masked).`;

  static override examples = [
    '<%= config.bin %> history nightly-report',
    '<%= config.bin %> history nightly-report -n 5 --json',
  ];

  static override args = {
    job: Args.string({ description: 'the job', required: true }),
  };

  static override flags = {
    number: Flags.integer({ char: 'n', description: 'show at most N runs', default: 20, min: 1 }),
    json: Flags.boolean({ description: 'print the runs as JSON (see docs/json.md)', default: false }),
    project: projectFlag,
    file: projectFileFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(History);
    const { resolveProjectName } = await import('../run/project.js');
    const { jobHistory } = await import('../services/history.js');
    const { stateRoot } = await import('../state/paths.js');
    const { assertJobKnown } = await import('../services/job-lookup.js');
    const project = await resolveProjectName({ project: flags.project, file: flags.file });
    await assertJobKnown({ root: stateRoot(), project, job: args.job, file: flags.file });
    const runs = await jobHistory(stateRoot(), project, args.job, flags.number);
    if (flags.json) {
      const { historyJson, writeJson } = await import('../cli/json-views.js');
      writeJson(historyJson(project, args.job, runs));
      return;
    }
    if (runs.length === 0) {
      this.log(`no runs recorded for ${args.job} yet`);
      return;
    }
    const rows = runs.map((r) => [
      r.start.replace(/\.\d+Z$/, 'Z'),
      r.result,
      r.signal ?? (r.exit_code === null ? '-' : String(r.exit_code)),
      r.duration_ms === null ? '-' : formatElapsed(r.duration_ms, { tenths: true }),
      String(r.attempt),
      r.trigger,
      [r.reason, ...(r.notify_failed ?? []).map((f) => `notification failed: ${f}`)]
        .filter(Boolean)
        .join('; '),
    ]);
    const head = ['START', 'RESULT', 'EXIT', 'DURATION', 'ATTEMPT', 'TRIGGER', 'NOTE'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.log(line(head));
    for (const row of rows) this.log(line(row));
  }
}
