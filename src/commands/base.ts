/**
 * Base for every command: one place that turns errors into messages and exit codes, so no
 * command prints a stack trace for a problem the user can fix.
 */
import { Command } from '@oclif/core';

export abstract class BaseCommand extends Command {
  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    const { reportError } = await import('../cli/report-error.js');
    // The command line itself is wrong (unknown flag, missing argument…): sched's words, exit 1.
    const { isParseError, usageErrorFromParse } = await import('../cli/usage.js');
    if (isParseError(err))
      return this.exit(await reportError(usageErrorFromParse(err, this.id ?? '', this.ctor)));
    // this.exit(code) from a command: already decided.
    if (err.oclif && typeof err.oclif.exit === 'number') return super.catch(err);
    return this.exit(await reportError(err));
  }
}
