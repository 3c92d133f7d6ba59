/**
 * oclif's `command_not_found` hook: `sched aply` and `sched plan extra-arg` get a sched error
 * (the close command, or which arguments are extra) and exit 1, not oclif's exit 2, which sched
 * keeps for "changes present".
 */
import type { Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async function (opts) {
  const { unknownCommand } = await import('../cli/usage.js');
  const { reportError } = await import('../cli/report-error.js');
  const commands = opts.config.commands.map((c) => ({
    id: c.id,
    hidden: c.hidden,
    command: { flags: c.flags, args: c.args },
  }));
  process.exitCode = await reportError(unknownCommand(opts.id, commands));
};

export default hook;
