/**
 * One declarative spec per fast-path command (`sched run`, `sched plan`): its words (summary,
 * description, examples), its arguments and its flags. The oclif command class derives its static
 * flags/args/examples from it (src/cli/oclif-spec.ts), and {@link parseArgv} below — the parser
 * bin/run.js uses to skip oclif's start-up — reads an argv exactly as oclif's parser does, or
 * declines, and oclif parses it (and explains what is wrong). test/cli/flag-spec-parity.test.ts
 * holds the two parsers to the same answers.
 *
 * Pure: no oclif, no I/O — `sched run` loads this on every fire of every job.
 */

/** A flag: `--name VALUE` (string) or `--name` (boolean), optionally with a one-letter `-c`. */
export interface FlagSpec {
  readonly kind: 'string' | 'boolean';
  readonly description: string;
  readonly char?: string;
  /** The placeholder help shows for the value (`--file=FILE`). */
  readonly helpValue?: string;
  /** May be given more than once; the value is then the list of every value given. */
  readonly multiple?: boolean;
  /** The only values accepted. */
  readonly options?: readonly string[];
  /** The value when the flag is not given (not for a `multiple` flag: oclif's derivation drops it). */
  readonly default?: string | boolean;
}

export interface ArgSpec {
  readonly description: string;
  readonly required?: boolean;
}

export interface CommandSpec {
  /** The command's id: `run` in `sched run`. */
  readonly id: string;
  readonly summary: string;
  readonly description: string;
  /** Help examples, `<%= config.bin %>` standing for `sched` as in every oclif command. */
  readonly examples: readonly string[];
  readonly args: Readonly<Record<string, ArgSpec>>;
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

/** A parsed flag's value: a string, true for a boolean given, the list for a `multiple` flag. */
export type FlagValue = string | boolean | string[];

/** What {@link parseArgv} read: the flags given (or defaulted) and the arguments given, by name. */
export interface ParsedArgv {
  readonly flags: Record<string, FlagValue>;
  readonly args: Record<string, string>;
}

/**
 * The argv's result: parsed, or `undefined` when the fast path must leave it to oclif — help was
 * asked for, or the command line is wrong in a way oclif reports (unknown flag, a flag given twice,
 * a missing value, a value not among the options, an extra or missing argument).
 */
export type ArgvResult = ParsedArgv | undefined;

/**
 * True when oclif would show help instead of running the command: `--help` or `-h` (the
 * `additionalHelpFlags` of package.json) anywhere before a `--`.
 */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--help' || a === '-h') return true;
    if (a === '--') return false;
  }
  return false;
}

/** Thrown inside the parser where oclif would throw: the fast path declines. */
class Decline extends Error {}

/**
 * Parses the command's argv (the words after the command's id) as oclif 4's parser does, step by
 * step: `--flag VALUE`, `--flag=VALUE`, `-c VALUE`, `-cVALUE`, `-c=VALUE`; a value is taken even
 * when it starts with `-`, unless it is one of the command's own flags; a `multiple` flag keeps
 * taking the plain words that follow it; `--flag=VALUE` of a boolean sets it and leaves VALUE as
 * an argument (oclif's own reading); `--` ends the flags; `-1` (a negative number) is an argument.
 */
export function parseArgv(spec: CommandSpec, argv: readonly string[]): ArgvResult {
  if (asksForHelp(argv)) return undefined;
  try {
    return parseOrDecline(spec, argv);
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

function parseOrDecline(spec: CommandSpec, argv: readonly string[]): ParsedArgv {
  const queue = [...argv];
  const given = new Map<string, string[]>();
  const booleans = new Set<string>();
  const words: string[] = [];
  let current: string | undefined;

  const find = (arg: string): string | undefined => {
    if (arg.startsWith('--')) {
      const name = arg.slice(2);
      return Object.hasOwn(spec.flags, name) ? name : undefined;
    }
    if (!arg.startsWith('-') || arg.length < 2) return undefined;
    const char = arg[1];
    return Object.keys(spec.flags).find((k) => spec.flags[k]!.char === char);
  };

  const parseFlag = (arg: string): boolean => {
    const name = find(arg);
    if (name === undefined) {
      const eq = arg.indexOf('=');
      if (eq === -1) return false;
      queue.unshift(arg.slice(eq + 1));
      const parsed = parseFlag(arg.slice(0, eq));
      if (!parsed) queue.shift();
      return parsed;
    }
    const flag = spec.flags[name]!;
    const isLong = arg.startsWith('--');
    if (flag.kind === 'string') {
      if (!flag.multiple && given.has(name)) throw new Decline();
      current = name;
      const value = isLong || arg.length < 3 ? queue.shift() : arg.slice(arg[2] === '=' ? 3 : 2);
      if (value === undefined || find(value) !== undefined) throw new Decline();
      given.set(name, [...(given.get(name) ?? []), value]);
    } else {
      booleans.add(name);
      // -abc: the other letters are flags too.
      if (!isLong && arg.length > 2) queue.unshift(`-${arg.slice(2)}`);
    }
    return true;
  };

  let parsingFlags = true;
  while (queue.length > 0) {
    const input = queue.shift()!;
    if (parsingFlags && input.startsWith('-') && input !== '-') {
      if (input === '--') {
        parsingFlags = false;
        continue;
      }
      if (parseFlag(input)) continue;
      // Not a flag of this command: oclif names it as unknown (a negative number is a word).
      if (!/^-\d/.test(input)) throw new Decline();
    }
    if (parsingFlags && current !== undefined && spec.flags[current]!.multiple) {
      given.get(current)!.push(input);
      continue;
    }
    words.push(input);
  }

  const argNames = Object.keys(spec.args);
  if (words.length > argNames.length) throw new Decline();
  const args: Record<string, string> = {};
  words.forEach((w, i) => (args[argNames[i]!] = w));
  if (argNames.some((n) => spec.args[n]!.required && args[n] === undefined)) throw new Decline();

  const flags: Record<string, FlagValue> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const values = given.get(name);
    if (values) {
      if (flag.options && values.some((v) => !flag.options!.includes(v))) throw new Decline();
      flags[name] = flag.multiple ? values : values[values.length - 1]!;
    } else if (booleans.has(name)) {
      flags[name] = true;
    } else if (flag.default !== undefined) {
      flags[name] = flag.default;
    }
  }
  return { flags, args };
}
