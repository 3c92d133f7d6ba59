/**
 * The run wrapper: what `sched run JOB` does once the applied spec is known. Late-start and
 * jitter rules for scheduler-started runs, the overlap policy through the job's lock, the
 * attempts (env_file read now, timeout, retries), the records, the log, on_failure. Time,
 * sleeping, randomness and process liveness come from {@link RunDeps} so tests can drive it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, Command, Job, Schedule } from '../model/job.js';
import type { Clock } from '../platform/ports.js';
import type { AppliedSpec } from '../state/applied.js';
import { JobQueue } from '../state/queue.js';
import { JobLock, type LockHolder } from '../state/lock.js';
import { RunLog } from '../state/log.js';
import { takeRunNowRequest } from '../state/run-now-request.js';
import { lockFile, queueDir } from '../state/paths.js';
import {
  DEFAULT_STALE_MS,
  HEARTBEAT_MS,
  pidAlive,
  processStartTicks,
  RunStore,
  type RunRecord,
  type RunResultKind,
} from '../state/runs.js';
import { parseEnvFile } from './envfile.js';
import { execAttempt, reapOrphanGroup, signalExitCode, type ExecResult } from './exec.js';

/** Backends with no native jitter: the wrapper sleeps a random 0..jitter before starting. */
export const NO_NATIVE_JITTER: ReadonlySet<string> = new Set<BackendName>([
  'crontab',
  'launchd',
  'windows',
  'embedded',
]);
/** Backends with no native catch-up after power-off: the boot/wake entry runs `sched run --catch-up`. */
export const NO_NATIVE_CATCH_UP: ReadonlySet<string> = new Set<BackendName>([
  'crontab',
  'launchd',
  'embedded',
]);

/** A scheduler-started run later than this after its fire time (plus the job's jitter) is late. */
export const DEFAULT_LATE_GRACE_MS = 5 * 60_000;
export const DEFAULT_KILL_GRACE_MS = 10_000;

export type FireTimesBetween = (
  schedule: Schedule,
  zone: string,
  from: Date,
  to: Date,
) => Date[] | Promise<Date[]>;

export interface RunDeps {
  clock: Clock;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  host: string;
  pid: number;
  /** This process's start time (Linux clock ticks): recorded against pid reuse. */
  pidStart?: string;
  /** Is this process (pid, and its recorded start time when known) still running on this host? */
  isAlive(pid: number, start?: string): boolean;
  /** Fire times in (from, to]; the default lazily loads src/schedule/occurrences.ts. */
  fireTimesBetween: FireTimesBetween;
  killGraceMs: number;
  staleMs: number;
  lateGraceMs: number;
  heartbeatMs: number;
  /** How often a queued or replacing run looks at the lock again. */
  lockPollMs: number;
  /** The environment the job's env is layered on. */
  baseEnv: Record<string, string | undefined>;
  /** By hand: the command's output is copied here, and notices go to `err`. */
  echo?: { out: NodeJS.WritableStream; err: NodeJS.WritableStream };
  /** Aborted when the wrapper is told to stop (SIGTERM, SIGINT, SIGHUP). */
  signal?: AbortSignal;
}

export interface RunRequest {
  /** The backend that started the run (`--trigger`); undefined: by hand. */
  trigger?: string;
  /** A catch-up run for this missed fire time (from `--catch-up`). */
  catchUpFor?: Date;
}

export interface RunOutcome {
  exitCode: number;
  result: RunResultKind;
  attempts: number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function defaultFireTimesBetween(
  schedule: Schedule,
  zone: string,
  from: Date,
  to: Date,
): Promise<Date[]> {
  // Lazy: the schedule engine (cron-parser, zones) is only needed for late-start and catch-up checks.
  const mod = (await import('../schedule/occurrences.js')) as { fireTimesBetween: FireTimesBetween };
  return mod.fireTimesBetween(schedule, zone, from, to);
}

export function defaultRunDeps(overrides: Partial<RunDeps> = {}): RunDeps {
  const env = overrides.baseEnv ?? process.env;
  const grace = Number(env.SCHED_KILL_GRACE_MS);
  return {
    clock: { now: () => new Date() },
    sleep: abortableSleep,
    random: Math.random,
    host: os.hostname(),
    pid: process.pid,
    pidStart: processStartTicks(process.pid),
    isAlive: pidAlive,
    fireTimesBetween: defaultFireTimesBetween,
    killGraceMs:
      Number.isFinite(grace) && grace >= 0 && env.SCHED_KILL_GRACE_MS !== '' ? grace : DEFAULT_KILL_GRACE_MS,
    staleMs: DEFAULT_STALE_MS,
    lateGraceMs: DEFAULT_LATE_GRACE_MS,
    heartbeatMs: HEARTBEAT_MS,
    lockPollMs: 200,
    baseEnv: env,
    ...overrides,
  };
}

/** The latest fire time ≤ now, searching back through widening windows (cheap for dense schedules). */
export async function latestFireTime(
  schedule: Schedule,
  zone: string,
  now: Date,
  fireTimesBetween: FireTimesBetween,
): Promise<Date | undefined> {
  const hour = 3600_000;
  for (const span of [hour, 26 * hour, 32 * 24 * hour, 367 * 24 * hour, 4 * 367 * 24 * hour]) {
    const fires = await fireTimesBetween(schedule, zone, new Date(now.getTime() - span), now);
    if (fires.length) return fires[fires.length - 1];
  }
  return undefined;
}

/**
 * The instant up to which a job's fire times are accounted for: its last record's start, or when
 * the spec was applied if that is later (fire times before an apply — e.g. while the job was
 * disabled, or before it existed — were not missed: nothing was supposed to run them).
 */
export function accountedUntil(store: RunStore, spec: AppliedSpec): Date {
  const last = store.readLast();
  const applied = Date.parse(spec.appliedAt);
  const started = last ? Date.parse(last.start) : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(Number.isNaN(applied) ? Number.NEGATIVE_INFINITY : applied, started));
}

export function newRunId(now: Date, pid: number): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${pid}-${Math.random().toString(36).slice(2, 8)}`;
}

export function describeCommand(command: Command): string {
  return 'argv' in command ? JSON.stringify(command.argv) : `sh -c ${JSON.stringify(command.shell)}`;
}

function holderText(h: LockHolder): string {
  return `pid ${h.pid ?? '?'} on ${h.host ?? '?'}, started ${h.start ?? '?'}`;
}

/** Builds the environment of an attempt: base, inline env, env_file (read now; it wins, like systemd's EnvironmentFile=), SCHED_*. */
export function jobEnvironment(
  job: Job,
  base: Record<string, string | undefined>,
  extra: Record<string, string>,
): { env: Record<string, string | undefined>; warning?: string } {
  const env: Record<string, string | undefined> = { ...base, ...job.env };
  let warning: string | undefined;
  if (job.envFile) {
    let text: string;
    try {
      text = fs.readFileSync(job.envFile, 'utf8');
    } catch (e) {
      throw new Error(
        `cannot read env_file ${job.envFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    if (process.platform !== 'win32') {
      const mode = fs.statSync(job.envFile).mode & 0o777;
      if (mode & 0o077)
        warning = `env_file ${job.envFile} is readable by others (mode ${mode.toString(8)}); chmod 600 it`;
    }
    try {
      Object.assign(env, parseEnvFile(text));
    } catch (e) {
      throw new Error(`env_file ${job.envFile}: ${(e as Error).message}`);
    }
  }
  Object.assign(env, extra);
  return { env, warning };
}

/** Turns dead runs into `interrupted` records, stopping what their command left running. */
export function sweep(store: RunStore, deps: RunDeps): Promise<RunRecord[]> {
  return store.sweepInterrupted({
    now: deps.clock.now(),
    host: deps.host,
    isAlive: deps.isAlive,
    staleMs: deps.staleMs,
    reap: (r) => reapOrphanGroup(r.pgid!, r.pgid_start, deps.killGraceMs),
  });
}

export class Wrapper {
  constructor(
    readonly root: string,
    readonly deps: RunDeps,
  ) {}

  private notice(text: string): void {
    this.deps.echo?.err.write(`sched: ${text}\n`);
  }

  private baseRecord(job: Job, id: string, trigger: string, extra: Partial<RunRecord> = {}): RunRecord {
    const now = this.deps.clock.now().toISOString();
    return {
      id,
      project: job.project,
      job: job.name,
      start: now,
      end: now,
      duration_ms: 0,
      exit_code: null,
      signal: null,
      result: 'skipped',
      attempt: 1,
      trigger,
      pid: this.deps.pid,
      ...(this.deps.pidStart ? { pid_start: this.deps.pidStart } : {}),
      host: this.deps.host,
      ...extra,
    };
  }

  /** Runs the job of `spec` once (with its retries), honouring every rule; returns the exit code. */
  async run(spec: AppliedSpec, req: RunRequest = {}): Promise<RunOutcome> {
    const { deps } = this;
    const job = spec.job;
    const store = new RunStore(this.root, job.project, job.name);
    store.ensure();
    await sweep(store, deps);
    // `sched run-now` through systemd/launchd/Task Scheduler starts the scheduled command line:
    // its one-shot request says the user asked for this run, which is never late.
    const runNowVia =
      req.trigger && !req.catchUpFor
        ? takeRunNowRequest(this.root, job.project, job.name, deps.clock.now())
        : undefined;
    if (runNowVia) req = {};
    const trigger = req.catchUpFor ? 'catch-up' : (req.trigger ?? 'manual');
    const id = newRunId(deps.clock.now(), deps.pid);
    const log = new RunLog(store.logFile, { now: () => deps.clock.now() });
    if (runNowVia) log.line('sched', `run ${id}: asked for by sched run-now, started through ${runNowVia}`);
    try {
      return await this.runLogged(spec, req, store, log, trigger, id);
    } finally {
      log.close();
    }
  }

  private async runLogged(
    spec: AppliedSpec,
    req: RunRequest,
    store: RunStore,
    log: RunLog,
    trigger: string,
    id: string,
  ): Promise<RunOutcome> {
    const { deps } = this;
    const job = spec.job;
    const skip = (reason: string, extra: Partial<RunRecord> = {}): RunOutcome => {
      store.record(this.baseRecord(job, id, trigger, { result: 'skipped', reason, ...extra }));
      log.line('sched', `run ${id} skipped: ${reason}`);
      this.notice(`skipped: ${reason}`);
      return { exitCode: 0, result: 'skipped', attempts: 0 };
    };

    let scheduled: Date | undefined = req.catchUpFor;
    if (req.trigger && !job.enabled) return skip('the job is disabled (enabled: false)');

    // Late start (catch_up false): only for scheduler-started runs of time-based schedules.
    if (req.trigger && !req.catchUpFor && job.schedule.kind !== 'event' && !job.catchUp) {
      const now = deps.clock.now();
      scheduled = await latestFireTime(job.schedule, job.timezone, now, deps.fireTimesBetween);
      if (scheduled) {
        const since = accountedUntil(store, spec);
        const missed = (await deps.fireTimesBetween(job.schedule, job.timezone, since, scheduled)).filter(
          (t) => t.getTime() < scheduled!.getTime(),
        );
        if (missed.length) {
          const last = missed[missed.length - 1]!;
          store.record(
            this.baseRecord(job, `${id}-missed`, trigger, {
              result: 'missed',
              scheduled: last.toISOString(),
              missed_count: missed.length,
              reason: `${missed.length} fire time(s) passed while nothing ran (catch_up is false)`,
            }),
          );
          log.line(
            'sched',
            `${missed.length} missed fire time(s) since ${since.toISOString()}, the last at ${last.toISOString()}`,
          );
        }
        const lateMs = now.getTime() - scheduled.getTime();
        if (lateMs > deps.lateGraceMs + job.jitterSeconds * 1000) {
          return skip(
            `started ${Math.round(lateMs / 1000)} s after its fire time ${scheduled.toISOString()} (catch_up is false)`,
            { scheduled: scheduled.toISOString() },
          );
        }
      }
    }

    // Jitter for schedulers with no native form of it.
    if (req.trigger && !req.catchUpFor && job.jitterSeconds > 0 && NO_NATIVE_JITTER.has(req.trigger)) {
      const ms = Math.floor(deps.random() * job.jitterSeconds * 1000);
      log.line('sched', `jitter: waiting ${ms} ms before starting`);
      await deps.sleep(ms, deps.signal);
      if (deps.signal?.aborted)
        return { exitCode: signalExitCode('SIGTERM'), result: 'interrupted', attempts: 0 };
    }

    // Overlap.
    const lock = new JobLock(lockFile(this.root, job.project, job.name), path.dirname(this.root));
    const owner = {
      id,
      pid: deps.pid,
      ...(deps.pidStart ? { pid_start: deps.pidStart } : {}),
      host: deps.host,
      start: deps.clock.now().toISOString(),
    };
    let locked = false;
    // overlap: queue waits in line: it takes the lock only when no run that came earlier waits.
    const place =
      job.overlap === 'queue'
        ? new JobQueue(queueDir(this.root, job.project, job.name), lock.base).join(owner, deps.clock.now())
        : undefined;
    try {
      if (job.overlap !== 'allow') {
        let signalled: number | undefined;
        let announced = false;
        for (;;) {
          const ctx = {
            now: deps.clock.now(),
            host: deps.host,
            isAlive: deps.isAlive,
            staleMs: deps.staleMs,
          };
          const ahead = place?.ahead(ctx) ?? 0;
          const got = ahead === 0 ? lock.tryAcquire(owner, ctx) : undefined;
          if (got?.acquired) {
            locked = true;
            place?.leave();
            // We waited for (or replaced) another run: if it died rather than ended, record it and
            // stop what it left before this run starts.
            if (announced) await sweep(store, deps);
            break;
          }
          const holder = got?.holder ?? lock.holder();
          const who = holder ? holderText(holder) : `${ahead} queued run${ahead === 1 ? '' : 's'} ahead`;
          if (job.overlap === 'skip') {
            return skip(
              `another run is active (${who}; overlap: skip)`,
              scheduled ? { scheduled: scheduled.toISOString() } : {},
            );
          }
          if (!announced) {
            announced = true;
            const what =
              job.overlap === 'queue' ? 'waiting for the active run to finish' : 'stopping the active run';
            log.line('sched', `run ${id}: ${what} (${who}; overlap: ${job.overlap})`);
            this.notice(`${what} (${who})`);
          }
          if (job.overlap === 'replace' && holder?.host === deps.host && holder.pid !== undefined) {
            const nowMs = deps.clock.now().getTime();
            if (signalled === undefined) {
              signalled = nowMs;
              try {
                process.kill(holder.pid, 'SIGTERM');
              } catch {
                // Gone already: the lock is stale now.
              }
            } else if (nowMs - signalled > 2 * deps.killGraceMs + 5000) {
              // The holder did not stop within its own grace period: force it.
              try {
                process.kill(holder.pid, 'SIGKILL');
              } catch {
                // Gone.
              }
            }
          }
          await deps.sleep(deps.lockPollMs, deps.signal);
          if (deps.signal?.aborted)
            return { exitCode: signalExitCode('SIGTERM'), result: 'interrupted', attempts: 0 };
          place?.heartbeat(deps.clock.now());
        }
      }
    } finally {
      place?.leave();
    }

    const beat = setInterval(() => {
      const now = deps.clock.now();
      if (locked) lock.heartbeat(now);
      store.heartbeat(id, now);
    }, deps.heartbeatMs);
    beat.unref();
    try {
      return await this.attempts(spec, store, log, trigger, id, scheduled);
    } finally {
      clearInterval(beat);
      if (locked) lock.release(id);
    }
  }

  private async attempts(
    spec: AppliedSpec,
    store: RunStore,
    log: RunLog,
    trigger: string,
    id: string,
    scheduled: Date | undefined,
  ): Promise<RunOutcome> {
    const { deps } = this;
    const job = spec.job;
    const total = 1 + Math.max(0, job.retries.max);
    let final: { result: RunResultKind; exitCode: number } = { result: 'failed', exitCode: 1 };
    let attempt = 1;
    for (; attempt <= total; attempt++) {
      const start = deps.clock.now();
      const running: RunRecord = {
        ...this.baseRecord(job, id, trigger, {
          start: start.toISOString(),
          end: null,
          duration_ms: null,
          result: 'running',
          attempt,
        }),
        ...(scheduled ? { scheduled: scheduled.toISOString() } : {}),
      };
      store.markRunning(running);
      log.line(
        'sched',
        `run ${id} attempt ${attempt}/${total} started (trigger: ${trigger}): ${describeCommand(job.command)}`,
      );

      let res: ExecResult;
      let reason: string | undefined;
      try {
        const { env, warning } = jobEnvironment(job, deps.baseEnv, {
          SCHED_JOB: job.name,
          SCHED_PROJECT: job.project,
          SCHED_RUN_ID: id,
          SCHED_ATTEMPT: String(attempt),
          SCHED_TRIGGER: trigger,
        });
        if (warning) log.line('sched', `warning: ${warning}`);
        if (!fs.statSync(job.workingDir, { throwIfNoEntry: false })?.isDirectory()) {
          throw new Error(`working directory ${job.workingDir} does not exist`);
        }
        res = await execAttempt({
          command: job.command,
          cwd: job.workingDir,
          env,
          timeoutMs: job.timeoutSeconds ? job.timeoutSeconds * 1000 : undefined,
          killGraceMs: deps.killGraceMs,
          log,
          echo: deps.echo,
          signal: deps.signal,
          // Recorded so that, should this wrapper die, the next look can stop what it left.
          onSpawn: (pid) =>
            store.updateRunning({ ...running, pgid: pid, pgid_start: processStartTicks(pid) }),
        });
        reason = res.error;
      } catch (e) {
        reason = (e as Error).message;
        log.line('sched', reason);
        this.notice(reason);
        res = { exitCode: 1, signal: null, timedOut: false, stopped: false, error: reason };
      }
      const end = deps.clock.now();
      const result: RunResultKind = res.stopped
        ? 'interrupted'
        : res.timedOut
          ? 'timeout'
          : res.exitCode === 0 && !res.error
            ? 'ok'
            : 'failed';
      if (result === 'interrupted')
        reason = 'stopped by a signal to sched run (replaced, or the scheduler stopped it)';
      if (result === 'timeout') reason = `timed out after ${job.timeoutSeconds} s`;
      const done: RunRecord = {
        ...running,
        end: end.toISOString(),
        duration_ms: end.getTime() - start.getTime(),
        exit_code: res.signal ? null : res.exitCode,
        signal: res.signal,
        result,
        ...(reason ? { reason } : {}),
      };
      store.finish(done);
      log.line(
        'sched',
        `run ${id} attempt ${attempt}/${total} finished: ${result}, ${res.signal ? `signal ${res.signal}` : `exit code ${res.exitCode}`}, ${done.duration_ms} ms`,
      );
      final = {
        result,
        // A timeout is a failure even if the command caught SIGTERM and exited 0 (124, like timeout(1)).
        exitCode:
          result === 'interrupted'
            ? signalExitCode('SIGTERM')
            : result === 'timeout' && res.exitCode === 0
              ? 124
              : res.exitCode,
      };
      if (result === 'ok' || result === 'interrupted' || attempt === total) break;
      log.line('sched', `retrying in ${job.retries.delaySeconds} s (attempt ${attempt + 1}/${total})`);
      await deps.sleep(job.retries.delaySeconds * 1000, deps.signal);
      if (deps.signal?.aborted) break;
    }

    if ((final.result === 'failed' || final.result === 'timeout') && job.onFailure && !deps.signal?.aborted) {
      await this.onFailure(job, store, log, final);
    }
    return { ...final, attempts: Math.min(attempt, total) };
  }

  private async onFailure(
    job: Job,
    store: RunStore,
    log: RunLog,
    final: { result: RunResultKind; exitCode: number },
  ) {
    const { deps } = this;
    log.line('sched', `on_failure: ${describeCommand(job.onFailure!)}`);
    try {
      const { env } = jobEnvironment(job, deps.baseEnv, {
        SCHED_JOB: job.name,
        SCHED_PROJECT: job.project,
        SCHED_RESULT: final.result,
        SCHED_EXIT_CODE: String(final.exitCode),
        SCHED_LOG: store.logFile,
      });
      const res = await execAttempt({
        command: job.onFailure!,
        cwd: fs.statSync(job.workingDir, { throwIfNoEntry: false })?.isDirectory()
          ? job.workingDir
          : this.root,
        env,
        timeoutMs: (job.timeoutSeconds ?? 600) * 1000,
        killGraceMs: deps.killGraceMs,
        log,
        echo: deps.echo,
        signal: deps.signal,
      });
      log.line('sched', `on_failure finished: exit code ${res.exitCode}`);
    } catch (e) {
      log.line('sched', `on_failure could not run: ${(e as Error).message}`);
    }
  }
}
