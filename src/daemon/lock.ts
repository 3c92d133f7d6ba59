/**
 * One `sched daemon` per state directory: a lock file `<stateRoot>/embedded/daemon.lock` holding
 * the daemon's pid. A lock whose pid is dead is taken over; so is one holding our own pid (a
 * container restarted with a persistent state volume: the new daemon is pid 1 again).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ensureDirNoSymlink } from '../platform/node.js';
import { makeDirs } from '../platform/mkdirs.js';
import { createLockFile, pidAlive } from '../state/lockfile.js';

export const DAEMON_LOCK_FILE = 'daemon.lock';

/** What the lock file holds. */
export interface DaemonLockInfo {
  pid: number;
  startedAt: string;
  /** The projects the daemon serves; null: all of them. */
  projects: string[] | null;
}

/** The embedded backend's directory below a state root. */
export function embeddedRoot(stateRoot: string): string {
  return path.join(stateRoot, 'embedded');
}

export function daemonLockPath(stateRoot: string): string {
  return path.join(embeddedRoot(stateRoot), DAEMON_LOCK_FILE);
}

/** Is a process with this pid alive (EPERM: alive but not ours)? Re-exported from the shared lock core. */
export { pidAlive };

/** Reads the lock; undefined when there is none or it cannot be parsed. */
export async function readDaemonLock(lockFile: string): Promise<DaemonLockInfo | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<DaemonLockInfo>;
    if (typeof v.pid !== 'number') return undefined;
    return {
      pid: v.pid,
      startedAt: String(v.startedAt ?? ''),
      projects: Array.isArray(v.projects) ? v.projects : null,
    };
  } catch {
    return undefined;
  }
}

/** The running daemon for this lock file, if any (its pid is alive and is not this process). */
export async function runningDaemon(lockFile: string): Promise<DaemonLockInfo | undefined> {
  const info = await readDaemonLock(lockFile);
  if (!info || info.pid === process.pid || !pidAlive(info.pid)) return undefined;
  return info;
}

export interface DaemonLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Takes the daemon lock for a state root, or throws a UserError naming the running daemon.
 * Creation is exclusive (`wx`), so two daemons starting at once cannot both win.
 */
export async function acquireDaemonLock(
  stateRoot: string,
  projects: string[] | null,
  now = new Date(),
): Promise<DaemonLock> {
  const dir = embeddedRoot(stateRoot);
  await makeDirs(path.dirname(stateRoot));
  await ensureDirNoSymlink(dir, 0o700, path.dirname(stateRoot));
  const file = daemonLockPath(stateRoot);
  const info: DaemonLockInfo = { pid: process.pid, startedAt: now.toISOString(), projects };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLockFile(file, info, true)) {
      return {
        file,
        release: async () => {
          const current = await readDaemonLock(file);
          if (current?.pid === process.pid) await rm(file, { force: true });
        },
      };
    }
    const holder = await runningDaemon(file);
    if (holder) {
      throw new UserError(
        `another sched daemon (pid ${holder.pid}, started ${holder.startedAt}) is already running for the state directory ${stateRoot}`,
        'Only one daemon may serve a state directory. Stop the other one first, or set SCHED_HOME to use another state directory.',
      );
    }
    // Stale (dead pid, our own pid, or unreadable while being written by a dying daemon): take it over.
    const stale = await readDaemonLock(file);
    if (stale === undefined && attempt === 0) {
      // Possibly a lock being written right now by another starting daemon: give it a moment.
      await new Promise((r) => setTimeout(r, 100));
      if (await runningDaemon(file)) continue;
    }
    await rm(file, { force: true });
  }
  throw new UserError(
    `could not take the daemon lock ${file}`,
    'Remove the file if no sched daemon is running.',
  );
}
