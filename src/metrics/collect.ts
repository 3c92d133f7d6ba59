/**
 * A project's metrics from sched's state (applied specs, run records), without the YAML: the
 * same facts for `sched metrics`, the textfile `sched run` writes and the daemon's /metrics.
 */
import { AppliedSpecStore } from '../state/applied.js';
import { RunStore } from '../state/runs.js';
import { overdue } from '../run/health.js';
import { nextFireTimes } from '../schedule/occurrences.js';
import type { JobMetrics } from './exposition.js';

const seconds = (iso: string | null | undefined) =>
  iso ? Math.round(Date.parse(iso) / 10) / 100 : undefined;

/** Metrics of every applied job of `project`; `drift` by job name when the caller computed it. */
export async function collectProjectMetrics(
  root: string,
  project: string,
  now: Date,
  drift?: ReadonlyMap<string, boolean>,
): Promise<JobMetrics[]> {
  const specs = await new AppliedSpecStore(root).list(project);
  const out: JobMetrics[] = [];
  for (const spec of specs) {
    const job = spec.job;
    const store = new RunStore(root, project, job.name);
    const history = store.readHistory();
    const runs: Record<string, number> = {};
    for (const r of history) runs[r.result] = (runs[r.result] ?? 0) + 1;
    const last = store.readLast();
    const finished = history.find((r) => r.result !== 'skipped' && r.result !== 'missed');
    const success = history.find((r) => r.result === 'ok');
    const running = store.listRunning().length > 0;
    let next: Date | undefined;
    try {
      next = job.enabled ? nextFireTimes(job.schedule, job.timezone, now, 1)[0] : undefined;
    } catch {
      next = undefined;
    }
    const m: JobMetrics = {
      project,
      job: job.name,
      runs,
      overdue: Boolean(
        overdue({
          job,
          capabilities: spec.capabilities,
          appliedAt: spec.appliedAt,
          lastStart: last?.start,
          running,
          now,
        }),
      ),
    };
    const lastRun = seconds(last?.start);
    if (lastRun !== undefined) m.lastRun = lastRun;
    const lastSuccess = seconds(success?.end);
    if (lastSuccess !== undefined) m.lastSuccess = lastSuccess;
    if (finished?.exit_code !== null && finished?.exit_code !== undefined)
      m.lastExitCode = finished.exit_code;
    if (finished?.duration_ms !== null && finished?.duration_ms !== undefined)
      m.lastDurationSeconds = finished.duration_ms / 1000;
    if (next) m.nextRun = next.getTime() / 1000;
    const d = drift?.get(job.name);
    if (d !== undefined) m.drift = d;
    out.push(m);
  }
  return out;
}
