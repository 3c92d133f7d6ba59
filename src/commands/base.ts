/**
 * Base for every command: one place that turns errors into messages and exit codes, so no
 * command prints a stack trace for a problem the user can fix.
 */
import { Command } from '@oclif/core';
import { BugError, ExternalCommandError, InvalidConfigError, UserError } from '../errors.js';

export abstract class BaseCommand extends Command {
  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    // oclif's own parse errors (unknown flag, missing arg) and exits are already user-facing.
    if (err.oclif && typeof err.oclif.exit === 'number') return super.catch(err);
    if (err instanceof InvalidConfigError) {
      const { formatText } = await import('../config/diagnostic.js');
      const file = err.diagnostics[0]?.file;
      const sources = file && err.source !== undefined ? { [file]: err.source } : {};
      process.stderr.write(formatText(err.diagnostics, sources));
      return this.exit(err.exitCode);
    }
    if (err instanceof UserError) {
      process.stderr.write(`Error: ${err.message}\n`);
      if (err.hint) process.stderr.write(`Hint: ${err.hint}\n`);
      return this.exit(err.exitCode);
    }
    if (err instanceof ExternalCommandError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return this.exit(1);
    }
    const kind = err instanceof BugError ? 'internal error' : 'unexpected error';
    process.stderr.write(
      `Error: ${kind}: ${err.message}\nThis is a bug in sched; please report it with the command you ran.\n`,
    );
    if (process.env.SCHED_DEBUG) process.stderr.write(`${err.stack}\n`);
    return this.exit(1);
  }
}
