/**
 * The error for a failed call of a scheduler's CLI (launchctl, schtasks). Shared so that every
 * backend reads the same output (stderr, else stdout) and turns "access denied" — a situation the
 * user can fix — into a UserError with a hint, and anything else into an ExternalCommandError.
 */
import { ExternalCommandError, UserError } from '../errors.js';
import type { RunResult } from '../platform/ports.js';

/** How a tool says access was denied, and what sched tells the user then. */
export interface AccessDenied {
  pattern: RegExp;
  /** The error message, given the tool's trimmed output. */
  message: (text: string) => string;
  hint: string;
}

/** The error to throw for `tool args…` having failed with `r`. */
export function commandError(
  tool: string,
  args: readonly string[],
  r: RunResult,
  denied: AccessDenied,
): UserError | ExternalCommandError {
  const text = (r.stderr || r.stdout).trim();
  if (denied.pattern.test(text)) return new UserError(denied.message(text), denied.hint);
  return new ExternalCommandError([tool, ...args], r.exitCode, text);
}
