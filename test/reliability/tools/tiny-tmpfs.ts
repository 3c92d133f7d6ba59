/**
 * A tiny tmpfs to run sched on a full disk (ENOSPC): mounted as root on a fresh temp directory,
 * unmounted and removed by `cleanup`. Use it as SCHED_HOME, then fill it (a job that writes until
 * ENOSPC, or {@link fillUp}). Needs root and CAP_SYS_ADMIN; `tinyTmpfsSkipReason` says when not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TinyTmpfs {
  dir: string;
  cleanup(): void;
}

let probed: string | undefined | null = null;

/** Why a tmpfs cannot be mounted here, or undefined. */
export function tinyTmpfsSkipReason(): string | undefined {
  if (probed !== null) return probed;
  probed = undefined;
  if (process.platform !== 'linux') probed = 'tmpfs: Linux only';
  else if (process.getuid?.() !== 0) probed = 'mounting a tmpfs needs root';
  else {
    try {
      mountTinyTmpfs(64).cleanup();
    } catch (e) {
      probed = `cannot mount a tmpfs here: ${(e as Error).message}`;
    }
  }
  return probed;
}

/** Mounts a tmpfs of `sizeKiB` (mode 0700) on a new temp directory. */
export function mountTinyTmpfs(sizeKiB: number): TinyTmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    fs.rmdirSync(dir);
    throw new Error(`mount failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return {
    dir,
    cleanup: () => {
      // Lazy: a process that still has a file open there must not keep the mount around.
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `file` until the file system is full (ENOSPC); returns the bytes written. */
export function fillUp(file: string): number {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096);
  let total = 0;
  try {
    for (;;) total += fs.writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  return total;
}
