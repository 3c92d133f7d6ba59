import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag } from '../cli/flags.js';
import { importableBackends } from '../backends/registry.js';
import type { BackendName } from '../model/job.js';

export default class Import extends BaseCommand {
  static override summary =
    'Adopt jobs sched does not manage yet (crontab lines, user timers, launch agents, tasks)';

  static override description = `Finds the jobs on this host that sched does not own — crontab lines outside any '# BEGIN sched …' block, systemd user timers not named sched-*, launch agents not labelled dev.sched.*, scheduled tasks outside \\sched\\ — and prints YAML for them: a name derived from the command, the schedule as written (or the identical preset), the command as cron ran it (a string runs through /bin/sh), the crontab's variables as env, and where each came from as a comment. Entries that cannot be imported exactly are listed with the reason and left alone.

With --write the jobs are appended under 'jobs:' in schedules.yaml (every existing byte and comment kept; the file is created with 'version: 1' when missing) once the result validates, and the originals are taken out of service, so that nothing runs twice and nothing is lost:
  - crontab: the whole crontab is saved to <state dir>/import-backup-<time>.crontab, then each imported line becomes '# sched-imported: <the line>' (one crontab write)
  - systemd: systemctl --user disable --now NAME.timer (unit files kept)
  - launchd: launchctl bootout, and the plist is renamed to ….plist.sched-imported
  - Task Scheduler: schtasks /Change /DISABLE (task kept)
The imported jobs then run from sched once 'sched apply' installs them: run 'sched plan' and 'sched apply' right after --write (until then they do not fire).

With --write --apply there is no such gap: the imported jobs are applied at once (no question asked: --apply is the approval), and when they go to the crontab, the original lines are commented out in the same crontab write that installs sched's block — at no moment do both run, or neither. If anything fails, the file and the host are put back.`;

  static override examples = [
    { description: 'Show what could be imported', command: '<%= config.bin %> <%= command.id %>' },
    {
      description: 'Only the crontab, as JSON',
      command: '<%= config.bin %> <%= command.id %> --backend crontab --json',
    },
    {
      description: 'Adopt them and install them from sched in one step (no gap)',
      command: '<%= config.bin %> <%= command.id %> --write --apply',
    },
    {
      description: 'Adopt them, review, then install them from sched',
      command:
        '<%= config.bin %> <%= command.id %> --write && <%= config.bin %> plan && <%= config.bin %> apply',
    },
  ];

  static override flags = {
    file: fileFlag,
    backend: Flags.string({
      description: 'only look in this scheduler (default: every one this platform has)',
      options: importableBackends(),
    }),
    write: Flags.boolean({
      description: 'append the jobs to schedules.yaml and take the originals out of service',
      default: false,
    }),
    apply: Flags.boolean({
      description: 'with --write: apply the imported jobs now, replacing the originals in the same write',
      default: false,
      dependsOn: ['write'],
    }),
    json: Flags.boolean({ description: 'print the proposals as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Import);
    const { importJobs } = await import('../services/import.js');
    const { defaultHost } = await import('../services/host.js');
    const { invokedCommandLine } = await import('../cli/command-line.js');
    const outcome = await importJobs(
      {
        file: flags.file,
        scheduler: flags.backend as BackendName | undefined,
        write: flags.write,
        apply: flags.apply,
      },
      defaultHost({ commandLine: invokedCommandLine() }),
    );
    if (flags.json) {
      const { importJson, writeJson } = await import('../cli/json-views.js');
      writeJson(importJson(outcome));
      return;
    }
    const out: string[] = [];
    for (const s of outcome.skipped) out.push(`${s.scheduler}: not looked at (${s.reason})`);
    const n = outcome.proposals.length;
    out.push(
      `Found ${n} job${n === 1 ? '' : 's'} sched does not manage (looked at: ${outcome.scanned.join(', ') || 'nothing'}).`,
    );
    if (outcome.refused.length) {
      out.push('', `Cannot import exactly (left as they are):`);
      for (const r of outcome.refused)
        out.push(`  ${r.source.where}: ${r.reason}`, `    ${r.source.original}`);
    }
    if (n && !outcome.written) {
      out.push(
        '',
        `Proposed jobs (add them under 'jobs:' in ${flags.file}, or run 'sched import --write'):`,
        '',
      );
      out.push(outcome.yaml.replace(/^(?=.)/gm, '  ').trimEnd());
    }
    if (outcome.written) {
      const w = outcome.written;
      out.push('', `Appended ${n} job${n === 1 ? '' : 's'} to ${flags.file} (validated).`);
      if (w.commentedOut) {
        out.push(
          `Commented out ${w.commentedOut} crontab line${w.commentedOut === 1 ? '' : 's'} as '# sched-imported: …'; the crontab before that is saved in ${w.backup}.`,
        );
      }
      if (w.disabled.length) out.push(`Disabled (kept on disk): ${w.disabled.join(', ')}.`);
      if (w.plan) {
        const { renderPlanText } = await import('../plan/view-text.js');
        const { useColor } = await import('../cli/color.js');
        out.push('', renderPlanText(w.plan, { color: useColor(process.stdout) }).trimEnd());
        out.push('', `Applied: the imported jobs now run from sched (backend ${w.plan.backend}).`);
      } else {
        out.push(
          `These jobs do not run until sched installs them: run 'sched plan', then 'sched apply', now.`,
        );
      }
    }
    process.stdout.write(out.join('\n') + '\n');
  }
}
