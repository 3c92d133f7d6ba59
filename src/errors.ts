/**
 * Runtime error types. Configuration problems are not errors but `Diagnostic[]` (see
 * src/config/diagnostic.ts); these are for everything else. One place (src/commands/base.ts)
 * maps them to exit codes and messages, so no command prints a stack trace for them.
 */

/** Something the user can fix; `hint` says how. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** An OS command that failed in a way the adapter could not handle. */
export class ExternalCommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    message?: string,
  ) {
    super(message ?? `${command.join(' ')} failed with exit code ${exitCode}: ${stderr.trim()}`);
    this.name = 'ExternalCommandError';
  }
}

/** A broken invariant inside sched: report it as a bug. */
export class BugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BugError';
  }
}

/** A job cannot be expressed exactly by a backend: never approximated, always refused. */
export class InexpressibleError extends UserError {
  constructor(
    readonly backend: string,
    readonly job: string,
    reason: string,
    hint?: string,
  ) {
    super(`job '${job}' cannot be expressed exactly for ${backend}: ${reason}`, hint);
    this.name = 'InexpressibleError';
  }
}

/**
 * A configuration that does not validate, or a job a backend cannot express: carries the
 * diagnostics (file:line:col) so the command prints them like `sched validate` does.
 */
export class InvalidConfigError extends UserError {
  constructor(
    readonly diagnostics: ReadonlyArray<{
      file: string;
      line: number;
      col: number;
      severity: 'error' | 'warning';
      code: string;
      message: string;
      hint?: string;
    }>,
    readonly source?: string,
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    super(
      `${errors} problem${errors === 1 ? '' : 's'} in the configuration`,
      'Run `sched validate` for details.',
    );
    this.name = 'InvalidConfigError';
  }
}

/**
 * A file or directory sched would trust (state, spec, env_file) that someone else could change,
 * or that sched is not allowed to use: names the path; the hint says the command that fixes it.
 */
export class UnsafePathError extends UserError {
  constructor(
    readonly path: string,
    problem: string,
    hint: string,
  ) {
    super(`refusing to use ${path}: ${problem}`, hint);
    this.name = 'UnsafePathError';
  }
}
