import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag } from '../cli/flags.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Check that this host can run your schedules, and say how to fix what is wrong';

  static override description = `Checks, each with a status (ok, warn, fail) and a fix:
  - which backend auto-detection picks here, and why
  - that the scheduler answers (systemctl --user, crontab, launchctl, schtasks)
  - lingering (systemd): without it, user timers stop when you log out
  - the cron daemon runs (crontab backend)
  - the node and sched paths the installed entries call still exist
  - the state dir: yours, 0700 directories, 0600 files, no symbolic links
  - the time zones used in schedules.yaml exist in the host's tzdata
  - node is on PATH, and PATH has no '.' entry

Exit status: 0 when nothing failed (warnings allowed), 1 when something failed.`;

  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor -f deploy/schedules.yaml --json',
  ];

  static override flags = {
    file: fileFlag,
    json: Flags.boolean({ description: 'print the findings as JSON', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const { doctor, defaultDoctorDeps } = await import('../services/doctor.js');
    const { defaultHost } = await import('../services/host.js');
    const report = await doctor(flags.file, defaultDoctorDeps(defaultHost()));
    if (flags.json) {
      const { doctorJson, writeJson } = await import('../cli/json-views.js');
      writeJson(doctorJson(report));
    } else {
      const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
      const lines: string[] = [];
      for (const f of report.findings) {
        lines.push(`${mark[f.status]}  ${f.message}`);
        if (f.fix) lines.push(`      fix: ${f.fix}`);
      }
      const fails = report.findings.filter((f) => f.status === 'fail').length;
      const warns = report.findings.filter((f) => f.status === 'warn').length;
      lines.push(
        '',
        fails
          ? `${fails} problem${fails === 1 ? '' : 's'} to fix, ${warns} warning${warns === 1 ? '' : 's'}.`
          : warns
            ? `No problems; ${warns} warning${warns === 1 ? '' : 's'}.`
            : 'Everything looks right.',
      );
      process.stdout.write(lines.join('\n') + '\n');
    }
    if (report.failed) this.exit(1);
  }
}
