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
