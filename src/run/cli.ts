/**
 * The fast path of `sched run`: parses the `run` flags without oclif (oclif's start-up costs more
 * than the whole wrapper) with the parser derived from the command's spec (RUN_SPEC, which the
 * oclif command's flags come from too) and calls the same service as the oclif command.
 * bin/run.js calls `main(process.argv.slice(3))` when `process.argv[2] === 'run'`.
 */
import { ignoreClosedStdout } from '../cli/stdout.js';
import { parseRunArgv } from '../backends/invocation.js';
import { processSignals } from '../platform/signals.js';
import { runCommand } from '../services/run.js';

/**
 * Runs `sched run` and returns the exit code; errors are printed like BaseCommand prints them.
 * Undefined: the arguments ask for help or are wrong, and oclif must show the help or the mistake
 * (nothing has run).
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const opts = parseRunArgv(argv);
  if (!opts) return undefined;
  try {
    // By hand the job's output is also shown: a reader that goes away (`sched run JOB | head`)
    // must not end the wrapper before it records the run.
    if (!opts.trigger) ignoreClosedStdout();
    // Getters: node sets up process.stdout on first use (~1 ms when it is the pipe cron reads
    // output from), and a scheduled run never writes there.
    return await runCommand(opts, {
      signals: processSignals,
      get stdout() {
        return process.stdout;
      },
      get stderr() {
        return process.stderr;
      },
    });
  } catch (e) {
    const { reportError } = await import('../cli/report-error.js');
    return reportError(e);
  }
}

/**
 * Handles and requests that may still be open when a run has ended and are safe to leave to the
 * kernel: the watchdog's process, its pipe and that pipe's shutdown (the word "done" is already
 * written: a write still pending would show as a WriteWrap), the job's pipes being closed, the
 * terminal, signal listeners.
 */
const LEFT_TO_THE_KERNEL = new Set([
  'ProcessWrap',
  'PipeWrap',
  'SimpleShutdownWrap',
  'TTYWrap',
  'SignalWrap',
]);

/**
 * Whether the process may end now with `process.exit` instead of letting node wind down (which
 * frees the whole heap first: ~5 ms of every scheduled run). Only on Linux, where node writes to
 * stdout and stderr synchronously whatever they are (file, pipe, terminal), and only when nothing
 * that could carry data is pending — a write, a file operation, a socket, a timer: then node is
 * left to finish it.
 */
export function mayExitNow(
  resources: readonly string[] = process.getActiveResourcesInfo(),
  platform: NodeJS.Platform = process.platform,
): boolean {
  return platform === 'linux' && resources.every((r) => LEFT_TO_THE_KERNEL.has(r));
}
