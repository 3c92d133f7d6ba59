/**
 * Base for every command: one place that turns errors into messages and exit codes, so no
 * command prints a stack trace for a problem the user can fix, and the flags every command takes.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';

export abstract class BaseCommand extends Command {
  // Optional in the type: `run` (whose scheduled form skips oclif) declares none.
  static override baseFlags: { 'no-color'?: Interfaces.BooleanFlag<boolean> } = {
    'no-color': Flags.boolean({
      description: 'no colours in the output, even on a terminal (NO_COLOR and FORCE_COLOR are honoured too)',
      helpGroup: 'GLOBAL',
    }),
  };

  public override async init(): Promise<void> {
    // Before parsing, so that a usage error of this very command line is not coloured either.
    const { disableColor, hasNoColorFlag } = await import('../cli/color.js');
    if (hasNoColorFlag(this.argv)) disableColor();
    await super.init();
  }

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
