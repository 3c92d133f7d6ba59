import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { fileFlag } from '../cli/flags.js';
import { BACKENDS } from '../model/job.js';
import { formatDiagnostics, type Diagnostic } from '../config/diagnostic.js';

export default class Render extends BaseCommand {
  static override summary = 'Write the native files for a backend without touching the host';
  static override description = `Renders every enabled job of schedules.yaml for the given backend — systemd units, a crontab block, launchd plists, Task Scheduler XML, Kubernetes manifests or embedded records — into a directory, for review, GitOps tools or golden tests. Nothing on the host changes. Exits 1, naming the job and why, when a job cannot be expressed exactly on that backend.`;
  static override examples = [
    '<%= config.bin %> render --backend systemd --out build/units',
    '<%= config.bin %> render --backend kubernetes --out deploy/cronjobs',
    '<%= config.bin %> render --backend launchd --out /tmp/agents -f examples/basic/schedules.yaml',
  ];
  static override flags = {
    file: fileFlag,
    backend: Flags.string({
      description: 'the backend to render for',
      options: [...BACKENDS],
      required: true,
    }),
    out: Flags.string({
      description: 'directory to write the files to (created if missing)',
      required: true,
      helpValue: 'DIR',
    }),
    json: Flags.boolean({ description: 'print the written file paths as JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Render);
    const { renderProjectFiles, writeRenderedFiles } = await import('../services/render.js');
    const { defaultHost } = await import('../services/host.js');
    const warnings: Diagnostic[] = [];
    const files = await renderProjectFiles(
      flags.file,
      flags.backend as (typeof BACKENDS)[number],
      defaultHost(),
      warnings,
    );
    // Rendered anyway, but never silently: e.g. a CronJob that differs from Debian cron at clock changes.
    if (warnings.length) process.stderr.write(formatDiagnostics('text', warnings));
    const written = await writeRenderedFiles(files, flags.out);
    if (flags.json) {
      const { renderJson, writeJson } = await import('../cli/json-views.js');
      writeJson(renderJson(flags.backend, written));
    } else
      process.stdout.write(
        `Wrote ${written.length} file${written.length === 1 ? '' : 's'} for ${flags.backend}:\n${written.map((w) => `  ${w}\n`).join('')}`,
      );
  }
}
