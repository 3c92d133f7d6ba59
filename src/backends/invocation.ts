/**
 * The `sched run` command line, in one place: its spec (flags, argument, help words), the one
 * builder every caller uses (each backend's native entry, the embedded daemon, run-now's detached
 * start) and the one parser (the fast path of bin/run.js, doctor reading installed entries). Entries
 * call `sched run` through absolute paths, because cron and launchd start jobs with no useful PATH.
 */
import type { BackendName } from '../model/job.js';
import { parseArgv, type CommandSpec } from '../model/flag-spec.js';
import type { RenderContext } from './types.js';

/** `sched run`'s flags, argument and help: the oclif command and the fast parser derive from it. */
export const RUN_SPEC = {
  id: 'run',
  summary: 'Run a job the way its scheduler does: lock, log, timeout, retries, record.',
  description: `The wrapper every backend invokes, also usable by hand. It runs what was applied (the spec \`sched apply\` recorded), never the YAML as it is now: an edited but unapplied file changes nothing.

By hand, the output also goes to the terminal and the exit code is the command's (128+N when it was killed by signal N). With --trigger (set by the native entries) the run is a scheduled one: a late start with catch_up false is recorded as skipped, and jitter is applied where the backend has none.

Overlap (skip, queue, replace, allow), timeout (SIGTERM to the whole process group, SIGKILL after a grace period), retries and on_failure work the same on every backend. --catch-up (no JOB) is the boot/wake entry: each job that missed a fire time runs once (catch_up true) or is recorded missed.`,
  examples: [
    '<%= config.bin %> run nightly-report',
    '<%= config.bin %> run nightly-report --project billing',
    '<%= config.bin %> run --catch-up --project billing --trigger crontab',
  ],
  args: {
    job: { description: 'the job to run' },
  },
  flags: {
    project: {
      kind: 'string',
      char: 'p',
      description: 'project name (default: the project: of the schedules file)',
      helpValue: 'P',
    },
    file: {
      kind: 'string',
      char: 'f',
      description: 'schedules file used to find the project',
      helpValue: 'FILE',
    },
    trigger: {
      kind: 'string',
      description: "started by this backend's scheduler (set by the native entries)",
      helpValue: 'BACKEND',
    },
    'catch-up': {
      kind: 'boolean',
      description: 'run (or record as missed) every job that missed a fire time',
      default: false,
    },
    'state-dir': {
      kind: 'string',
      description:
        "sched's state directory (default: $SCHED_HOME, else the platform's; set by native entries when apply used SCHED_HOME)",
      helpValue: 'DIR',
    },
  },
} as const satisfies CommandSpec;

/** What a `sched run` command line says. */
export interface RunInvocation {
  job?: string;
  project?: string;
  /** `-f`: the schedules file read only to find the project (by hand). */
  file?: string;
  /** The backend whose scheduler started the run; absent: started by hand. */
  trigger?: string;
  catchUp?: boolean;
  stateDir?: string;
}

/**
 * The arguments after `sched` (`run --project P …`), in the one order every entry has used:
 * `--project`, `--trigger`, `--state-dir`, `--catch-up`, then JOB. JOB is a validated job name (it
 * never starts with `-`), so it needs no `--` before it.
 */
export function runArgv(inv: RunInvocation): string[] {
  const out = ['run'];
  if (inv.project !== undefined) out.push('--project', inv.project);
  if (inv.file !== undefined) out.push('--file', inv.file);
  if (inv.trigger !== undefined) out.push('--trigger', inv.trigger);
  if (inv.stateDir !== undefined) out.push('--state-dir', inv.stateDir);
  if (inv.catchUp) out.push('--catch-up');
  if (inv.job !== undefined) out.push(inv.job);
  return out;
}

/**
 * Reads the arguments after `sched run` as oclif's parser would. Undefined when they ask for
 * help or are wrong: oclif then shows the help or names the mistake.
 */
export function parseRunArgv(argv: readonly string[]): RunInvocation | undefined {
  const parsed = parseArgv(RUN_SPEC, argv);
  return parsed && runInvocationOf(parsed);
}

/** The invocation of parsed `run` flags and arguments (from oclif or from {@link parseRunArgv}). */
export function runInvocationOf(parsed: {
  flags: Readonly<Record<string, unknown>>;
  args: Readonly<Record<string, unknown>>;
}): RunInvocation {
  const { flags, args } = parsed;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const inv: RunInvocation = {};
  if (text(args.job) !== undefined) inv.job = text(args.job);
  if (text(flags.project) !== undefined) inv.project = text(flags.project);
  if (text(flags.file) !== undefined) inv.file = text(flags.file);
  if (text(flags.trigger) !== undefined) inv.trigger = text(flags.trigger);
  if (flags['catch-up'] === true) inv.catchUp = true;
  if (text(flags['state-dir']) !== undefined) inv.stateDir = text(flags['state-dir']);
  return inv;
}

/**
 * True when `words[i]` starts the `sched run` of an entry sched wrote (`run --project …`, the
 * order {@link runArgv} writes): doctor finds the node and sched paths just before it.
 */
export function startsScheduledRun(words: readonly string[], i: number): boolean {
  const [run, firstFlag] = runArgv({ project: 'p' });
  return words[i] === run && words[i + 1] === firstFlag;
}

/**
 * argv of the scheduled invocation of a job: `NODE SCHED_BIN run --project P --trigger BACKEND JOB`.
 * `--trigger` tells `sched run` it was started by the scheduler (not by hand), so it applies
 * late-start and jitter rules the backend has no native form for.
 */
export function runInvocation(
  ctx: RenderContext,
  backend: BackendName,
  project: string,
  job: string,
): string[] {
  return [ctx.nodePath, ctx.schedBin, ...runArgv(scheduled(ctx, backend, project, { job }))];
}

/** argv of the boot/wake catch-up entry (backends with no native catch-up: crontab, launchd, embedded). */
export function catchUpInvocation(ctx: RenderContext, backend: BackendName, project: string): string[] {
  return [ctx.nodePath, ctx.schedBin, ...runArgv(scheduled(ctx, backend, project, { catchUp: true }))];
}

/** The invocation every scheduled entry runs: the project, the trigger and an explicit state dir. */
function scheduled(
  ctx: RenderContext,
  backend: BackendName,
  project: string,
  rest: RunInvocation,
): RunInvocation {
  return {
    project,
    trigger: backend,
    ...(ctx.explicitStateDir ? { stateDir: ctx.explicitStateDir } : {}),
    ...rest,
  };
}
