/**
 * Whether sched colours what it writes: the plan diff, the status table, errors. One decision for
 * every output, from the `--no-color` flag, the environment (`NO_COLOR`, `FORCE_COLOR`, `TERM`)
 * and whether the stream is a terminal — the same conventions oclif's help follows.
 */

/** What the decision depends on. */
export interface ColorInputs {
  /** The stream written to is a terminal. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** `--no-color` was given. */
  noColorFlag: boolean;
}

/**
 * True when output should be coloured. In order: `--no-color` turns colour off; so does a
 * non-empty `NO_COLOR` (an empty one is ignored, as no-color.org says), even with `FORCE_COLOR`;
 * `FORCE_COLOR` `0` or `false` turns it off, any other value (`1`, `2`, `3`, `true`, empty) on,
 * even when piped or with `TERM=dumb`; `TERM=dumb` turns it off; otherwise colour only on a
 * terminal. oclif's help (through ansis) follows the same order, so help and sched's own output
 * never disagree.
 */
export function colorEnabled({ isTTY, env, noColorFlag }: ColorInputs): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    const value = force.trim().toLowerCase();
    return value !== '0' && value !== 'false';
  }
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

let noColorFlag = false;

/** Records `--no-color` for the rest of the process (every later {@link useColor} says no). */
export function disableColor(): void {
  noColorFlag = true;
}

/** True when `--no-color` appears among `argv` before a `--` (after it, words belong to a job's command). */
export function hasNoColorFlag(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--no-color');
}

/** Whether to colour what is written to `stream` (process.stdout, process.stderr). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return colorEnabled({ isTTY: Boolean(stream.isTTY), env, noColorFlag });
}

/** `text` in the SGR colour `code` (31 red, 33 yellow, 1 bold…) when `color`, else as it is. */
export function paint(color: boolean, code: number, text: string): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}
