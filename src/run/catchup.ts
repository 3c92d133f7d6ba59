/**
 * `sched run --catch-up`: the boot/wake check for backends with no native catch-up after
 * power-off (crontab, launchd, embedded). For each enabled, applied, time-based job of the
 * project: if a fire time passed since its last record (or since it was applied) while nothing
 * ran, run it once (`catch_up: true`) or record one `missed` entry (`catch_up: false`).
 */
import { AppliedSpecStore, type AppliedSpec } from '../state/applied.js';
import { RunStore } from '../state/runs.js';
import { missedFireTimes } from '../schedule/missed.js';
import { accountedUntil, jobFireTimes, newRunId, sweep, Wrapper, type RunOutcome } from './wrapper.js';

export interface CatchUpResult {
  job: string;
  action: 'ran' | 'missed';
  missed: number;
  outcome?: RunOutcome;
}

export async function catchUp(wrapper: Wrapper, project: string): Promise<CatchUpResult[]> {
  const { deps, root } = wrapper;
  const specs = await new AppliedSpecStore(root).list(project);
  const now = deps.clock.now();
  const runs: Promise<CatchUpResult>[] = [];
  const results: CatchUpResult[] = [];
  for (const spec of specs) {
    const job = spec.job;
    if (!job.enabled || spec.capabilities.nativeCatchUp || job.schedule.kind === 'event') continue;
    const store = new RunStore(root, job.project, job.name);
    await sweep(store, deps);
    const since = accountedUntil(store, spec);
    const missed = missedFireTimes(await jobFireTimes(deps, job), since, now);
    const last = missed.mostRecent;
    if (!last) continue;
    if (job.catchUp) {
      runs.push(runOne(wrapper, spec, last, missed.count));
    } else {
      store.record({
        id: newRunId(now, deps.pid),
        project: job.project,
        job: job.name,
        start: now.toISOString(),
        end: now.toISOString(),
        duration_ms: 0,
        exit_code: null,
        signal: null,
        result: 'missed',
        attempt: 1,
        trigger: 'catch-up',
        pid: deps.pid,
        ...(deps.pidStart ? { pid_start: deps.pidStart } : {}),
        host: deps.host,
        scheduled: last.toISOString(),
        missed_count: missed.count,
        reason: `${missed.count} fire time(s) passed while the machine was off or asleep (catch_up is false)`,
      });
      results.push({ job: job.name, action: 'missed', missed: missed.count });
    }
  }
  // Jobs catch up side by side: one long job must not hold back the others.
  results.push(...(await Promise.all(runs)));
  return results.sort((a, b) => a.job.localeCompare(b.job));
}

async function runOne(
  wrapper: Wrapper,
  spec: AppliedSpec,
  last: Date,
  missed: number,
): Promise<CatchUpResult> {
  const outcome = await wrapper.run(spec, { trigger: spec.backend, catchUpFor: last });
  return { job: spec.job.name, action: 'ran', missed, outcome };
}
