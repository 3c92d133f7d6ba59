/**
 * The waiting line of a job with `overlap: queue`: one ticket per waiting run in
 * `projects/<p>/locks/<job>.queue/`, named so that names sort by arrival. A run may take the
 * job's lock only when its ticket is the first live one, so queued runs start in the order they
 * arrived. A ticket whose run died (pid gone on this host, or heartbeat stale elsewhere) is
 * removed by whoever sees it, as with the lock itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  createExclusiveSync,
  ensureDirSync,
  mtimeSync,
  readJsonSync,
  removeSync,
  touchSync,
} from './files.js';
import { isStale, type LockContext, type LockOwner } from './lock.js';

export class JobQueue {
  constructor(
    /** `projects/<p>/locks/<job>.queue` */
    readonly dir: string,
    /** The directory whose parents are trusted (state root's parent): no symlink below it. */
    readonly base: string,
  ) {}

  /** Joins the end of the line. */
  join(owner: LockOwner, now: Date): QueueTicket {
    ensureDirSync(this.dir, this.base);
    // Milliseconds since 1970, zero-padded so that names sort as numbers; the run id breaks ties.
    const name = `${String(now.getTime()).padStart(15, '0')}-${owner.id}.json`;
    createExclusiveSync(path.join(this.dir, name), JSON.stringify(owner) + '\n');
    return new QueueTicket(this.dir, name);
  }
}

/** One run's place in the line. */
export class QueueTicket {
  private left = false;
  constructor(
    private readonly dir: string,
    readonly name: string,
  ) {}

  /**
   * How many live tickets are ahead of this one (0: its turn). Tickets of dead runs are removed
   * on the way, so a run killed while it waited never blocks the line.
   */
  ahead(ctx: LockContext): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json') && n < this.name);
    } catch {
      return 0;
    }
    let live = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const heartbeat = mtimeSync(file);
      if (!heartbeat) continue; // left meanwhile
      const owner = readJsonSync<Partial<LockOwner>>(file) ?? {};
      if (isStale({ ...owner, heartbeat }, ctx)) removeSync(file);
      else live++;
    }
    return live;
  }

  /**
   * The live tickets that joined after this one (for `overlap: replace`: a newer run supersedes
   * this one). Unlike {@link ahead}, removes nothing.
   */
  behind(ctx: LockContext): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json') && n > this.name);
    } catch {
      return 0;
    }
    let live = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const heartbeat = mtimeSync(file);
      if (!heartbeat) continue;
      const owner = readJsonSync<Partial<LockOwner>>(file) ?? {};
      if (!isStale({ ...owner, heartbeat }, ctx)) live++;
    }
    return live;
  }

  /** Refreshes the ticket's heartbeat (its mtime), for waiters on other hosts. */
  heartbeat(now: Date): void {
    if (!this.left) touchSync(path.join(this.dir, this.name), now);
  }

  /** Leaves the line; again is a no-op. */
  leave(): void {
    if (this.left) return;
    this.left = true;
    removeSync(path.join(this.dir, this.name));
  }
}
