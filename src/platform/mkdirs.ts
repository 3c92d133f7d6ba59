/**
 * `mkdir -p` that always ends. Node's `mkdir({ recursive: true })` never returns on procfs
 * (`/proc/x`): the kernel answers ENOENT although the parent exists, and Node retries the
 * parent forever. These create one missing component at a time, so every path ends in success
 * or in a {@link FileSystemError} naming the folder that could not be made.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileSystemError, fileSystemError } from '../errors.js';

/** The folders to create for `dir`, outermost first: those that do not exist yet. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(current);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up; the walk finds it and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fileSystemError(e, 'use the folder') ?? e;
    }
    if (st) {
      if (!st.isDirectory())
        throw new FileSystemError(
          current,
          'ENOTDIR',
          `cannot create the folder ${dir}: ${current} is a file, not a folder`,
          'Choose another path, or remove that file.',
        );
      return missing.reverse();
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) return missing.reverse();
    current = parent;
  }
}

function refused(folder: string, e: unknown): Error {
  // ENOENT with every parent present: a file system that takes no new folders (procfs).
  if ((e as NodeJS.ErrnoException).code === 'ENOENT')
    return new FileSystemError(
      folder,
      'ENOENT',
      `cannot create the folder ${folder}: that file system takes no new folders (ENOENT)`,
      'Choose a path in an ordinary folder you own.',
    );
  return fileSystemError(e, 'create the folder') ?? (e as Error);
}

/** Creates `dir` and its missing parents (each with `mode`); a folder that exists is fine. */
export function makeDirsSync(dir: string, mode?: number): void {
  for (const folder of missingFolders(dir)) {
    try {
      fs.mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(folder).isDirectory()) continue;
      throw refused(folder, e);
    }
  }
}

/** {@link makeDirsSync}, for async callers (the checks are a few stat calls). */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  makeDirsSync(dir, mode);
}
