/**
 * How every sched entry point — the oclif commands and the fast paths that skip oclif — turns an
 * error into words on stderr and an exit code, so that no problem a user can fix ends in a stack
 * trace, and the same problem reads the same whatever the entry.
 */
import { BugError, ExternalCommandError, InvalidConfigError, UserError } from '../errors.js';

/** Prints `err` for the user and returns the exit code to end with. */
export async function reportError(err: unknown): Promise<number> {
  if (err instanceof InvalidConfigError) {
    const { formatText } = await import('../config/diagnostic.js');
    const file = err.diagnostics[0]?.file;
    const sources = file && err.source !== undefined ? { [file]: err.source } : {};
    process.stderr.write(formatText(err.diagnostics, sources));
    return err.exitCode;
  }
  if (err instanceof UserError) {
    process.stderr.write(`Error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`Hint: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof ExternalCommandError) {
    process.stderr.write(`Error: ${err.message}\n`);
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const kind = e instanceof BugError ? 'internal error' : 'unexpected error';
  process.stderr.write(
    `Error: ${kind}: ${e.message}\nThis is a bug in sched; please report it with the command you ran.\n`,
  );
  if (process.env.SCHED_DEBUG) process.stderr.write(`${e.stack}\n`);
  return 1;
}
