import { BaseCommand } from './base.js';
import { fileFlag, scopeFlag } from '../cli/flags.js';

export default class Metrics extends BaseCommand {
  static override summary = 'Print Prometheus metrics of every job (text exposition format)';
  static override description = `One sample per job of: sched_job_last_run_timestamp_seconds, sched_job_last_success_timestamp_seconds, sched_job_last_exit_code, sched_job_last_duration_seconds, sched_job_runs_total{result}, sched_job_next_run_timestamp_seconds, sched_job_overdue and sched_job_drift, with labels project and job. For node_exporter's textfile collector set \`metrics: { textfile: PATH }\` in schedules.yaml (sched run rewrites it after every run); \`sched daemon --metrics-listen ADDR\` serves /metrics.`;
  static override examples = [
    '<%= config.bin %> metrics',
    '<%= config.bin %> metrics > /var/lib/prometheus/node-exporter/sched.prom.tmp && mv /var/lib/prometheus/node-exporter/sched.prom.tmp /var/lib/prometheus/node-exporter/sched.prom',
  ];
  static override flags = { file: fileFlag, scope: scopeFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Metrics);
    const { projectMetricsText } = await import('../services/metrics.js');
    const { defaultHost } = await import('../services/host.js');
    process.stdout.write(
      await projectMetricsText(flags.file, defaultHost({ systemdScope: flags.scope as 'user' | 'system' })),
    );
  }
}
