/**
 * `sched watch`: re-plans (and with `apply`, applies) every time schedules.yaml or an env file it
 * names is saved. No printing: every cycle ends in a {@link CycleResult} handed to `onEvent`,
 * which the command prints.
 *
 * Safety rules, in order:
 * - a file that is missing, empty, half-written or invalid changes nothing (the cycle reports
 *   its diagnostics and the installed jobs stay as they are);
 * - deletions are held back: a file saved half-way that still parses (cut at a job boundary)
 *   looks exactly like a file whose last jobs were removed, so watch never deletes on its own.
 *   Adds and changes go ahead; the deletions wait until the user confirms (`sched apply`, or
 *   'yes' on watch's terminal) or the file changes again. With `allowDelete`, a plan deleting at
 *   most `maxDelete` jobs is applied whole, and a larger one is held back whole;
 * - every apply cycle plans and applies under the project's apply lock, re-checking the plan
 *   before changing anything (services/apply.ts), so watch never undoes a manual apply running
 *   beside it; when another apply holds the lock, the cycle waits and retries;
 * - cycles never overlap: a save during a cycle queues one more cycle after it.
 *
 * The file's directory is watched, not the file, so an editor's write-to-temp-then-rename and a
 * delete + re-create are seen; events are debounced so one save gives one cycle.
 */
import path from 'node:path';
import type { Diagnostic } from '../config/diagnostic.js';
import { InvalidConfigError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import { AppliedSpecStore } from '../state/applied.js';
import type { PlanOutcome } from './plan.js';

export type CycleStatus = 'unchanged' | 'planned' | 'applied' | 'held' | 'invalid' | 'failed' | 'busy';

/** What one cycle found and did. */
export interface CycleResult {
  at: Date;
  /** What started the cycle. */
  trigger: 'start' | 'change' | 'confirm';
  status: CycleStatus;
  /** The plan (every status but invalid/failed-before-planning). */
  plan?: Plan;
  /** invalid: the file's problems; `source` is its text, for quoting lines. */
  diagnostics?: Diagnostic[];
  source?: string;
  /** failed: what went wrong (planning or applying). */
  error?: Error;
  /** held: how many jobs the plan deletes, and the limit it exceeds (with allowDelete). */
  deletes?: number;
  maxDelete?: number;
  /**
   * held without allowDelete: the jobs whose deletion waits for a confirmation; the rest of the
   * plan (`applied`) went ahead.
   */
  heldJobs?: string[];
  /** held: what was applied of the plan (adds and changes), when anything was. */
  applied?: Plan['summary'];
  /** busy: who holds the apply lock (the cycle is retried until it is free). */
  holder?: string;
}

export type WatchEvent =
  | { type: 'watching'; paths: string[] }
  | { type: 'cycle-start'; at: Date; trigger: CycleResult['trigger'] }
  | { type: 'cycle'; result: CycleResult }
  | { type: 'closed' };

/** A running file watcher over some directories; reports changed paths. */
export interface DirWatcher {
  /** Start watching more directories. */
  add(dirs: string[]): void;
  close(): Promise<void>;
}

export interface WatchDeps {
  /** Plan the file (throws InvalidConfigError for a bad file). */
  plan(file: string): Promise<PlanOutcome>;
  /**
   * Runs `body` holding the apply lock of the file's project (throws {@link LockBusyError} at
   * once when another process holds it). Apply cycles plan and execute inside it.
   */
  locked<T>(file: string, body: () => Promise<T>): Promise<T>;
  /** Apply `plan` (all of `outcome.plan`, or a part of it), under the lock; returns its summary. */
  execute(outcome: PlanOutcome, plan: Plan): Promise<Plan['summary']>;
  /** How many jobs of the project are applied now (the base of the default max-delete). */
  appliedJobCount(outcome: PlanOutcome): Promise<number>;
  /** Watches directories (depth 0); calls `onPath` with the absolute path of each changed entry. Resolves when ready. */
  watch(dirs: string[], onPath: (absPath: string) => void): Promise<DirWatcher>;
  now(): Date;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface WatchOptions {
  file: string;
  apply: boolean;
  /** Let watch delete jobs (within maxDelete); without it, deletions wait for a confirmation. */
  allowDelete?: boolean;
  /** With allowDelete: hold back plans deleting more jobs than this. Default: half the applied jobs, at least 1. */
  maxDelete?: number;
  /** Quiet time after the last event before a cycle starts. Default 300 ms. */
  debounceMs?: number;
  /** How soon a cycle that found the apply lock held is tried again. Default 2 s. */
  retryMs?: number;
}

export const DEFAULT_DEBOUNCE_MS = 300;
export const DEFAULT_RETRY_MS = 2000;

/** Another process holds the apply lock: the cycle is retried later rather than failed. */
export class LockBusyError extends Error {
  constructor(
    message: string,
    readonly holder: string,
  ) {
    super(message);
    this.name = 'LockBusyError';
  }
}

/** The part of a plan without its deletions (jobs and project-wide entries): what watch applies on its own. */
export function withoutDeletions(plan: Plan): Plan {
  const jobs = plan.jobs.filter((j) => j.action !== 'delete');
  const count = (action: string) => jobs.filter((j) => j.job !== '' && j.action === action).length;
  return { ...plan, jobs, summary: { add: count('create'), change: count('update'), delete: 0 } };
}

/** Jobs a plan deletes (the project-wide entry `''` is not a job). */
export function deletedJobs(plan: Plan): number {
  return plan.jobs.filter((j) => j.job !== '' && j.action === 'delete').length;
}

/** The default max-delete: half of the project's applied jobs, at least one. */
export function defaultMaxDelete(appliedJobs: number): number {
  return Math.max(1, Math.floor(appliedJobs / 2));
}

export class WatchSession {
  private readonly file: string;
  private readonly debounceMs: number;
  /** Files whose changes start a cycle: the schedules file and the env files it names. */
  private readonly relevant = new Set<string>();
  private readonly dirs = new Set<string>();
  private watcher?: DirWatcher;
  private timer: unknown;
  private running?: Promise<void>;
  private pending = false;
  private pendingConfirm = false;
  private closed = false;
  /** The file hash of a plan held back (its deletions, or all of it), until the file changes or the user confirms. */
  private held?: string;
  /** A retry of a cycle that found the lock held is scheduled; its status was reported once. */
  private retry: unknown;
  private busyReported = false;

  constructor(
    private readonly options: WatchOptions,
    private readonly deps: WatchDeps,
    private readonly onEvent: (event: WatchEvent) => void,
  ) {
    this.file = path.resolve(options.file);
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.relevant.add(this.file);
    this.dirs.add(path.dirname(this.file));
  }

  /** Starts watching and runs the first cycle (resolves when that cycle is done). */
  async start(): Promise<void> {
    this.watcher = await this.deps.watch([...this.dirs], (p) => this.onPath(p));
    this.onEvent({ type: 'watching', paths: [...this.relevant] });
    this.startCycle('start');
    await this.idle();
  }

  /** True while a plan is held back waiting for a confirmation. */
  get isHeld(): boolean {
    return this.held !== undefined;
  }

  /**
   * The user confirmed the held-back plan: re-plan and apply it if the file is still the one
   * that was held (a changed file is planned afresh, under the usual rules). False when nothing is held.
   */
  confirm(): boolean {
    if (this.held === undefined || this.closed) return false;
    this.pendingConfirm = true;
    this.startCycle('confirm');
    return true;
  }

  /** Resolves when no cycle is running or scheduled. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops watching; waits for a running cycle to finish (an apply is not cut in half). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
    if (this.retry !== undefined) this.deps.clearTimer(this.retry);
    this.retry = undefined;
    await this.watcher?.close();
    await this.idle();
    this.onEvent({ type: 'closed' });
  }

  private onPath(p: string): void {
    if (this.closed || !this.relevant.has(path.resolve(p))) return;
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined;
      this.startCycle('change');
    }, this.debounceMs);
  }

  private startCycle(trigger: CycleResult['trigger']): void {
    if (this.closed) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.cycle(trigger)
      .catch((error: unknown) => {
        // cycle() reports its own failures; this is a last resort so the watch never dies.
        this.onEvent({
          type: 'cycle',
          result: { at: this.deps.now(), trigger, status: 'failed', error: error as Error },
        });
      })
      .finally(() => {
        this.running = undefined;
        if (this.pending && !this.closed) {
          this.pending = false;
          this.startCycle(this.pendingConfirm ? 'confirm' : 'change');
        }
      });
  }

  private async cycle(trigger: CycleResult['trigger']): Promise<void> {
    const at = this.deps.now();
    const confirmed = trigger === 'confirm' && this.pendingConfirm;
    this.pendingConfirm = false;
    this.onEvent({ type: 'cycle-start', at, trigger });
    const report = (r: Omit<CycleResult, 'at' | 'trigger'>) =>
      this.onEvent({ type: 'cycle', result: { at, trigger, ...r } });

    if (this.retry !== undefined) this.deps.clearTimer(this.retry);
    this.retry = undefined;
    try {
      if (!this.options.apply) await this.decide(await this.deps.plan(this.options.file), confirmed, report);
      else
        await this.deps.locked(this.options.file, async () =>
          this.decide(await this.deps.plan(this.options.file), confirmed, report),
        );
      this.busyReported = false;
    } catch (error) {
      if (error instanceof LockBusyError) {
        // A manual apply (or another watch) is at work: never race it; try again shortly.
        if (confirmed) this.pendingConfirm = true;
        if (!this.busyReported) report({ status: 'busy', holder: error.holder, error });
        this.busyReported = true;
        this.retry = this.deps.setTimer(() => {
          this.retry = undefined;
          this.startCycle(this.pendingConfirm ? 'confirm' : 'change');
        }, this.options.retryMs ?? DEFAULT_RETRY_MS);
      } else if (error instanceof InvalidConfigError) {
        report({ status: 'invalid', diagnostics: [...error.diagnostics], source: error.source });
      } else {
        report({ status: 'failed', error: error as Error }); // the held plan (if any) stays held
      }
    }
  }

  /** Given a plan (under the lock when applying): report it, apply it, or hold back what must wait. */
  private async decide(
    outcome: PlanOutcome,
    confirmed: boolean,
    report: (r: Omit<CycleResult, 'at' | 'trigger'>) => void,
  ): Promise<void> {
    this.follow(outcome);
    const plan = outcome.plan;
    const heldHash = this.held;
    this.held = undefined;
    const changes = plan.summary.add + plan.summary.change + plan.summary.delete;
    if (changes === 0) return report({ status: 'unchanged', plan });
    if (!this.options.apply) return report({ status: 'planned', plan });

    const deletes = deletedJobs(plan);
    const approved = confirmed && heldHash === plan.fileHash;
    let toApply = plan;
    if (!approved && deletes > 0) {
      if (this.options.allowDelete) {
        const maxDelete =
          this.options.maxDelete ?? defaultMaxDelete(await this.deps.appliedJobCount(outcome));
        if (deletes > maxDelete) {
          this.held = plan.fileHash;
          return report({ status: 'held', plan, deletes, maxDelete });
        }
      } else {
        toApply = withoutDeletions(plan);
      }
    }
    let applied: Plan['summary'] | undefined;
    if (toApply.jobs.some((j) => j.changes.length > 0)) {
      try {
        applied = await this.deps.execute(outcome, toApply);
      } catch (error) {
        return report({ status: 'failed', plan, error: error as Error });
      }
    }
    if (toApply !== plan) {
      this.held = plan.fileHash;
      const heldJobs = plan.jobs.filter((j) => j.job !== '' && j.action === 'delete').map((j) => j.job);
      return report({ status: 'held', plan, deletes, heldJobs, ...(applied ? { applied } : {}) });
    }
    report({ status: 'applied', plan });
  }

  /** Starts watching the env files a valid file names (their folders too). */
  private follow(outcome: PlanOutcome): void {
    const newDirs: string[] = [];
    for (const job of outcome.project.jobs) {
      if (!job.envFile) continue;
      const abs = path.resolve(job.envFile);
      this.relevant.add(abs);
      const dir = path.dirname(abs);
      if (!this.dirs.has(dir)) {
        this.dirs.add(dir);
        newDirs.push(dir);
      }
    }
    if (newDirs.length) this.watcher?.add(newDirs);
  }
}

/** Real dependencies: the plan and apply services, chokidar, the system clock. */
export async function defaultWatchDeps(host: import('./host.js').HostSettings): Promise<WatchDeps> {
  const { makePlan } = await import('./plan.js');
  const { executeUnderProjectLock, projectOfFile } = await import('./apply.js');
  const { acquireApplyLock, LockHeldError } = await import('../apply/lock.js');
  const { stateRoot } = await import('../state/paths.js');
  const { watch } = await import('chokidar');
  return {
    plan: (file) => makePlan({ file }, { ...host, now: new Date() }),
    async locked(file, body) {
      const project = await projectOfFile(file, host);
      const lock = await acquireApplyLock(stateRoot(host.env), project, 'sched watch --apply').catch(
        (e: unknown) => {
          if (e instanceof LockHeldError) throw new LockBusyError(e.message, e.holderText);
          throw e;
        },
      );
      try {
        return await body();
      } finally {
        await lock.release();
      }
    },
    execute: (outcome, plan) => executeUnderProjectLock(plan, outcome, { ...host, now: new Date() }),
    appliedJobCount: async (outcome) =>
      (await new AppliedSpecStore(outcome.ctx.stateDir).list(outcome.project.name)).length,
    async watch(dirs, onPath) {
      const watched = new Set(dirs.map((d) => path.resolve(d)));
      // Depth 0: only the folders' own entries; sub-folders (node_modules…) are not descended into.
      const w = watch(dirs, { ignoreInitial: true, depth: 0, persistent: true });
      for (const ev of ['add', 'change', 'unlink'] as const) w.on(ev, (p: string) => onPath(path.resolve(p)));
      // A watch error (folder removed…) must not end the session: the next cycle reports the file's state.
      w.on('error', () => {});
      await new Promise<void>((resolve) => w.once('ready', () => resolve()));
      return {
        add(more) {
          const fresh = more.filter((d) => !watched.has(d));
          fresh.forEach((d) => watched.add(d));
          if (fresh.length) w.add(fresh);
        },
        close: () => w.close(),
      };
    },
    now: () => new Date(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/** `HH:MM:SS` in the host's local time. */
function clock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** The one-line summary of a cycle the command prints (no colour, no trailing newline). */
export function statusLine(r: CycleResult, apply: boolean): string {
  const head = `[${clock(r.at)}]`;
  const counts = (p: Plan) =>
    `plan: ${p.summary.add} to add, ${p.summary.change} to change, ${p.summary.delete} to delete`;
  switch (r.status) {
    case 'invalid': {
      const errors = (r.diagnostics ?? []).filter((d) => d.severity === 'error');
      const missing = errors.some((d) => d.code === 'read-error');
      const what = missing
        ? errors[0]!.message
        : `${errors.length} error${errors.length === 1 ? '' : 's'} (see above)`;
      return `${head} invalid: ${what} — nothing changed`;
    }
    case 'failed':
      return `${head} ${r.plan ? counts(r.plan) + ' — apply failed' : 'plan failed'}: ${r.error?.message ?? 'unknown error'}`;
    case 'unchanged':
      return `${head} plan: no changes — the host matches the file`;
    case 'planned':
      return `${head} ${counts(r.plan!)} — ${apply ? 'not applied' : 'not applied (watching without --apply)'}`;
    case 'held':
      if (r.heldJobs) {
        const done = r.applied ? `applied ${r.applied.add} added, ${r.applied.change} changed; ` : '';
        const names = r.heldJobs.join(', ');
        return `${head} ${counts(r.plan!)} — ${done}held back: deleting ${r.heldJobs.length} job${r.heldJobs.length === 1 ? '' : 's'} (${names}) waits for your confirmation`;
      }
      return `${head} ${counts(r.plan!)} — held back: it deletes ${r.deletes} jobs, more than --max-delete ${r.maxDelete}`;
    case 'busy':
      return `${head} waiting: another apply holds the lock (${r.holder ?? 'unknown'}); trying again shortly — nothing changed`;
    case 'applied':
      return `${head} ${counts(r.plan!)} — applied`;
  }
}
