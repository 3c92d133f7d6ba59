import { Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { stateRoot } from '../state/paths.js';
import { installDaemon, resolveGraceMs, runDaemon } from '../services/daemon.js';
import { processSignals } from '../platform/signals.js';

export default class Daemon extends BaseCommand {
  static override summary = 'Run the embedded scheduler: fire the jobs applied with `backend: embedded`.';

  static override description = `Runs in the foreground (a container's entrypoint, or under a service manager) and fires every job recorded by \`sched apply\` for the embedded backend at its exact instants, in its time zone, through \`sched run\` (overlap, timeout, retries, logs and history as on every backend). An apply is picked up within a second or two, without a restart. On start it runs each project's catch-up. SIGTERM or SIGINT stops it: running jobs get the grace period to finish, then SIGTERM.

Only one daemon runs per state directory ($SCHED_HOME). With --install, writes a systemd user unit (Linux) or a launchd agent (macOS) that keeps the daemon running, and prints how to enable it.`;

  static override examples = [
    '<%= config.bin %> daemon',
    '<%= config.bin %> daemon --project billing --json',
    '<%= config.bin %> daemon --grace 60',
    '<%= config.bin %> daemon --install',
    '<%= config.bin %> daemon --metrics-listen 127.0.0.1:9464',
  ];

  static override flags = {
    project: Flags.string({
      char: 'p',
      summary: 'Only fire the jobs of this project (repeatable); default: all projects.',
      multiple: true,
    }),
    json: Flags.boolean({ summary: 'Log one JSON object per line.', default: false }),
    grace: Flags.integer({
      summary:
        'Seconds running jobs get to finish after SIGTERM/SIGINT (default 30; env SCHED_DAEMON_GRACE_SECONDS).',
      min: 0,
    }),
    'metrics-listen': Flags.string({
      summary: 'Serve Prometheus metrics of every job at http://ADDR/metrics, e.g. 127.0.0.1:9464.',
      helpValue: 'HOST:PORT',
    }),
    install: Flags.boolean({
      summary: 'Write a systemd user unit / launchd agent that runs the daemon, and say how to enable it.',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Daemon);
    const root = stateRoot();
    if (flags.install) {
      const result = await installDaemon({
        stateRoot: root,
        projects: flags.project,
        graceSeconds: resolveGraceMs(flags.grace) / 1000,
      });
      if (flags.json) {
        // format_version 1 of `daemon --install --json` (docs/json.md): the result's keys are snake_case.
        this.log(JSON.stringify({ format_version: 1, ...result }));
        return;
      }
      this.log(`${result.changed ? 'Wrote' : 'Unchanged:'} ${result.file}`);
      this.log(`Enable and start it with:`);
      for (const line of result.enable) this.log(`  ${line}`);
      return;
    }
    let metrics: { close(): void } | undefined;
    if (flags['metrics-listen']) {
      const { startMetricsServer } = await import('../metrics/server.js');
      metrics = await startMetricsServer(flags['metrics-listen'], root, flags.project);
    }
    try {
      await runDaemon({
        stateRoot: root,
        projects: flags.project,
        json: flags.json,
        graceMs: resolveGraceMs(flags.grace),
        write: (line) => process.stdout.write(line + '\n'),
        signals: processSignals,
      });
    } finally {
      metrics?.close();
    }
  }
}
