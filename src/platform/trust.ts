/**
 * The trusted-directory walk every directory sched writes to or reads its state from goes
 * through, beside the OS it checks (node:fs, uids, modes).
 *
 * Trust (the rule ssh's StrictModes applies to ~/.ssh): a directory sched uses — and every
 * directory above it, up to `/` — must be owned by the user sched runs as or by root, and must
 * not be writable by group or others; the one exception is a root-owned directory with the
 * sticky bit (`/tmp`), where others cannot rename or remove what is ours. A file sched reads from
 * its state must be owned by the user (or root) and not writable by group or others. Anything
 * else is refused with {@link UnsafePathError}, naming the path and the fix: whoever can change a
 * spec file can run commands as this user. Not checked on Windows (no Unix owners there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileSystemError, UnsafePathError, UserError } from '../errors.js';
import { makeDirsSync } from './mkdirs.js';

/** A file stands where sched needs a directory: the user's to fix, with the path. */
export function notADirectory(p: string): FileSystemError {
  return new FileSystemError(
    p,
    'ENOTDIR',
    `cannot use ${p} as a folder: a file with that name exists (ENOTDIR)`,
    'Remove or rename that file, or choose another path.',
  );
}

export const DIR_MODE = 0o700;

export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The user sched runs as, or undefined where files have no Unix owner (Windows). */
export function currentUid(): number | undefined {
  return typeof process.geteuid === 'function' ? process.geteuid() : undefined;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * Why `st` (of `p`) cannot be trusted by user `uid`, as an error to throw; undefined when it can.
 * See the module comment for the rule.
 */
export function untrusted(p: string, st: fs.Stats, uid: number): UnsafePathError | undefined {
  const kind = st.isDirectory() ? 'directory' : 'file';
  if (st.uid !== uid && st.uid !== 0) {
    return new UnsafePathError(
      p,
      `the ${kind} is owned by uid ${st.uid}, not by you (uid ${uid}), so its owner could change what sched runs`,
      `make it yours (\`sudo chown ${uid} ${p}\`), or keep sched's state in a directory of your own (set SCHED_HOME).`,
    );
  }
  if (st.mode & 0o022 && !(st.isDirectory() && st.uid === 0 && st.mode & 0o1000)) {
    const who = st.mode & 0o002 ? 'everyone' : 'its group';
    return new UnsafePathError(
      p,
      `the ${kind} is writable by ${who} (mode ${octal(st.mode)}), so others could change what sched runs`,
      `\`chmod go-w ${p}\``,
    );
  }
  return undefined;
}

/**
 * Turns a permission error (EACCES, EPERM) on `p` into a user error that names the path, so it
 * never reads as a bug in sched; other errors are returned as they are.
 */
export function permissionError(e: unknown, p: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM') return e;
  return new UnsafePathError(
    p,
    `permission denied (${code}): it belongs to another user or its mode does not let you in`,
    'use a state directory of your own (set SCHED_HOME), or fix the owner and mode (`chown`, `chmod 700`) of that path.',
  );
}

/** lstat of `p`; undefined when it does not exist; a permission error names the path. */
export function lstatChecked(p: string): fs.Stats | undefined {
  try {
    return lstatOrUndefined(p);
  } catch (e) {
    throw permissionError(e, p);
  }
}

/**
 * Directories found trustworthy, with when: the chain above a state dir is checked once per
 * second, not once per file (an apply of 1,000 jobs), yet a long-running daemon sees a change.
 */
const trustedDirs = new Map<string, number>();
const TRUST_CACHE_MS = 1000;

/**
 * Throws unless `dir` and every directory above it can be trusted (see the module comment). A
 * symbolic link on the way is allowed only above `dir` (where the system may have them, like
 * macOS's /var), and then the directories it leads to are checked too. A no-op on Windows.
 */
export function assertTrustedDirSync(dir: string): void {
  const uid = currentUid();
  if (uid === undefined) return;
  const abs = path.resolve(dir);
  const checkedAt = trustedDirs.get(abs);
  if (checkedAt !== undefined && Date.now() - checkedAt < TRUST_CACHE_MS) return;
  const parent = path.dirname(abs);
  if (parent !== abs) assertTrustedDirSync(parent);
  const st = lstatChecked(abs);
  if (!st) throw new UserError(`${abs} does not exist`);
  if (st.isSymbolicLink()) {
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch (e) {
      throw permissionError(e, abs);
    }
    assertTrustedDirSync(real);
  } else {
    if (!st.isDirectory()) throw notADirectory(abs);
    const problem = untrusted(abs, st, uid);
    if (problem) throw problem;
  }
  trustedDirs.set(abs, Date.now());
}

export function refuseLink(p: string): never {
  throw new UserError(
    `refusing to use ${p}: it is a symbolic link`,
    'sched never follows links out of its own directories; replace it with a real file or directory.',
  );
}

/**
 * Creates `dir` (`mode`, default 0700) and its missing parents below `base`, refusing any
 * component that is a symlink, and any existing one that cannot be trusted (see the module
 * comment; `base` and every directory above it are checked the same way). `base` itself must
 * exist or be creatable (it is created with its parents). The one implementation:
 * `ensureDirNoSymlink` in `platform/node.ts` wraps it for the ports.
 */
export function ensureDirSync(dir: string, base: string, mode = DIR_MODE): void {
  try {
    makeDirsSync(base, mode); // not mkdir recursive: that never returns on procfs
  } catch (e) {
    throw permissionError(e, base);
  }
  walkTrusted(dir, base, mode);
}

/**
 * Checks what {@link ensureDirSync} checks without creating anything: the existing part of the
 * path from `base` to `dir` (a missing `base` or component ends the check quietly).
 */
export function checkDirSync(dir: string, base: string): void {
  if (!lstatChecked(base)) return;
  walkTrusted(dir, base, undefined);
}

/**
 * Throws unless `st`, the lstat of `p` — a directory inside one already checked — is a real
 * directory (no symlink) the user can trust; undefined (it does not exist) passes.
 */
export function assertTrustedChild(p: string, st: fs.Stats | undefined, uid = currentUid()): void {
  if (!st) return;
  if (st.isSymbolicLink()) refuseLink(p);
  if (!st.isDirectory()) throw notADirectory(p);
  const problem = uid === undefined ? undefined : untrusted(p, st, uid);
  if (problem) throw problem;
}

/**
 * Makes `dir` (`mode`), a folder directly inside one already made and checked, or checks the one
 * there ({@link assertTrustedChild}). True when it existed before.
 */
export function makeTrustedChild(dir: string, uid = currentUid(), mode = DIR_MODE): boolean {
  const st = lstatChecked(dir);
  if (st) {
    assertTrustedChild(dir, st, uid);
    return true;
  }
  try {
    fs.mkdirSync(dir, { mode });
    return false;
  } catch (e) {
    // Another sched process created it between our lstat and mkdir: check it.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw permissionError(e, dir);
    assertTrustedChild(dir, lstatChecked(dir), uid);
    return true;
  }
}

/** The walk of {@link ensureDirSync}: creates missing components with `mode`, or stops there when undefined. */
function walkTrusted(dir: string, base: string, mode: number | undefined): void {
  assertTrustedDirSync(base);
  const rel = path.relative(base, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UserError(`${dir} is outside ${base}`);
  const uid = currentUid();
  const check = (p: string, st: fs.Stats): void => assertTrustedChild(p, st, uid);
  let current = base;
  for (const part of rel.split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const st = lstatChecked(current);
    if (st) {
      check(current, st);
      continue;
    }
    if (mode === undefined) return;
    try {
      fs.mkdirSync(current, { mode });
    } catch (e) {
      // Another sched process created it between our lstat and mkdir: check it again.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw permissionError(e, current);
      check(current, fs.lstatSync(current));
    }
  }
}
