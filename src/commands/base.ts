/**
 * Base for every command: one place that turns errors into messages and exit codes, so no
 * command prints a stack trace for a problem the user can fix.
 */
import { Command } from '@oclif/core';

export abstract class BaseCommand extends Command {
  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    // oclif's own parse errors (unknown flag, missing arg) and exits are already user-facing.
    if (err.oclif && typeof err.oclif.exit === 'number') return super.catch(err);
    const { reportError } = await import('../cli/report-error.js');
    return this.exit(await reportError(err));
  }
}
