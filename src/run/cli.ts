/**
 * The fast path of `sched run`: parses the `run` flags without oclif (oclif's start-up costs more
 * than the whole wrapper) and calls the same service as the oclif command, so both behave alike.
 * bin/run.js may call `main(process.argv.slice(3))` when `process.argv[2] === 'run'`.
 */
import { ignoreClosedStdout } from '../cli/stdout.js';
import { UsageError } from '../errors.js';
import { unexpectedArguments } from '../cli/usage.js';

/** The hint of every usage error, as oclif commands give it (src/cli/usage.ts). */
const HELP = 'Run `sched run --help` for its usage.';
import { runCommand, type RunCommandOptions } from '../services/run.js';

export const RUN_USAGE = `Run a job the way the scheduler does: lock, log, timeout, retries, record.

USAGE
  $ sched run JOB [--project P] [-f FILE] [--trigger BACKEND]
  $ sched run --catch-up [--project P] [-f FILE] [--trigger BACKEND]

FLAGS
  -f, --file=FILE        schedules file used to find the project (default: ./schedules.yaml)
      --state-dir=DIR    sched's state directory (default: $SCHED_HOME, else the platform's)
  -p, --project=P        project name (default: the project: of the schedules file)
      --trigger=BACKEND  started by the scheduler (late-start rule, jitter; no terminal output)
      --catch-up         run or record as missed every job that missed a fire time (boot/wake entry)
`;

/** Parses `run` arguments (with or without the leading `run`). */
export function parseRunArgs(argv: readonly string[]): RunCommandOptions & { help?: boolean } {
  const args = argv[0] === 'run' ? argv.slice(1) : [...argv];
  const out: RunCommandOptions & { help?: boolean } = {};
  const value = (i: number, name: string): string => {
    const v = args[i];
    if (v === undefined || v.startsWith('-'))
      throw new UsageError(`flag ${name} of \`sched run\` needs a value`, HELP);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    const take = () => inline ?? value(++i, name);
    switch (name) {
      case '--project':
      case '-p':
        out.project = take();
        break;
      case '--file':
      case '-f':
        out.file = take();
        break;
      case '--trigger':
        out.trigger = take();
        break;
      case '--catch-up':
        out.catchUp = true;
        break;
      case '--state-dir':
        out.stateDir = take();
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      case '--':
        if (args[i + 1] !== undefined) {
          if (out.job) throw unexpectedArguments([args[i + 1]!], 'run', { args: { job: {} } });
          out.job = args[i + 1];
        }
        i = args.length;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown flag ${name} for \`sched run\``, HELP);
        if (out.job !== undefined) throw unexpectedArguments([a], 'run', { args: { job: {} } });
        out.job = a;
    }
  }
  return out;
}

/** Runs `sched run` and returns the exit code; errors are printed like BaseCommand prints them. */
export async function main(argv: string[]): Promise<number> {
  try {
    const opts = parseRunArgs(argv);
    if (opts.help) {
      process.stdout.write(RUN_USAGE);
      return 0;
    }
    // By hand the job's output is also shown: a reader that goes away (`sched run JOB | head`)
    // must not end the wrapper before it records the run.
    if (!opts.trigger) ignoreClosedStdout();
    return await runCommand(opts);
  } catch (e) {
    const { reportError } = await import('../cli/report-error.js');
    return reportError(e);
  }
}
