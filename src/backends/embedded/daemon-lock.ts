/**
 * One `sched daemon` per state directory: a lock `<stateRoot>/embedded/daemon.lock` (a lock
 * directory, see state/lockfile.ts) recording the daemon's pid and start time. A lock whose
 * daemon is dead (gone, a zombie, a reused pid) is taken over; so is one holding our own pid (a
 * container restarted with a persistent state volume: the new daemon is pid 1 again).
 */
import { lstat, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { ensureDirNoSymlink } from '../../platform/node.js';
import { makeDirs } from '../../platform/mkdirs.js';
import { OwnerLock, pidAlive, processStartTicks } from '../../state/lockfile.js';

export const DAEMON_LOCK_FILE = 'daemon.lock';

/** What the lock file holds. */
export interface DaemonLockInfo {
  pid: number;
  /** The daemon's process start time (Linux clock ticks), against pid reuse. */
  pid_start?: string;
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
  const legacy = await readLegacyLock(lockFile);
  if (legacy !== 'none') return legacy;
  const found = new OwnerLock<Partial<DaemonLockInfo>>(lockFile, path.dirname(lockFile)).holder();
  return found ? asInfo(found.record) : undefined;
}

function asInfo(v: Partial<DaemonLockInfo> | undefined): DaemonLockInfo | undefined {
  if (!v || typeof v.pid !== 'number') return undefined;
  return {
    pid: v.pid,
    ...(typeof v.pid_start === 'string' ? { pid_start: v.pid_start } : {}),
    startedAt: String(v.startedAt ?? ''),
    projects: Array.isArray(v.projects) ? v.projects : null,
  };
}

/**
 * A lock written by an older sched as a plain file: its holder, undefined when unreadable, or
 * 'none' when the path is not such a file.
 */
async function readLegacyLock(lockFile: string): Promise<DaemonLockInfo | undefined | 'none'> {
  const st = await lstat(lockFile).catch(() => undefined);
  if (!st?.isFile()) return 'none';
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  try {
    return asInfo(JSON.parse(text ?? '') as Partial<DaemonLockInfo>);
  } catch {
    return undefined;
  }
}

/**
 * Whether a recorded daemon is gone: its pid is dead, a zombie, another process under the same
 * pid — or our own pid (a restarted container with a persistent state volume is pid 1 again).
 */
function daemonDead(info: DaemonLockInfo | undefined): boolean {
  return !info || info.pid === process.pid || !pidAlive(info.pid, info.pid_start);
}

/** The running daemon for this lock file, if any (its pid is alive and is not this process). */
export async function runningDaemon(lockFile: string): Promise<DaemonLockInfo | undefined> {
  const info = await readDaemonLock(lockFile);
  return daemonDead(info) ? undefined : info;
}

export interface DaemonLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Takes the daemon lock for a state root, or throws a UserError naming the running daemon.
 * Acquisition and take-over are atomic (see state/lockfile.ts), so two daemons starting at once
 * cannot both win, even over a dead daemon's lock.
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
  const legacy = await readLegacyLock(file);
  if (legacy !== 'none') {
    if (!daemonDead(legacy)) throw runningError(legacy!, stateRoot);
    await rm(file, { force: true }); // an older sched's lock whose daemon is gone
  }
  const start = processStartTicks(process.pid);
  const info: DaemonLockInfo = {
    pid: process.pid,
    ...(start ? { pid_start: start } : {}),
    startedAt: now.toISOString(),
    projects,
  };
  const lock = new OwnerLock<DaemonLockInfo>(file, path.dirname(stateRoot));
  // A damaged record (no pid) cannot be judged: like a dead one, it is taken over.
  const got = lock.tryAcquire(info, (h) => daemonDead(asInfo(h.record)));
  if (!got.acquired) throw runningError(asInfo(got.holder.record)!, stateRoot);
  return { file, release: async () => got.held.release() };
}

function runningError(holder: DaemonLockInfo, stateRoot: string): UserError {
  return new UserError(
    `another sched daemon (pid ${holder.pid}, started ${holder.startedAt}) is already running for the state directory ${stateRoot}`,
    'Only one daemon may serve a state directory. Stop the other one first, or set SCHED_HOME to use another state directory.',
  );
}
