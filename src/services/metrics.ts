/**
 * `sched metrics`: the project's Prometheus text exposition, drift included (it needs the YAML
 * and the backend, which the textfile written by `sched run` does without). No printing.
 */
import { collectProjectMetrics } from '../metrics/collect.js';
import { renderMetrics } from '../metrics/exposition.js';
import { stateRoot } from '../state/paths.js';
import type { HostSettings } from './host.js';
import { projectStatus } from './status.js';

export async function projectMetricsText(file: string, host: HostSettings): Promise<string> {
  const status = await projectStatus({ file }, host);
  const drift = new Map(status.jobs.map((j) => [j.job, j.drift !== null]));
  return renderMetrics(await collectProjectMetrics(stateRoot(host.env), status.project, host.now, drift));
}
