/**
 * Small synchronous file helpers for the state directory. Synchronous on purpose: `sched run`
 * must start fast and write a few small files in order, and these never block on anything but
 * the local disk. Every helper refuses to follow a symbolic link (O_NOFOLLOW where the OS has
 * it, an lstat check otherwise), so a link planted in the state dir cannot redirect a write.
 *
 * Trust: the directories and files behind these helpers are checked by the rule in
 * platform/trust.ts (owned by the user or root, not writable by group or others).
 */
import fs from 'node:fs';
import path from 'node:path';
import { currentUid, lstatOrUndefined, permissionError, refuseLink, untrusted } from '../platform/trust.js';

// The trust checks are part of this module's contract for the state folders.
export {
  assertTrustedDirSync,
  checkDirSync,
  DIR_MODE,
  ensureDirSync,
  permissionError,
} from '../platform/trust.js';

/** 0 where the platform has no O_NOFOLLOW (Windows): the lstat checks still apply there. */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

export const FILE_MODE = 0o600;

/** Throws unless the file behind `fd` (opened from `file`) can be trusted (the rule of platform/trust.ts). */
function assertTrustedFd(fd: number, file: string): void {
  const uid = currentUid();
  if (uid === undefined) return;
  const problem = untrusted(file, fs.fstatSync(fd), uid);
  if (problem) throw problem;
}

/** Reads a file's text, or undefined when it does not exist. Refuses a symlink. */
export function readTextSync(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') refuseLink(file);
    throw permissionError(e, file);
  }
  try {
    if (!O_NOFOLLOW && fs.lstatSync(file).isSymbolicLink()) refuseLink(file);
    assertTrustedFd(fd, file);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses a JSON file; undefined when missing or not (yet) valid JSON. */
export function readJsonSync<T>(file: string): T | undefined {
  const text = readTextSync(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * Atomic write: a temp file beside the target (created exclusively, mode 0600), fsync, rename.
 * A reader sees the old content or the new, never a mix; a crash leaves at worst a stray temp file.
 */
export function writeAtomicSync(file: string, content: string, mode = FILE_MODE, durable = true): void {
  if (lstatOrUndefined(file)?.isSymbolicLink()) refuseLink(file);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  let fd: number;
  try {
    fd = fs.openSync(
      tmp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW,
      mode,
    );
  } catch (e) {
    throw permissionError(e, path.dirname(file));
  }
  try {
    fs.writeSync(fd, content);
    // `durable: false` for files whose loss in a power cut costs nothing (rename stays atomic).
    if (durable) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** Creates `file` (0600) holding `content`; throws EEXIST when it exists (or is a symlink). */
export function createExclusiveSync(file: string, content: string): void {
  const fd = fs.openSync(
    file,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW,
    FILE_MODE,
  );
  try {
    fs.writeSync(fd, content);
  } catch (e) {
    // Disk full (ENOSPC) after the file was created: an empty lock or ticket would block others.
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw e;
  }
  fs.closeSync(fd);
}

/** True for the errors of a full disk or an exhausted quota. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Opens `file` for appending (created 0600), refusing a symlink. */
export function openAppendSync(file: string, mode = FILE_MODE): number {
  try {
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW,
      mode,
    );
    try {
      if (!O_NOFOLLOW && fs.lstatSync(file).isSymbolicLink()) refuseLink(file);
      assertTrustedFd(fd, file);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    return fd;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') refuseLink(file);
    throw permissionError(e, file);
  }
}

/** Appends text with one write(2) on an O_APPEND descriptor (lines from concurrent writers do not interleave mid-line in practice). */
export function appendTextSync(file: string, text: string): number {
  const fd = openAppendSync(file);
  try {
    fs.writeSync(fd, text);
    return fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes a file; no error when it is already gone. */
export function removeSync(file: string): void {
  // unlink, not rmSync: rmSync loads node's rimraf on its first call (~1 ms of every `sched run`).
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Whatever unlink refuses (a folder, Windows' read-only files): rmSync's answer, as before.
    fs.rmSync(file, { force: true });
  }
}

/** Sets a file's mtime to `when` (used as a heartbeat); false when the file is gone. */
export function touchSync(file: string, when: Date): boolean {
  try {
    fs.utimesSync(file, when, when);
    return true;
  } catch {
    return false;
  }
}

export function mtimeSync(file: string): Date | undefined {
  return lstatOrUndefined(file)?.mtime;
}
