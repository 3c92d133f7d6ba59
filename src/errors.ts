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

/** Why a file-system call failed, in words, and what the user can do; by errno code. */
const FS_PROBLEMS: Record<string, { what: string; todo: string }> = {
  ENOENT: {
    what: 'it, or a folder on the way to it, does not exist',
    todo: 'check the path, or create the missing folder',
  },
  ENOTDIR: {
    what: 'a part of the path is a file, not a folder',
    todo: 'check the path: every part before the last must be a folder',
  },
  EEXIST: { what: 'a file with that name already exists', todo: 'remove it, or choose another path' },
  EISDIR: { what: 'it is a folder, where a file is needed', todo: 'give the path of a file' },
  EACCES: { what: 'permission denied', todo: 'choose a path you can write to, or fix its permissions' },
  EPERM: {
    what: 'the operation is not permitted there',
    todo: 'choose a path in an ordinary folder you own',
  },
  EROFS: { what: 'the file system is read-only', todo: 'choose a path on a writable file system' },
  ENOSPC: { what: 'no space is left on the device', todo: 'free some space, or choose another file system' },
  EDQUOT: { what: 'the disk quota is exhausted', todo: 'free some space, or choose another file system' },
  ELOOP: { what: 'too many symbolic links (a link loop?)', todo: 'check the links on the path' },
  ENAMETOOLONG: { what: 'the path, or a name in it, is too long', todo: 'choose a shorter path' },
  EINVAL: { what: 'the file system does not accept this there', todo: 'choose a path in an ordinary folder' },
  EBUSY: { what: 'it is busy (a mount point, or in use)', todo: 'choose another path' },
  ETXTBSY: { what: 'it is in use', todo: 'choose another path' },
  EMLINK: { what: 'the folder holds too many entries', todo: 'choose another folder' },
  EXDEV: { what: 'it is on another file system', todo: 'choose a path on the same file system' },
};

/**
 * A file-system call on a path sched was given or derives from the user's settings (an `--out`
 * path, `$HOME`, `$SCHED_HOME`) failed for a reason outside sched: a user error, not a bug. The
 * message names the path and the reason; the hint says what to do.
 */
export class FileSystemError extends UserError {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
    hint: string,
  ) {
    super(message, hint);
    this.name = 'FileSystemError';
  }
}

/**
 * The {@link FileSystemError} for `err` when it is an errno error with a path and a known code,
 * else undefined. `action` says what sched was doing (`save the plan to`, `create the folder`);
 * without it, the failed system call is named. `hint` replaces the generic advice.
 */
export function fileSystemError(err: unknown, action?: string, hint?: string): FileSystemError | undefined {
  if (err instanceof FileSystemError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.path !== 'string')
    return undefined;
  const problem = FS_PROBLEMS[e.code];
  if (!problem) return undefined;
  const doing = action ?? `${SYSCALL_WORDS[e.syscall ?? ''] ?? e.syscall ?? 'use'}`;
  return new FileSystemError(
    e.path,
    e.code,
    `cannot ${doing} ${e.path}: ${problem.what} (${e.code})`,
    hint ?? `${problem.todo[0]!.toUpperCase()}${problem.todo.slice(1)}.`,
  );
}

const SYSCALL_WORDS: Record<string, string> = {
  open: 'open',
  mkdir: 'create the folder',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove the folder',
  scandir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  read: 'read',
  write: 'write',
  chmod: 'change the mode of',
  symlink: 'create the link',
  copyfile: 'copy',
  access: 'use',
  realpath: 'resolve',
};

/**
 * The schedules file is not there: the same words from every command that reads it (plan, apply,
 * status, validate, fmt, add/pause/resume/remove, history, logs…). `hint` replaces the advice
 * where another way exists (`--project` for the commands that only need the project's name).
 */
export function missingSchedulesFile(file: string, hint?: string): UserError {
  return new UserError(
    `no schedules file at ${file}`,
    hint ?? 'Create one with `sched init`, or give the path of another with -f FILE.',
  );
}

/**
 * A command line sched cannot run: an unknown command or flag, a missing or extra argument, a
 * flag value out of range. Exit 1 like every other error: 2 means only "changes present".
 */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'UsageError';
  }
}

/**
 * A file or directory sched would trust (state, spec, env_file) that someone else could change,
 * or that sched is not allowed to use: names the path; the hint says the command that fixes it.
 */
export class UnsafePathError extends UserError {
  constructor(
    readonly path: string,
    readonly problem: string,
    hint: string,
  ) {
    super(`refusing to use ${path}: ${problem}`, hint);
    this.name = 'UnsafePathError';
  }
}
