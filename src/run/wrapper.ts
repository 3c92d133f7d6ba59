/**
 * The run wrapper: what `sched run JOB` does once the applied spec is known. Late-start and
 * jitter rules for scheduler-started runs, the overlap policy through the job's lock, the
 * attempts (env_file read now, timeout, retries), the records, the log, on_failure. Time,
 * sleeping, randomness and process liveness come from {@link RunDeps} so tests can drive it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command, Job, Schedule } from '../model/job.js';
import type { Clock } from '../platform/ports.js';
import type { AppliedSpec } from '../state/applied.js';
import { JobQueue } from '../state/queue.js';
import { JobLock, type LockHolder } from '../state/lock.js';
import { RunLog } from '../state/log.js';
import { takeRunNowRequest } from '../state/run-now-request.js';
import { lockFile, queueDir, replaceLineDir } from '../state/paths.js';
import { isDiskFull } from '../state/files.js';
import { UserError } from '../errors.js';
import { isoTime } from '../model/iso-time.js';
import {
  DEFAULT_STALE_MS,
  HEARTBEAT_MS,
  OutcomeKeptError,
  pidAlive,
  processStartTicks,
  RunStore,
  type RunRecord,
  type RunResultKind,
} from '../state/runs.js';
import { readEnvFile } from '../config/envfile.js';
import { missedFireTimes, mostRecentFireTime, type FireTimesIn } from '../schedule/missed.js';
import { execAttempt, killGroupOf, reapOrphanGroup, signalExitCode, type ExecResult } from './exec.js';

/** A scheduler-started run later than this after its fire time (plus the job's jitter) is late. */
export const DEFAULT_LATE_GRACE_MS = 5 * 60_000;
export const DEFAULT_KILL_GRACE_MS = 10_000;

/** The schedule engine's `fireTimesBetween` (src/schedule/occurrences.ts): instants in (from, to]. */
export type FireTimesBetween = (schedule: Schedule, zone: string, from: Date, to: Date) => Date[];

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
  /** Fire times in (from, to]; undefined: the schedule engine, loaded only when a check needs it. */
  fireTimesBetween?: FireTimesBetween;
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

/** The fire times of `job`'s schedule in its zone, through the injected engine or the real one. */
export async function jobFireTimes(deps: RunDeps, job: Job): Promise<FireTimesIn> {
  // Lazy: the schedule engine (cron parser, zones) is only needed for late-start and catch-up checks.
  const between = deps.fireTimesBetween ?? (await import('../schedule/occurrences.js')).fireTimesBetween;
  return (from, to) => between(job.schedule, job.timezone, from, to);
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
  const stamp = isoTime(now)
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
    const read = readEnvFile(job.envFile);
    warning = read.warning;
    Object.assign(env, read.env);
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
    const now = isoTime(this.deps.clock.now());
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
    // `sched run-now` through systemd/launchd/Task Scheduler starts the scheduled command line:
    // its one-shot request says the user asked for this run, which is never late.
    const runNowVia =
      req.trigger && !req.catchUpFor
        ? takeRunNowRequest(this.root, job.project, job.name, deps.clock.now())
        : undefined;
    if (runNowVia) req = {};
    const trigger = req.catchUpFor ? 'catch-up' : (req.trigger ?? 'manual');
    const id = newRunId(deps.clock.now(), deps.pid);
    const log = new RunLog(store.logFile, {
      now: () => deps.clock.now(),
      onWriteError: (e) =>
        this.diskNotice(e, `cannot write the log ${store.logFile}: the job's output is being dropped`),
    });
    if (runNowVia) log.line('sched', `run ${id}: asked for by sched run-now, started through ${runNowVia}`);
    try {
      store.ensure();
      try {
        await sweep(store, deps);
      } catch (e) {
        // Earlier runs stay unrecorded until there is space; this one still runs.
        if (!isDiskFull(e)) throw e;
        this.diskNotice(e, 'cannot record the outcome of an earlier run yet');
      }
      const outcome = await this.runLogged(spec, req, store, log, trigger, id);
      await this.hooks('after', spec, store, log, id, outcome);
      return outcome;
    } catch (e) {
      if (!isDiskFull(e)) throw e;
      throw new UserError(
        `disk full: sched cannot write its state in ${this.root} (${(e as NodeJS.ErrnoException).code}); run ${id} of ${job.name} was not started`,
        'free some space there; the next run records what can be recovered',
      );
    } finally {
      log.close();
    }
  }

  /** Says plainly, on stderr whoever started the run (cron mails it, journald keeps it), what a full disk cost. */
  private diskNotice(e: unknown, what: string): void {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const text = `${isDiskFull(e) ? 'disk full' : 'write failed'} (${code}): ${what}`;
    process.stderr.write(`sched: ${text}\n`);
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
      const fires = await jobFireTimes(deps, job);
      scheduled = mostRecentFireTime(fires, now);
      if (scheduled) {
        const since = accountedUntil(store, spec);
        // The fire times before the one this run stands for (`scheduled` itself excluded).
        const missed = missedFireTimes(fires, since, new Date(scheduled.getTime() - 1));
        if (missed.mostRecent) {
          const last = missed.mostRecent;
          store.record(
            this.baseRecord(job, `${id}-missed`, trigger, {
              result: 'missed',
              scheduled: last.toISOString(),
              missed_count: missed.count,
              reason: `${missed.count} fire time(s) passed while nothing ran (catch_up is false)`,
            }),
          );
          log.line(
            'sched',
            `${missed.count} missed fire time(s) since ${since.toISOString()}, the last at ${last.toISOString()}`,
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
    if (req.trigger && !req.catchUpFor && job.jitterSeconds > 0 && !spec.capabilities.nativeJitter) {
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
      start: isoTime(deps.clock.now()),
    };
    let locked = false;
    // overlap: queue waits in line: it takes the lock only when no run that came earlier waits.
    const place =
      job.overlap === 'queue'
        ? new JobQueue(queueDir(this.root, job.project, job.name), lock.base).join(owner, deps.clock.now())
        : undefined;
    // overlap: replace registers on arrival, and keeps its ticket until it ends: the newest
    // invocation wins, an older one still waiting gives way (recorded as replaced).
    const line =
      job.overlap === 'replace'
        ? new JobQueue(replaceLineDir(this.root, job.project, job.name), lock.base).join(
            owner,
            deps.clock.now(),
          )
        : undefined;
    try {
      try {
        if (job.overlap !== 'allow') {
          const replacing: { id?: string; at?: number; forced?: boolean } = {};
          let announced = false;
          for (;;) {
            const ctx = {
              now: deps.clock.now(),
              host: deps.host,
              isAlive: deps.isAlive,
              staleMs: deps.staleMs,
            };
            if (line && line.behind(ctx) > 0) {
              const reason = 'a newer run of the job replaced it before it started (overlap: replace)';
              store.record(this.baseRecord(job, id, trigger, { result: 'replaced', reason }));
              log.line('sched', `run ${id} replaced: ${reason}`);
              this.notice(`replaced: ${reason}`);
              return { exitCode: 0, result: 'replaced', attempts: 0 };
            }
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
            if (job.overlap === 'replace' && holder) this.replaceHolder(store, holder, id, replacing, log);
            await deps.sleep(deps.lockPollMs, deps.signal);
            if (deps.signal?.aborted) {
              const reason = 'stopped by a signal to sched run while it waited for the active run';
              store.record(this.baseRecord(job, id, trigger, { result: 'interrupted', reason }));
              return { exitCode: signalExitCode('SIGTERM'), result: 'interrupted', attempts: 0 };
            }
            place?.heartbeat(deps.clock.now());
            line?.heartbeat(deps.clock.now());
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
        await this.hooks('before', spec, store, log, id);
        return await this.attempts(spec, store, log, trigger, id, scheduled);
      } finally {
        clearInterval(beat);
        if (locked) lock.release(id);
        store.clearReplaced(id);
      }
    } finally {
      line?.leave();
    }
  }

  /**
   * `overlap: replace`: asks the run holding the lock to give way — a marker so that it records
   * `replaced`, and SIGTERM to its wrapper, which stops its job (SIGTERM to the job's process
   * group, SIGKILL after the grace period) and records the outcome. Should the job still run well
   * after that, its process group (never the wrapper) gets SIGKILL from here. Only on this host.
   */
  private replaceHolder(
    store: RunStore,
    holder: LockHolder,
    id: string,
    state: { id?: string; at?: number; forced?: boolean },
    log: RunLog,
  ): void {
    const { deps } = this;
    if (holder.host !== deps.host || holder.pid === undefined || holder.id === undefined) return;
    const nowMs = deps.clock.now().getTime();
    if (state.id !== holder.id) {
      let marked: boolean;
      try {
        marked = store.markReplaced(holder.id, id);
      } catch (e) {
        log.line('sched', `cannot mark run ${holder.id} as replaced: ${(e as Error).message}`);
        marked = true; // still ask it to stop
      }
      // Not active yet (or already ending), and nobody marked it: look again at the next poll.
      if (!marked && store.replacedBy(holder.id) === undefined) return;
      state.id = holder.id;
      state.at = nowMs;
      state.forced = false;
      // One SIGTERM per replaced run, from the run that marked it, while it is active: a signal
      // that reached a wrapper already exiting would kill it before Node's handlers could.
      if (marked) {
        try {
          process.kill(holder.pid, 'SIGTERM');
        } catch {
          // Gone already: the lock is stale now.
        }
      }
    } else if (!state.forced && nowMs - state.at! > deps.killGraceMs + 5000) {
      state.forced = true;
      const running = store.readRunning(holder.id);
      if (running?.pgid !== undefined && killGroupOf(running.pgid, running.pgid_start, 'SIGKILL'))
        log.line('sched', `run ${holder.id} did not stop its job in time: SIGKILL to its process group`);
    }
  }

  /**
   * Notifications, healthcheck pings and the metrics textfile (src/notify/run-hooks.ts), loaded
   * only for jobs that have any: bounded in time, and they never change the outcome.
   */
  private async hooks(
    phase: 'before' | 'after',
    spec: AppliedSpec,
    store: RunStore,
    log: RunLog,
    id: string,
    outcome?: RunOutcome,
  ): Promise<void> {
    const job = spec.job;
    if (!job.notify?.length && !job.healthcheck && !job.metricsTextfile) return;
    try {
      const hooks = await import('../notify/run-hooks.js');
      let env: Record<string, string | undefined>;
      try {
        env = jobEnvironment(job, this.deps.baseEnv, { SCHED_JOB: job.name, SCHED_PROJECT: job.project }).env;
      } catch {
        env = { ...this.deps.baseEnv, ...job.env };
      }
      const ctx = {
        root: this.root,
        job,
        backend: spec.backend,
        store,
        log,
        runId: id,
        host: this.deps.host,
        env,
        now: () => this.deps.clock.now(),
      };
      if (phase === 'before') await hooks.beforeRun(ctx);
      else await hooks.afterRun(ctx, outcome!);
    } catch (e) {
      log.line('sched', `notifications: ${(e as Error).message}`);
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
          start: isoTime(start),
          end: null,
          duration_ms: null,
          result: 'running',
          attempt,
        }),
        ...(scheduled ? { scheduled: isoTime(scheduled) } : {}),
      };
      try {
        store.markRunning(running);
      } catch (e) {
        // The job still runs (it may be what frees the disk); its outcome is recorded if it can be.
        if (!isDiskFull(e)) throw e;
        this.diskNotice(e, `cannot record the start of run ${id}; the job runs anyway`);
      }
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
          onSpawn: (pid) => {
            try {
              store.updateRunning({ ...running, pgid: pid, pgid_start: processStartTicks(pid) });
            } catch (e) {
              if (!isDiskFull(e)) throw e;
            }
          },
          // Should this wrapper die, a watchdog stops the job and marks when in the running file.
          watchdogTouch: store.runningFile(id),
        });
        reason = res.error;
        // By hand, say why a command could not start (the log and history have it too).
        if (res.error) this.notice(res.error);
      } catch (e) {
        reason = (e as Error).message;
        log.line('sched', reason);
        this.notice(reason);
        res = { exitCode: 1, signal: null, timedOut: false, stopped: false, error: reason };
      }
      const end = deps.clock.now();
      let result: RunResultKind = res.stopped
        ? 'interrupted'
        : res.timedOut
          ? 'timeout'
          : res.exitCode === 0 && !res.error
            ? 'ok'
            : 'failed';
      const replacedBy = result === 'interrupted' ? store.replacedBy(id) : undefined;
      if (replacedBy) {
        result = 'replaced';
        reason = `replaced by run ${replacedBy} (overlap: replace)`;
      } else if (result === 'interrupted')
        reason = 'stopped by a signal to sched run (the scheduler or a user stopped it)';
      if (result === 'timeout') reason = `timed out after ${job.timeoutSeconds} s`;
      const done: RunRecord = {
        ...running,
        end: isoTime(end),
        duration_ms: end.getTime() - start.getTime(),
        exit_code: res.signal ? null : res.exitCode,
        signal: res.signal,
        result,
        ...(reason ? { reason } : {}),
      };
      this.recordOutcome(store, done);
      log.line(
        'sched',
        `run ${id} attempt ${attempt}/${total} finished: ${result}, ${res.signal ? `signal ${res.signal}` : `exit code ${res.exitCode}`}, ${done.duration_ms} ms`,
      );
      final = {
        result,
        // A timeout is a failure even if the command caught SIGTERM and exited 0 (124, like timeout(1)).
        exitCode:
          result === 'replaced'
            ? 0
            : result === 'interrupted'
              ? signalExitCode('SIGTERM')
              : result === 'timeout' && res.exitCode === 0
                ? 124
                : res.exitCode,
      };
      if (result === 'ok' || result === 'interrupted' || result === 'replaced' || attempt === total) break;
      log.line('sched', `retrying in ${job.retries.delaySeconds} s (attempt ${attempt + 1}/${total})`);
      await deps.sleep(job.retries.delaySeconds * 1000, deps.signal);
      if (deps.signal?.aborted) break;
    }

    if ((final.result === 'failed' || final.result === 'timeout') && job.onFailure && !deps.signal?.aborted) {
      await this.onFailure(job, store, log, final);
    }
    return { ...final, attempts: Math.min(attempt, total) };
  }

  /**
   * Records a finished attempt — the one place an outcome is written (hooks that act on an
   * outcome belong right after this call). On a full disk the outcome is kept in the run's
   * running file when possible (space reserved at start; the next sweep moves it into the
   * history), and stderr says plainly what happened either way.
   */
  private recordOutcome(store: RunStore, done: RunRecord): void {
    const what = `${done.result}, ${done.signal ? `signal ${done.signal}` : `exit code ${done.exit_code}`}`;
    try {
      store.finish(done);
    } catch (e) {
      if (e instanceof OutcomeKeptError) {
        this.diskNotice(
          e.failure,
          `the outcome of run ${done.id} (${what}) is kept in ${e.file}; the next run adds it to the history`,
        );
        return;
      }
      if (!isDiskFull(e)) throw e;
      this.diskNotice(e, `the outcome of run ${done.id} (${what}) could not be recorded`);
    }
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
