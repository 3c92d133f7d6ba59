/**
 * `sched check`: is every job of the project healthy? A job is not when its last run failed or
 * timed out, when it is overdue (a fire time passed with no run recorded), or when it drifted
 * from schedules.yaml. With `notify`, each overdue job's notifiers get one `missed` event per
 * missed fire time — remembered in the job's state, so a `sched check` run from cron every few
 * minutes does not repeat it. No flags, no printing.
 */
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../model/job.js';
import { AppliedSpecStore } from '../state/applied.js';
import { readJsonSync, writeAtomicSync } from '../state/files.js';
import { jobStateDir, stateRoot } from '../state/paths.js';
import { overdueFromState } from '../run/health.js';
import type { HostSettings } from './host.js';
import { clockChangeExpiry, projectStatus } from './status.js';

export interface JobHealth {
  job: string;
  healthy: boolean;
  /** Why not, in words (empty when healthy). */
  reasons: string[];
  result: string | null;
  exit_code: number | null;
  last_run: string | null;
  /** The fire time with no run recorded, when overdue (ISO). */
  overdue_since: string | null;
  drift: string | null;
}

export interface CheckReport {
  project: string;
  backend: string;
  healthy: boolean;
  jobs: JobHealth[];
  /** Deliveries of `missed` events that failed (masked), with `notify`. */
  notify_failed: string[];
  /** `missed` events sent by this check. */
  notified: { job: string; scheduled: string }[];
}

export interface CheckOptions {
  /** Send `missed` events to the notifiers of overdue jobs (once per fire time). */
  notify?: boolean;
}

const MISSED_STATE = 'missed-notified.json';
/** Prefix of the reason given when a timer's clock-change compensation runs out (a warning). */
const CLOCK_CHANGES = 'clock changes';

export async function checkProject(
  file: string,
  host: HostSettings,
  opts: CheckOptions = {},
): Promise<CheckReport> {
  const now = host.now;
  const status = await projectStatus({ file }, host);
  const stateDir = stateRoot(host.env);
  const report: CheckReport = {
    project: status.project,
    backend: status.backend,
    healthy: true,
    jobs: [],
    notify_failed: [],
    notified: [],
  };
  for (const row of status.jobs) {
    const reasons: string[] = [];
    if (row.result === 'failed' || row.result === 'timeout')
      reasons.push(
        `last run ${row.result === 'failed' ? 'failed' : 'timed out'}${row.exit_code === null ? '' : ` (exit code ${row.exit_code})`}`,
      );
    if (row.overdue) reasons.push(`overdue: ${row.overdue}`);
    if (row.drift) reasons.push(`drift: ${row.drift}`);
    const expiry = clockChangeExpiry(row, now);
    if (expiry) reasons.push(`${CLOCK_CHANGES}: ${expiry}`);
    const due = row.overdue ? await overdueFromState(stateDir, status.project, row.job, now) : undefined;
    report.jobs.push({
      job: row.job,
      healthy: reasons.length === 0,
      reasons,
      result: row.result,
      exit_code: row.exit_code,
      last_run: row.last_run,
      overdue_since: due?.expected.toISOString() ?? null,
      drift: row.drift,
    });
    if (opts.notify && due) await notifyMissed(report, stateDir, status.project, row.job, due.expected, host);
  }
  report.healthy = report.jobs.every((j) => j.healthy);
  return report;
}

async function notifyMissed(
  report: CheckReport,
  root: string,
  project: string,
  jobName: string,
  expected: Date,
  host: HostSettings,
): Promise<void> {
  const spec = await new AppliedSpecStore(root).read(project, jobName);
  const job: Job | undefined = spec?.job;
  if (!spec || !job?.notify?.length) return;
  const stateFile = path.join(jobStateDir(root, project, jobName), MISSED_STATE);
  const scheduled = expected.toISOString();
  if (readJsonSync<{ scheduled?: string }>(stateFile)?.scheduled === scheduled) return;
  const [{ deliver }, { baseEvent }, { wants }, { jobEnvironment }, { recordNotifyFailures }] =
    await Promise.all([
      import('../notify/deliver.js'),
      import('../notify/run-hooks.js'),
      import('../notify/event.js'),
      import('../run/wrapper.js'),
      import('../notify/failures.js'),
    ]);
  let env: Record<string, string | undefined>;
  try {
    env = jobEnvironment(job, host.env, { SCHED_JOB: job.name, SCHED_PROJECT: job.project }).env;
  } catch (e) {
    report.notify_failed.push(`${jobName}: ${(e as Error).message}`);
    return;
  }
  const event = {
    ...baseEvent('missed', job, os.hostname(), spec.backend, ''),
    result: 'missed',
    scheduled,
  };
  const failures = await deliver(
    job.notify.filter((n) => wants(n, 'missed')),
    event,
    { env },
  );
  for (const f of failures) report.notify_failed.push(`${jobName}: missed to ${f.target}: ${f.error}`);
  recordNotifyFailures(
    root,
    project,
    jobName,
    failures.map((f) => ({ run_id: null, event: 'missed', at: new Date().toISOString(), ...f })),
  );
  // Remembered even when a delivery failed: the failure is reported, and repeating it every few
  // minutes would flood the notifiers that did work.
  writeAtomicSync(stateFile, JSON.stringify({ scheduled, at: new Date().toISOString() }) + '\n');
  report.notified.push({ job: jobName, scheduled });
}

/** One status line in the Nagios plugin convention, and its exit code (0 OK, 1 WARNING, 2 CRITICAL). */
export function nagiosLine(report: CheckReport): { line: string; exitCode: number } {
  const bad = report.jobs.filter((j) => !j.healthy);
  // Drift and a compensation running out are warnings: every run still happens as scheduled.
  const critical = bad.some((j) =>
    j.reasons.some((r) => !r.startsWith('drift:') && !r.startsWith(`${CLOCK_CHANGES}:`)),
  );
  const total = report.jobs.length;
  const perf = `| jobs=${total} unhealthy=${bad.length}`;
  if (bad.length === 0)
    return {
      line: `SCHED OK - ${report.project}: ${total} job${total === 1 ? '' : 's'} healthy ${perf}`,
      exitCode: 0,
    };
  const what = bad.map((j) => `${j.job} (${j.reasons.join('; ')})`).join(', ');
  return {
    line: `SCHED ${critical ? 'CRITICAL' : 'WARNING'} - ${report.project}: ${bad.length} of ${total} unhealthy: ${what} ${perf}`,
    exitCode: critical ? 2 : 1,
  };
}
