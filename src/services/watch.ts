/**
 * `sched watch`: re-plans (and with `apply`, applies) every time schedules.yaml or an env file it
 * names is saved. No printing: every cycle ends in a {@link CycleResult} handed to `onEvent`,
 * which the command prints.
 *
 * Safety rules, in order:
 * - a file that is missing, empty, half-written or invalid changes nothing (the cycle reports
 *   its diagnostics and the installed jobs stay as they are);
 * - a plan that deletes more than `maxDelete` jobs is held back until the file changes again
 *   or the user confirms (a half-saved file that still parses looks exactly like that);
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

export type CycleStatus = 'unchanged' | 'planned' | 'applied' | 'held' | 'invalid' | 'failed';

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
  /** held: how many jobs the plan deletes, and the limit it exceeds. */
  deletes?: number;
  maxDelete?: number;
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
  /** Apply a plan; returns its summary. */
  execute(outcome: PlanOutcome): Promise<Plan['summary']>;
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
  /** Hold back plans deleting more jobs than this. Default: half the applied jobs, at least 1. */
  maxDelete?: number;
  /** Quiet time after the last event before a cycle starts. Default 300 ms. */
  debounceMs?: number;
}

export const DEFAULT_DEBOUNCE_MS = 300;

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
  /** The file hash of a plan held back by the max-delete rule, until the file changes or the user confirms. */
  private held?: string;

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

    let outcome: PlanOutcome;
    try {
      outcome = await this.deps.plan(this.options.file);
    } catch (error) {
      if (error instanceof InvalidConfigError) {
        report({ status: 'invalid', diagnostics: [...error.diagnostics], source: error.source });
      } else {
        report({ status: 'failed', error: error as Error });
      }
      return; // the held plan (if any) stays held: nothing new to decide on
    }
    this.follow(outcome);
    const plan = outcome.plan;
    const heldHash = this.held;
    this.held = undefined;
    const changes = plan.summary.add + plan.summary.change + plan.summary.delete;
    if (changes === 0) return report({ status: 'unchanged', plan });
    if (!this.options.apply) return report({ status: 'planned', plan });

    const deletes = deletedJobs(plan);
    const approved = confirmed && heldHash === plan.fileHash;
    if (!approved && deletes > 0) {
      const maxDelete = this.options.maxDelete ?? defaultMaxDelete(await this.deps.appliedJobCount(outcome));
      if (deletes > maxDelete) {
        this.held = plan.fileHash;
        return report({ status: 'held', plan, deletes, maxDelete });
      }
    }
    try {
      await this.deps.execute(outcome);
    } catch (error) {
      return report({ status: 'failed', plan, error: error as Error });
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
  const { executePlan } = await import('./apply.js');
  const { watch } = await import('chokidar');
  return {
    plan: (file) => makePlan({ file }, { ...host, now: new Date() }),
    execute: (outcome) => executePlan(outcome.plan, outcome, { ...host, now: new Date() }),
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
      return `${head} ${counts(r.plan!)} — held back: it deletes ${r.deletes} jobs, more than --max-delete ${r.maxDelete}`;
    case 'applied':
      return `${head} ${counts(r.plan!)} — applied`;
  }
}
