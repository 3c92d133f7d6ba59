/**
 * Usage errors in sched's words: oclif's parser errors (unknown flag, missing or extra argument,
 * bad flag value) and unknown commands become a {@link UsageError} — one "Error:" line saying
 * what is wrong, a hint with the close name when there is one, exit 1.
 */
import { UsageError } from '../errors.js';
import { suggest } from '../config/suggest.js';

/** The parts of an oclif command class the messages use. */
export interface CommandShape {
  flags?: Record<string, { char?: string } | undefined>;
  args?: Record<string, { required?: boolean } | undefined>;
}

/** Every oclif parser error ends with this line (a flag value's parse error too). */
const SEE_HELP = /\n?See more help with --help\s*$/;

/** True for an error oclif's parser threw for the command line (not for the command's own errors). */
export function isParseError(err: unknown): boolean {
  return err instanceof Error && SEE_HELP.test(err.message);
}

/** The usage error for a parser error of `sched <id>`. */
export function usageErrorFromParse(
  err: Error & { flags?: unknown; args?: unknown },
  id: string,
  command: CommandShape,
): UsageError {
  const cmd = `sched ${id.replace(/:/g, ' ')}`;
  const help = `Run \`${cmd} --help\` for its usage.`;
  const text = err.message.replace(SEE_HELP, '');
  if (/^Nonexistent flags?: /.test(text) && Array.isArray(err.flags)) {
    const flags = err.flags as string[];
    const known = Object.entries(command.flags ?? {}).flatMap(([name, f]) => [
      `--${name}`,
      ...(f?.char ? [`-${f.char}`] : []),
    ]);
    const guess = suggest(flags[0]!.replace(/=.*$/, ''), known);
    return new UsageError(
      `unknown flag${flags.length === 1 ? '' : 's'} ${flags.join(', ')} for \`${cmd}\``,
      guess ? `Did you mean ${guess}? ${help}` : help,
    );
  }
  if (/^Unexpected arguments?: /.test(text) && Array.isArray(err.args)) {
    return unexpectedArguments(err.args as string[], id, command);
  }
  if (/^Missing \d+ required args?:/.test(text)) {
    const missing = Object.entries(command.args ?? {})
      .filter(([, a]) => a?.required)
      .map(([name]) => name.toUpperCase());
    return new UsageError(`\`${cmd}\` needs ${missing.join(' and ') || 'an argument'}`, help);
  }
  // A flag value's own error ("Parsing --number \n\tExpected an integer…"), an invalid option:
  // oclif's words, on one line.
  const words = text
    .replace(/^Parsing (--[\w-]+)\s*\n\s*/, 'invalid value for $1: ')
    .replace(/^The following errors? occurred:\s*/, '')
    .replace(/\s*\n\s*/g, '; ')
    .trim();
  return new UsageError(`${words.charAt(0).toLowerCase()}${words.slice(1)}`, help);
}

/** `sched <id> a b`: arguments the command does not take. */
export function unexpectedArguments(extra: readonly string[], id: string, command: CommandShape): UsageError {
  const cmd = `sched ${id.replace(/:/g, ' ')}`;
  const takes = Object.keys(command.args ?? {}).length;
  const quoted = extra.map((a) => `'${a}'`).join(', ');
  return new UsageError(
    `unexpected argument${extra.length === 1 ? '' : 's'} ${quoted}: \`${cmd}\` takes ${
      takes === 0 ? 'no arguments' : takes === 1 ? 'one argument' : `at most ${takes} arguments`
    }`,
    `Run \`${cmd} --help\` for its usage.`,
  );
}

/**
 * `sched <words…>` where the words name no command. When the first words are a command, the rest
 * are arguments it does not take; otherwise the closest command is suggested.
 */
export function unknownCommand(
  id: string,
  commands: ReadonlyArray<{ id: string; hidden?: boolean; command?: CommandShape }>,
): UsageError {
  const words = id.split(':');
  for (let n = words.length - 1; n > 0; n--) {
    const prefix = words.slice(0, n).join(':');
    const found = commands.find((c) => c.id === prefix);
    if (found) return unexpectedArguments(words.slice(n), prefix, found.command ?? {});
  }
  const typed = words.join(' ');
  const visible = commands.filter((c) => !c.hidden).map((c) => c.id.replace(/:/g, ' '));
  const guess = suggest(typed, visible);
  const list = 'Run `sched help` for the list of commands.';
  return new UsageError(
    `unknown command '${typed}'`,
    guess ? `Did you mean \`sched ${guess}\`? ${list}` : list,
  );
}

/**
 * `sched apply FILE` where FILE is not a saved plan: a schedules file given as the plan (the
 * common mistake: `sched apply schedules.yaml`) gets its own words, anything else the parse error.
 */
export function notASavedPlan(file: string, text: string, parseError: unknown): UsageError {
  if (!text.trimStart().startsWith('{') && /^\s*(version|jobs|project|backend)\s*:/m.test(text))
    return new UsageError(
      `${file} is a schedules file, not a saved plan: \`sched apply FILE\` applies a plan saved with \`sched plan --out FILE\``,
      `To apply a schedules file, give it with -f: \`sched apply -f ${file}\`.`,
    );
  return new UsageError(
    `${file} is not a sched plan: ${(parseError as Error).message}`,
    'Make one with `sched plan --out FILE`.',
  );
}
