/**
 * The overlap lock of a job: a file created with O_EXCL (`projects/<p>/locks/<job>.lock`) that
 * records who holds it — run id, pid, host, start — and whose mtime is the holder's heartbeat.
 * A lock whose holder died (pid gone on this host, or heartbeat stale) is taken over; the
 * takeover renames the stale file away first so that two processes cannot both take it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createExclusiveSync,
  ensureDirSync,
  mtimeSync,
  readJsonSync,
  removeSync,
  touchSync,
} from './files.js';
import { DEFAULT_STALE_MS } from './runs.js';

export interface LockOwner {
  id: string;
  pid: number;
  /** The holder's process start time (Linux clock ticks), against pid reuse. */
  pid_start?: string;
  host: string;
  start: string;
}

export interface LockHolder extends Partial<LockOwner> {
  /** Last heartbeat (the lock file's mtime). */
  heartbeat: Date;
}

export type AcquireResult = { acquired: true } | { acquired: false; holder: LockHolder };

export interface LockContext {
  now: Date;
  host: string;
  isAlive(pid: number, start?: string): boolean;
  staleMs?: number;
}

/**
 * Whether the holder of a lock (or of a queue ticket) is gone. Same host: the process table
 * decides (a suspended machine's heartbeats are old, the holder is fine). Another host, or an
 * unreadable record: only the heartbeat can tell.
 */
/** An unreadable holder (empty or torn file: a disk full or a kill while it was written) older than this is stale. */
export const UNREADABLE_STALE_MS = 5_000;

export function isStale(holder: LockHolder, ctx: LockContext): boolean {
  const staleMs = ctx.staleMs ?? DEFAULT_STALE_MS;
  // Writing a holder takes microseconds: one that names nobody after a few seconds never will.
  if (holder.pid === undefined && holder.id === undefined && holder.host === undefined)
    return ctx.now.getTime() - holder.heartbeat.getTime() > UNREADABLE_STALE_MS;
  if (holder.host === ctx.host && holder.pid !== undefined) return !ctx.isAlive(holder.pid, holder.pid_start);
  return ctx.now.getTime() - holder.heartbeat.getTime() > staleMs;
}

export class JobLock {
  constructor(
    readonly file: string,
    /** The directory whose parents are trusted (state root's parent): no symlink below it. */
    readonly base: string,
  ) {}

  /** The current holder, or undefined when the lock is free. */
  holder(): LockHolder | undefined {
    const heartbeat = mtimeSync(this.file);
    if (!heartbeat) return undefined;
    const owner = readJsonSync<LockOwner>(this.file) ?? {};
    return { ...owner, heartbeat };
  }

  /** Takes the lock when it is free or its holder is dead; otherwise reports the live holder. */
  tryAcquire(owner: LockOwner, ctx: LockContext): AcquireResult {
    ensureDirSync(path.dirname(this.file), this.base);
    for (let round = 0; round < 5; round++) {
      try {
        createExclusiveSync(this.file, JSON.stringify(owner) + '\n');
        return { acquired: true };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = this.holder();
      if (!holder) continue; // released meanwhile: try again
      if (!isStale(holder, ctx)) return { acquired: false, holder };
      this.takeOver(holder);
    }
    const holder = this.holder();
    return { acquired: false, holder: holder ?? { heartbeat: ctx.now } };
  }

  /** Moves a stale lock away; puts it back if what we moved turned out to be a fresh one. */
  private takeOver(stale: LockHolder): void {
    const aside = `${this.file}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      fs.renameSync(this.file, aside);
    } catch {
      return;
    }
    const moved = readJsonSync<LockOwner>(aside);
    if (moved && stale.id !== undefined && moved.id !== stale.id) {
      // Someone else took over and created a new lock between our read and rename: restore it.
      try {
        fs.linkSync(aside, this.file);
      } catch {
        // A third lock exists already; the one we moved loses. Rare, and only ever under a takeover race.
      }
    }
    removeSync(aside);
  }

  heartbeat(now: Date): void {
    touchSync(this.file, now);
  }

  /** Releases the lock if `id` still holds it. */
  release(id: string): void {
    const owner = readJsonSync<LockOwner>(this.file);
    if (owner?.id === id) removeSync(this.file);
  }
}

export function hostName(): string {
  return os.hostname();
}
