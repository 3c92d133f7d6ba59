/**
 * Which project a schedules file names, remembered in the state directory so that `sched run JOB`
 * by hand (no --project) does not load the YAML and its validator on every start:
 * `cache/project-<hash of the file's absolute path>.json`, 0600 in a 0700 directory, never through
 * a symlink and never from a directory others can write (the load cache's rules, load-cache.ts).
 *
 * An entry stands only for the very file it was made from, unchanged since: the same path, device,
 * inode, size, and modification and status-change times to the nanosecond (any write, rename over
 * it, chmod or touch changes one of them). Otherwise the caller reads the YAML and remembers the
 * answer again. Losing the cache costs one YAML load, so failures to read or write it are ignored.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { checkDirSync, ensureDirSync, readJsonSync, writeAtomicSync } from './files.js';

interface Entry {
  format_version: 1;
  file: string;
  project: string;
  /** `dev:ino:size:mtimeNs:ctimeNs` of the file when the project was read from it. */
  identity: string;
}

/** The file's identity for an entry, or undefined when it cannot be stat'ed. */
function identity(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    if (!st.isFile()) return undefined;
    return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
  } catch {
    return undefined;
  }
}

/** 64-bit FNV-1a of the path, hex: a file name per schedules file (the entry holds the path too). */
function pathHash(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(byte)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

function entryFile(root: string, file: string): string {
  return path.join(root, 'cache', `project-${pathHash(file)}.json`);
}

/** The project the schedules file `file` (absolute) named when last read, if it is unchanged since. */
export function rememberedProject(root: string, file: string): string | undefined {
  try {
    const cacheFile = entryFile(root, file);
    // The state root's parent is the base, so a state root that is a symlink is refused, as run does.
    checkDirSync(path.dirname(cacheFile), path.dirname(root));
    const entry = readJsonSync<Entry>(cacheFile);
    if (!entry || entry.format_version !== 1 || entry.file !== file || typeof entry.project !== 'string')
      return undefined;
    const now = identity(file);
    return now !== undefined && now === entry.identity ? entry.project : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers that `file` names `project`. `before` is the file's identity taken before it was read
 * ({@link fileIdentity}): when the file changed while it was read, nothing is remembered.
 */
export function rememberProject(
  root: string,
  file: string,
  project: string,
  before: string | undefined,
): void {
  try {
    if (before === undefined || identity(file) !== before) return;
    // Only into a state directory that exists: a run by hand must not create one.
    if (!statSync(root).isDirectory()) return;
    const cacheFile = entryFile(root, file);
    ensureDirSync(path.dirname(cacheFile), path.dirname(root));
    const entry: Entry = { format_version: 1, file, project, identity: before };
    writeAtomicSync(cacheFile, JSON.stringify(entry) + '\n', undefined, false);
  } catch {
    // A read-only or full state dir must not fail a run: the next run reads the YAML again.
  }
}

/** The identity to pass to {@link rememberProject}, taken before the file is read. */
export function fileIdentity(file: string): string | undefined {
  return identity(file);
}
