/**
 * File-system faults for error-path tests: a read-only mount (EROFS), a symbolic-link loop
 * (ELOOP), a name longer than NAME_MAX (ENAMETOOLONG). Each returns what to pass to the command
 * and cleans up after itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export interface ReadOnlyMount {
  dir: string;
  /** Unmounts (idempotent). */
  remove(): void;
}

/** A read-only tmpfs at `dir`, or the reason it cannot be made here (not root, no mount). */
export function mountReadOnly(dir: string): ReadOnlyMount | string {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root: cannot mount';
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `mount -o ro failed: ${(r.stderr || String(r.error)).trim()}`;
  let mounted = true;
  return {
    dir,
    remove() {
      if (mounted) spawnSync('umount', [dir]);
      mounted = false;
    },
  };
}

/** Two links in `dir` that point at each other; returns a path through them (ELOOP on open). */
export function symlinkLoop(dir: string): string {
  symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
  symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
  return path.join(dir, 'loop-a', 'plan.json');
}

/** A path in `dir` whose last name is longer than any file system allows (ENAMETOOLONG). */
export function nameTooLong(dir: string): string {
  return path.join(dir, `${'n'.repeat(300)}.json`);
}
