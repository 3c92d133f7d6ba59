/**
 * The `sched run` service, shared by the oclif command and the fast path (src/run/cli.ts):
 * resolves the project and the applied spec, wires real time and the caller's signals and
 * terminal ({@link RunIo}), and runs the job (or the catch-up check). Returns the exit code; never
 * prints anything but the job's own output (by hand) and short notices.
 */
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { checkJobName, resolveProjectName } from '../run/project.js';
import { defaultRunDeps, Wrapper, type RunDeps } from '../run/wrapper.js';
import { readAppliedSpecSync, type AppliedSpec } from '../state/applied.js';
import { stateRoot } from '../state/paths.js';
import { BACKENDS } from '../model/job.js';
import type { SignalSource } from '../platform/signals.js';
import type { RunInvocation } from '../backends/invocation.js';

/** A `sched run` command line ({@link RunInvocation}), plus where and with what it runs. */
export interface RunCommandOptions extends RunInvocation {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Test hook: override time, sleeping, the schedule engine… */
  deps?: Partial<RunDeps>;
}

/** What the caller (the oclif command, the fast path) lends the run: its signals and terminal. */
export interface RunIo {
  /** The stop requests (SIGTERM, SIGINT, SIGHUP) of the run come from here. */
  signals: SignalSource;
  /** Where a run by hand echoes the job's output (a triggered run echoes nothing). */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const lateStopIgnored = new WeakSet<SignalSource>();
/**
 * Once a run is recorded, a stop request that arrives while the process exits (a replacing run
 * read the lock just before it was released) must not kill it with a signal status: from then
 * on the stop signals are ignored — there is nothing left to stop. Never unsubscribed.
 */
function ignoreLateStopSignals(signals: SignalSource): void {
  if (lateStopIgnored.has(signals)) return;
  lateStopIgnored.add(signals);
  signals.listen(STOP_SIGNALS, () => {});
}

export async function runCommand(opts: RunCommandOptions, io: RunIo): Promise<number> {
  const env = opts.env ?? process.env;
  // `wake`: the embedded daemon starting a wake job because the machine woke from sleep.
  const triggers: readonly string[] = [...BACKENDS, 'wake'];
  if (opts.trigger !== undefined && !triggers.includes(opts.trigger)) {
    throw new UserError(`unknown --trigger '${opts.trigger}'`, `one of: ${triggers.join(', ')}`);
  }
  if (opts.catchUp && opts.job) {
    throw new UserError('--catch-up checks every job of the project: give no JOB with it');
  }
  if (!opts.catchUp && !opts.job)
    throw new UserError('missing JOB', 'usage: sched run JOB [--project P] [-f FILE]');
  if (opts.job) checkJobName(opts.job);
  const root = opts.stateDir ? path.resolve(opts.stateDir) : stateRoot(env);
  const project = await resolveProjectName({ ...opts, stateRoot: root });

  const controller = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    stopSignal ??= sig;
    controller.abort();
  };
  ignoreLateStopSignals(io.signals);
  const stopListening = io.signals.listen(STOP_SIGNALS, onSignal);
  const deps = defaultRunDeps({
    baseEnv: env,
    signal: controller.signal,
    ...(opts.trigger ? {} : { echo: { out: io.stdout, err: io.stderr } }),
    ...opts.deps,
  });
  const wrapper = new Wrapper(root, deps);
  try {
    if (opts.catchUp) {
      const { catchUp } = await import('../run/catchup.js');
      const results = await catchUp(wrapper, project);
      return results.some((r) => r.outcome && r.outcome.exitCode !== 0) ? 1 : 0;
    }
    const spec = readAppliedSpec(root, project, opts.job!);
    if (!spec) {
      const { unknownJobError } = await import('./job-lookup.js');
      throw await unknownJobError({ root, project, job: opts.job!, file: opts.file, cwd: opts.cwd });
    }
    const outcome = await wrapper.run(spec, { trigger: opts.trigger });
    return outcome.result === 'interrupted' && stopSignal
      ? 128 + (os.constants.signals[stopSignal] ?? 15)
      : outcome.exitCode;
  } finally {
    stopListening();
  }
}

/** The applied spec of a job (see {@link readAppliedSpecSync}). */
export function readAppliedSpec(root: string, project: string, job: string): AppliedSpec | undefined {
  return readAppliedSpecSync(root, project, job);
}
