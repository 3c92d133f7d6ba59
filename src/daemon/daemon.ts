/**
 * The daemon loop: keeps a {@link DaemonScheduler} in step with the embedded records, sleeps until
 * the next fire instant, and starts `sched run` for each due job. Everything it touches comes in
 * through {@link DaemonDeps} — clock, timers, the record loader, the process spawner, the log — so
 * tests run it with simulated time and recorded spawns.
 */
import type { Clock } from '../platform/ports.js';
import { DaemonScheduler, jobKey, type NextFireFn, type ScheduledJob } from './scheduler.js';

/** Timers, injectable so tests can simulate time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A started `sched run` process. */
export interface RunHandle {
  pid?: number;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: string | null; stderr?: string }>;
  /** Sends a signal to the wrapper (it stops its job and records the outcome). */
  kill(signal: NodeJS.Signals): void;
  /** Last resort: SIGKILL to the wrapper's whole process group. */
  forceKill(): void;
}

/** What to start: one job (`job` set) or a project's catch-up (`catchUp`). */
export interface RunRequest {
  project: string;
  job?: string;
  catchUp?: boolean;
  /** Started because the machine woke from sleep (recorded as trigger `wake`). */
  wake?: boolean;
}

/** One log event; `event` names it, the rest is data. Rendered as a text line or a JSON line. */
export interface DaemonEvent {
  event:
    | 'started'
    | 'fired'
    | 'catch-up'
    | 'exited'
    | 'spawn-failed'
    | 'picked-up-change'
    | 'invalid-record'
    | 'rescan-failed'
    | 'stopping'
    | 'clock-changed'
    | 'woke'
    | 'terminating'
    | 'stopped';
  time: string;
  [key: string]: unknown;
}

/** The records the loader found, and the ones it could not use (each a sentence). */
export interface LoadResult {
  jobs: ScheduledJob[];
  problems: { file: string; problem: string }[];
}

export interface DaemonDeps {
  clock: Clock;
  timers: Timers;
  nextFire: NextFireFn;
  loadJobs(): Promise<LoadResult>;
  spawnRun(request: RunRequest): RunHandle;
  log(event: DaemonEvent): void;
  /** How long running jobs may take to finish after a stop request (default 30 s). */
  graceMs?: number;
  /** After SIGTERM to the wrappers, how long before SIGKILL (default 10 s). */
  killAfterMs?: number;
  /** Periodic rescan of the records, in case a file-system event was missed (default 2 s; 0: off). */
  rescanMs?: number;
  /** Longest single sleep, so a wall-clock jump (suspend, NTP step) is noticed soon (default 30 s). */
  maxSleepMs?: number;
  /**
   * A clock that never jumps (ms, e.g. `performance.now`): comparing it with the wall clock
   * tells a step of the wall clock from time passing. Without it only a wall clock that went
   * backwards between two looks counts as a step.
   */
  monotonic?: () => number;
  /**
   * A clock (ms) that, unlike {@link monotonic}, keeps counting while the machine sleeps (Linux:
   * CLOCK_BOOTTIME, /proc/uptime); undefined when there is none. The two together measure time
   * asleep exactly, so a step of the wall clock (NTP at boot) is never taken for a wake. Without
   * it, a forward step of the wall clock against {@link monotonic} counts as time asleep.
   */
  sinceBoot?: () => number | undefined;
}

/** A wall-clock step smaller than this is noise (timer lateness), not a jump. */
const CLOCK_STEP_MS = 1_000;
/** Time asleep from which the `wake` jobs run: shorter gaps are a stalled process, not a suspend. */
export const WAKE_MIN_ASLEEP_MS = 5_000;

interface Running {
  request: RunRequest;
  handle: RunHandle;
  startedAt: Date;
}

export class Daemon {
  private readonly scheduler: DaemonScheduler;
  private readonly running = new Set<Running>();
  private wakeTimer: unknown;
  private rescanTimer: unknown;
  private stopping = false;
  private scanning: Promise<void> | undefined;
  private scanAgain = false;
  private knownProblems = new Set<string>();
  private stopped: Promise<void> | undefined;
  private hurry: (() => void) | undefined;
  private lastLook: { wall: number; mono?: number; boot?: number } | undefined;

  constructor(private readonly deps: DaemonDeps) {
    this.scheduler = new DaemonScheduler(deps.nextFire);
  }

  /** Jobs currently scheduled (for tests and status). */
  jobs(): ScheduledJob[] {
    return this.scheduler.jobs();
  }

  /** Number of `sched run` processes still running. */
  runningCount(): number {
    return this.running.size;
  }

  /**
   * Loads the records, runs the catch-up of every project and the boot jobs, and starts the loop.
   * Resolves once the loop is armed; the daemon then runs until {@link stop}.
   */
  async start(): Promise<void> {
    const now = this.deps.clock.now();
    const loaded = await this.deps.loadJobs();
    const change = this.scheduler.update(loaded.jobs, now);
    this.clockStepped(now);
    const jobs = this.scheduler.jobs();
    const projects = [...new Set(jobs.map((j) => j.project))].sort();
    this.emit('started', { jobs: jobs.length, projects });
    this.reportProblems(loaded, change.invalid);
    for (const project of projects) {
      this.launch({ project, catchUp: true }, 'catch-up', {});
    }
    // boot, and wake ("once when the machine starts or wakes"): the daemon's start is the start.
    for (const job of jobs) {
      if (job.schedule.kind === 'event') {
        const reason = job.schedule.event === 'boot' ? 'boot' : 'start';
        this.launch({ project: job.project, job: job.name }, 'fired', { reason });
      }
    }
    this.arm();
    this.armRescan();
  }

  /** Re-reads the records (called on a file-system event and periodically). Serialised. */
  rescan(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.scanning) {
      this.scanAgain = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.scanAgain = false;
          await this.scanOnce();
        } while (this.scanAgain && !this.stopping);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let loaded: LoadResult;
    try {
      loaded = await this.deps.loadJobs();
    } catch (e) {
      this.emit('rescan-failed', { error: (e as Error).message });
      return;
    }
    if (this.stopping) return;
    const now = this.deps.clock.now();
    if (this.clockStepped(now)) this.arm();
    const change = this.scheduler.update(loaded.jobs, now);
    this.reportProblems(loaded, change.invalid);
    if (change.added.length + change.removed.length + change.changed.length > 0) {
      const next = this.scheduler.nextWake();
      const { added, removed, changed } = change;
      this.emit('picked-up-change', { added, removed, changed, next: next?.toISOString() ?? null });
      this.arm();
    }
  }

  /** Problems are logged once each, not at every rescan. */
  private reportProblems(loaded: LoadResult, invalid: { key: string; error: string }[]): void {
    const current = new Set<string>();
    const all = [...loaded.problems, ...invalid.map((i) => ({ file: i.key, problem: i.error }))];
    for (const p of all) {
      const key = `${p.file}\0${p.problem}`;
      current.add(key);
      if (!this.knownProblems.has(key)) this.emit('invalid-record', { file: p.file, problem: p.problem });
    }
    this.knownProblems = current;
  }

  private arm(): void {
    if (this.wakeTimer !== undefined) this.deps.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (this.stopping) return;
    const wake = this.scheduler.nextWake();
    const maxSleep = this.deps.maxSleepMs ?? 30_000;
    if (!wake) {
      // Nothing timed, but wake jobs need a look now and then to notice a resume.
      if (this.wakeJobs().length > 0)
        this.wakeTimer = this.deps.timers.setTimeout(() => this.tick(), maxSleep);
      return;
    }
    const delay = Math.max(0, wake.getTime() - this.deps.clock.now().getTime());
    this.wakeTimer = this.deps.timers.setTimeout(() => this.tick(), Math.min(delay, maxSleep));
  }

  private armRescan(): void {
    const every = this.deps.rescanMs ?? 2_000;
    if (every <= 0 || this.stopping) return;
    this.rescanTimer = this.deps.timers.setTimeout(() => {
      this.rescanTimer = undefined;
      void this.rescan().finally(() => this.armRescan());
    }, every);
  }

  /**
   * Notices a step of the wall clock since the last look (at every tick and rescan) and, when it
   * went back, recomputes the pending instants from wall time. True when it stepped either way
   * (the caller re-arms the timer: a step forward makes instants due now).
   */
  private clockStepped(now: Date): boolean {
    const wall = now.getTime();
    const mono = this.deps.monotonic?.();
    const boot = this.deps.sinceBoot?.();
    const last = this.lastLook;
    this.lastLook = { wall, mono, boot };
    if (!last) return false;
    const elapsed =
      mono !== undefined && last.mono !== undefined ? mono - last.mono : Math.max(0, wall - last.wall);
    const step = wall - last.wall - elapsed;
    if (mono !== undefined && last.mono !== undefined) {
      // A monotonic clock stands still while the machine sleeps; the boot clock and the wall do not.
      const asleep = boot !== undefined && last.boot !== undefined ? boot - last.boot - elapsed : step;
      if (asleep >= WAKE_MIN_ASLEEP_MS) this.woke(asleep);
    }
    if (Math.abs(step) < CLOCK_STEP_MS) return false;
    if (step < 0) this.scheduler.resync(now);
    this.emit('clock-changed', {
      stepMs: Math.round(step),
      next: this.scheduler.nextWake()?.toISOString() ?? null,
    });
    return true;
  }

  private wakeJobs(): ScheduledJob[] {
    return this.scheduler.jobs().filter((j) => j.schedule.kind === 'event' && j.schedule.event === 'wake');
  }

  /** The machine slept `asleepMs`: each wake job runs once, recorded with trigger `wake`. */
  private woke(asleepMs: number): void {
    if (this.stopping) return;
    const jobs = this.wakeJobs();
    this.emit('woke', { asleepMs: Math.round(asleepMs), jobs: jobs.map(jobKey) });
    for (const job of jobs) {
      this.launch({ project: job.project, job: job.name, wake: true }, 'fired', { reason: 'wake' });
    }
  }

  private tick(): void {
    this.wakeTimer = undefined;
    if (this.stopping) return;
    const now = this.deps.clock.now();
    this.clockStepped(now);
    for (const fire of this.scheduler.due(now)) {
      this.launch({ project: fire.job.project, job: fire.job.name }, 'fired', {
        scheduled: fire.scheduledAt.toISOString(),
        ...(fire.coalesced > 0 ? { coalesced: fire.coalesced } : {}),
      });
    }
    this.arm();
  }

  private launch(request: RunRequest, event: 'fired' | 'catch-up', extra: Record<string, unknown>): void {
    const who = request.job ? { project: request.project, job: request.job } : { project: request.project };
    let handle: RunHandle;
    try {
      handle = this.deps.spawnRun(request);
    } catch (e) {
      this.emit('spawn-failed', { ...who, error: (e as Error).message });
      return;
    }
    const entry: Running = { request, handle, startedAt: this.deps.clock.now() };
    this.running.add(entry);
    this.emit(event, { ...who, ...extra, pid: handle.pid ?? null });
    handle.exited.then(
      (result) => {
        this.running.delete(entry);
        const durationMs = this.deps.clock.now().getTime() - entry.startedAt.getTime();
        this.emit('exited', {
          ...who,
          ...(request.catchUp ? { catchUp: true } : {}),
          pid: handle.pid ?? null,
          code: result.code,
          signal: result.signal,
          durationMs,
          ...(result.stderr ? { stderr: result.stderr } : {}),
        });
        if (this.running.size === 0 && this.hurry) this.hurry();
      },
      (e: Error) => {
        this.running.delete(entry);
        this.emit('spawn-failed', { ...who, error: e.message });
        if (this.running.size === 0 && this.hurry) this.hurry();
      },
    );
  }

  /**
   * Stops accepting work, lets running jobs finish within the grace period, then SIGTERMs the
   * wrappers (and SIGKILLs them after `killAfterMs`). Resolves when every child is gone. A second
   * call while stopping skips what is left of the grace period.
   */
  stop(signal?: string): Promise<void> {
    if (this.stopped) {
      this.hurry?.();
      return this.stopped;
    }
    this.stopping = true;
    if (this.wakeTimer !== undefined) this.deps.timers.clearTimeout(this.wakeTimer);
    if (this.rescanTimer !== undefined) this.deps.timers.clearTimeout(this.rescanTimer);
    this.wakeTimer = this.rescanTimer = undefined;
    const graceMs = this.deps.graceMs ?? 30_000;
    this.emit('stopping', { signal: signal ?? null, running: this.running.size, graceMs });
    this.stopped = (async () => {
      await this.waitForChildren(graceMs);
      if (this.running.size > 0) {
        this.emit('terminating', { running: [...this.running].map((r) => this.describe(r)) });
        for (const r of this.running) r.handle.kill('SIGTERM');
        await this.waitForChildren(this.deps.killAfterMs ?? 10_000);
        for (const r of this.running) r.handle.forceKill();
        await this.waitForChildren(2_000);
      }
      this.emit('stopped', { abandoned: this.running.size });
    })();
    return this.stopped;
  }

  private describe(r: Running): string {
    return r.request.job
      ? jobKey({ project: r.request.project, name: r.request.job })
      : `${r.request.project} (catch-up)`;
  }

  /** Waits until no child runs, at most `ms` (cut short by a second stop request). */
  private waitForChildren(ms: number): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.deps.timers.setTimeout(() => done(), ms);
      const done = (): void => {
        this.deps.timers.clearTimeout(timer);
        this.hurry = undefined;
        resolve();
      };
      this.hurry = done;
    });
  }

  private emit(event: DaemonEvent['event'], data: Record<string, unknown>): void {
    this.deps.log({ event, time: this.deps.clock.now().toISOString(), ...data });
  }
}
