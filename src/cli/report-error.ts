/**
 * How every sched entry point — the oclif commands and the fast paths that skip oclif — turns an
 * error into words on stderr and an exit code, so that no problem a user can fix ends in a stack
 * trace, and the same problem reads the same whatever the entry.
 */
import {
  BugError,
  ExternalCommandError,
  fileSystemError,
  FileSystemError,
  InvalidConfigError,
  missingSchedulesFile,
  UnsafePathError,
  UserError,
} from '../errors.js';

/** Prints `err` for the user and returns the exit code to end with. */
export async function reportError(err: unknown): Promise<number> {
  if (err instanceof InvalidConfigError) {
    const { FILE_NOT_FOUND } = await import('../config/load.js');
    const file = err.diagnostics[0]?.file;
    // The file is not there at all: the one missing-file error, not a diagnostic at line 1.
    if (file && err.diagnostics.some((d) => d.code === 'read-error' && d.message === FILE_NOT_FOUND))
      return reportError(missingSchedulesFile(file));
    const { formatText } = await import('../config/diagnostic.js');
    const sources = file && err.source !== undefined ? { [file]: err.source } : {};
    process.stderr.write(formatText(err.diagnostics, sources));
    return err.exitCode;
  }
  // A file-system error no caller put in words: still the path and the reason, not a bug report.
  const fsError =
    err instanceof FileSystemError ? err : err instanceof UserError ? undefined : fileSystemError(err);
  if (fsError) err = await inStateDir(fsError);
  if (err instanceof UnsafePathError) {
    const origin = await stateOrigin(err.path);
    if (origin)
      err = new UnsafePathError(
        err.path,
        err.problem,
        `${err.hint} (sched keeps its state in ${origin.root}, from ${origin.from}.)`,
      );
  }
  if (err instanceof UserError) {
    process.stderr.write(await errorText(err.message, err.hint));
    return err.exitCode;
  }
  if (err instanceof ExternalCommandError) {
    process.stderr.write(
      await errorText(
        err.message,
        'The scheduler refused or failed; `sched doctor` checks that it works on this host.',
      ),
    );
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const kind = e instanceof BugError ? 'internal error' : 'unexpected error';
  process.stderr.write(
    await errorText(
      `${kind}: ${e.message}`,
      'This is a bug in sched; please report it with the command you ran (SCHED_DEBUG=1 adds where it happened).',
    ),
  );
  if (process.env.SCHED_DEBUG) process.stderr.write(`${e.stack}\n`);
  return 1;
}

/**
 * The one shape of every error sched prints: `Error: <what>`, then `Hint: <what to do>` when
 * there is advice; the labels coloured when stderr is (see src/cli/color.ts).
 */
export async function errorText(message: string, hint?: string): Promise<string> {
  const { paint, useColor } = await import('./color.js');
  const color = useColor(process.stderr);
  let text = `${paint(color, 31, 'Error:')} ${message}\n`;
  if (hint) text += `${paint(color, 1, 'Hint:')} ${hint}\n`;
  return text;
}

/**
 * The error with a hint about where the path comes from when it lies in sched's state directory
 * ($SCHED_HOME, else under $HOME or $XDG_STATE_HOME): the user set that location, not the path.
 */
async function inStateDir(err: FileSystemError): Promise<FileSystemError> {
  const origin = await stateOrigin(err.path);
  if (!origin) return err;
  return new FileSystemError(
    err.path,
    err.code,
    err.message,
    `sched keeps its state in ${origin.root} (from ${origin.from}): set SCHED_HOME to a folder you own, or fix ${origin.from}.`,
  );
}

/** Where sched's state location comes from, when `target` is in it or on the way to it. */
async function stateOrigin(target: string): Promise<{ root: string; from: string } | undefined> {
  const path = await import('node:path');
  const { stateRoot } = await import('../state/paths.js');
  let root: string;
  try {
    root = stateRoot();
  } catch {
    return undefined;
  }
  const rel = path.relative(root, target);
  const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  const above = !inside && !path.relative(target, root).startsWith('..');
  if (!inside && !above) return undefined;
  const from = process.env.SCHED_HOME
    ? '$SCHED_HOME'
    : process.env.XDG_STATE_HOME
      ? '$XDG_STATE_HOME'
      : '$HOME';
  return { root, from };
}
