/**
 * What `sched run` does for notifications, healthcheck pings and the metrics textfile. Loaded
 * lazily by the wrapper, only for jobs that have any of them, so `sched run` of other jobs stays
 * light. Nothing here throws or changes a run's outcome: failures go to the run log and to
 * notify-failures.jsonl (shown by `sched history`).
 */
import { readFileSync } from 'node:fs';
import type { Job, NotifyEvent } from '../model/job.js';
import type { RunLog } from '../state/log.js';
import { tailLog } from '../state/log.js';
import type { RunRecord, RunStore } from '../state/runs.js';
import { deliver, pingHealthcheck, type DeliveryContext, type DeliveryFailure } from './deliver.js';
import {
  capTail,
  eventForOutcome,
  LOG_TAIL_LINES,
  previousOutcome,
  wants,
  type NotificationEvent,
} from './event.js';
import { recordNotifyFailures } from './failures.js';

export interface HookContext {
  root: string;
  job: Job;
  backend: string;
  store: RunStore;
  log: RunLog;
  runId: string;
  host: string;
  /** The job's environment with its env_file (for `${VAR}` and command notifiers). */
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** Does `sched run` need this module for `job`? */
export function hasRunHooks(job: Job): boolean {
  return Boolean(job.notify?.length || job.healthcheck || job.metricsTextfile);
}

let version: string | undefined;
export function schedVersion(): string {
  if (version === undefined) {
    try {
      // dist/notify/ and dist/run-bundle/ both sit two levels below the package root.
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version?: string;
      };
      version = pkg.version ?? 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** An event with the fields every kind shares. */
export function baseEvent(
  event: NotifyEvent,
  job: Job,
  host: string,
  backend: string,
  logTail: string,
): NotificationEvent {
  return {
    event,
    project: job.project,
    job: job.name,
    host,
    backend,
    result: null,
    exit_code: null,
    run_id: null,
    started: null,
    finished: null,
    duration_ms: null,
    attempts: 0,
    scheduled: null,
    log_tail: logTail,
    sched_version: schedVersion(),
  };
}

function report(ctx: HookContext, event: string, failures: (DeliveryFailure | undefined)[]): void {
  const real = failures.filter((f): f is DeliveryFailure => f !== undefined);
  for (const f of real) ctx.log.line('sched', `notification failed: ${event} to ${f.target}: ${f.error}`);
  try {
    recordNotifyFailures(
      ctx.root,
      ctx.job.project,
      ctx.job.name,
      real.map((f) => ({ run_id: ctx.runId, event, at: ctx.now().toISOString(), ...f })),
    );
  } catch (e) {
    ctx.log.line('sched', `cannot record the failed notification: ${(e as Error).message}`);
  }
}

function deliveryContext(ctx: HookContext): DeliveryContext {
  const delay = Number(ctx.env.SCHED_NOTIFY_RETRY_DELAY_MS);
  return { env: ctx.env, ...(Number.isFinite(delay) && delay >= 0 ? { retryDelayMs: delay } : {}) };
}

/** Before the first attempt: the `start` event and the healthcheck's /start ping. */
export async function beforeRun(ctx: HookContext): Promise<void> {
  const { job } = ctx;
  const notifiers = (job.notify ?? []).filter((n) => wants(n, 'start'));
  if (!notifiers.length && !job.healthcheck) return;
  const dctx = deliveryContext(ctx);
  const event: NotificationEvent = {
    ...baseEvent('start', job, ctx.host, ctx.backend, ''),
    run_id: ctx.runId,
    started: ctx.now().toISOString(),
  };
  const failures = await Promise.all([
    deliver(notifiers, event, dctx),
    job.healthcheck ? pingHealthcheck(job.healthcheck, 'start', null, '', dctx) : undefined,
  ]);
  report(ctx, 'start', [...failures[0], failures[1]]);
}

/** After the outcome is recorded: the run's event, the healthcheck's end ping, the metrics textfile. */
export async function afterRun(
  ctx: HookContext,
  outcome: { result: string; attempts: number },
): Promise<void> {
  const { job } = ctx;
  try {
    await notifyOutcome(ctx, outcome);
  } catch (e) {
    ctx.log.line('sched', `notifications not sent: ${(e as Error).message}`);
  }
  if (job.metricsTextfile) {
    try {
      const { writeMetricsTextfile } = await import('../metrics/textfile.js');
      await writeMetricsTextfile(ctx.root, job.project, job.metricsTextfile, ctx.now());
    } catch (e) {
      ctx.log.line('sched', `metrics textfile ${job.metricsTextfile} not written: ${(e as Error).message}`);
    }
  }
}

async function notifyOutcome(ctx: HookContext, outcome: { result: string; attempts: number }): Promise<void> {
  const { job, store } = ctx;
  const history = store.readHistory(200);
  const attempts = history.filter((r) => r.id === ctx.runId);
  const last: RunRecord | undefined = attempts[0];
  if (!last) return; // skipped before any attempt: nothing ran, nothing to report
  const event = eventForOutcome(outcome.result, previousOutcome(history, ctx.runId));
  if (!event) return;
  const first = attempts[attempts.length - 1]!;
  const tail = capTail(tailLog(store.logFile, LOG_TAIL_LINES));
  const payload: NotificationEvent = {
    ...baseEvent(event, job, ctx.host, ctx.backend, tail),
    result: last.result,
    exit_code: last.exit_code,
    run_id: ctx.runId,
    started: first.start,
    finished: last.end,
    duration_ms: last.end ? Date.parse(last.end) - Date.parse(first.start) : null,
    attempts: outcome.attempts,
    scheduled: last.scheduled ?? null,
  };
  const notifiers = (job.notify ?? []).filter((n) => wants(n, event));
  const dctx = deliveryContext(ctx);
  const failures = await Promise.all([
    deliver(notifiers, payload, dctx),
    job.healthcheck
      ? pingHealthcheck(
          job.healthcheck,
          event === 'failure' ? 'failure' : 'success',
          last.exit_code,
          tail,
          dctx,
        )
      : undefined,
  ]);
  report(ctx, event, [...failures[0], failures[1]]);
}
