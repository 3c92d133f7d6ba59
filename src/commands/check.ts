import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';

export default class Check extends BaseCommand {
  static override summary = 'Exit 0 when every job is healthy, 2 when one failed, is overdue or drifted';
  static override description = `For monitoring and CI. A job is unhealthy when its last run failed or timed out, when it is overdue (a fire time passed and no run was recorded: the scheduler did not start it), or when it drifted from schedules.yaml. Exit codes: 0 healthy, 2 unhealthy, 1 error. --json prints the reasons per job. --notify sends a "missed" event to the notifiers of each overdue job, once per missed fire time (remembered in sched's state, so running check from cron every few minutes does not repeat it). --format nagios prints one line in the Nagios plugin convention and exits 0 OK, 1 WARNING (drift only), 2 CRITICAL, 3 UNKNOWN (error).`;
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --json',
    '*/5 * * * * <%= config.bin %> check -f /srv/app/schedules.yaml --notify --format nagios',
  ];
  static override flags = {
    file: fileFlag,
    json: Flags.boolean({ description: 'print the report as JSON (same as --format json)' }),
    format: Flags.string({
      description: 'output format',
      options: ['text', 'json', 'nagios'],
      default: 'text',
    }),
    notify: Flags.boolean({ description: 'send a "missed" event to the notifiers of overdue jobs' }),
    scope: scopeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const format = flags.json ? 'json' : flags.format;
    const { checkProject, nagiosLine } = await import('../services/check.js');
    const { defaultHost } = await import('../services/host.js');
    let report;
    try {
      report = await checkProject(
        flags.file,
        defaultHost({ systemdScope: flags.scope as 'user' | 'system' }),
        {
          notify: flags.notify,
        },
      );
    } catch (e) {
      if (format !== 'nagios') throw e;
      // Nagios reads the first line and the exit code: an error is UNKNOWN (3).
      const { UserError } = await import('../errors.js');
      const what = e instanceof UserError ? e.message : (e as Error).message;
      process.stdout.write(`SCHED UNKNOWN - ${what.split('\n')[0]}\n`);
      this.exit(3);
      return;
    }
    if (format === 'json') {
      const { checkJson, writeJson } = await import('../cli/json-views.js');
      writeJson(checkJson(report));
    } else if (format === 'nagios') {
      const { line, exitCode } = nagiosLine(report);
      process.stdout.write(line + '\n');
      if (exitCode !== 0) this.exit(exitCode);
      return;
    } else {
      const out: string[] = [];
      for (const j of report.jobs)
        out.push(j.healthy ? `ok       ${j.job}` : `UNHEALTHY ${j.job}: ${j.reasons.join('; ')}`);
      for (const n of report.notified) out.push(`sent a missed event for ${n.job} (due ${n.scheduled})`);
      for (const f of report.notify_failed) out.push(`notification failed: ${f}`);
      out.push(
        report.healthy
          ? `${report.project}: all ${report.jobs.length} job(s) healthy`
          : `${report.project}: ${report.jobs.filter((j) => !j.healthy).length} of ${report.jobs.length} job(s) unhealthy`,
      );
      process.stdout.write(out.join('\n') + '\n');
    }
    if (!report.healthy) this.exit(2);
  }
}
