/**
 * The waiting line of a job with `overlap: queue`: one ticket per waiting run in
 * `projects/<p>/locks/<job>.queue/`, named so that names sort by arrival. A run may take the
 * job's lock only when its ticket is the first live one, so queued runs start in the order they
 * arrived. A ticket whose run died (pid gone on this host, or heartbeat stale elsewhere) is
 * removed by whoever sees it, as with the lock itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureDirSync, FILE_MODE, mtimeSync, readJsonSync, removeSync, touchSync } from './files.js';
import { isStale, type LockContext, type LockOwner } from './lock.js';

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

export class JobQueue {
  constructor(
    /** `projects/<p>/locks/<job>.queue` */
    readonly dir: string,
    /** The directory whose parents are trusted (state root's parent): no symlink below it. */
    readonly base: string,
  ) {}

  /** Joins the end of the line; returns the ticket to pass to the other methods. */
  join(owner: LockOwner, now: Date): string {
    ensureDirSync(this.dir, this.base);
    // Milliseconds since 1970, zero-padded so that names sort as numbers; the run id breaks ties.
    const ticket = `${String(now.getTime()).padStart(15, '0')}-${owner.id}.json`;
    const fd = fs.openSync(
      path.join(this.dir, ticket),
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW,
      FILE_MODE,
    );
    try {
      fs.writeSync(fd, JSON.stringify(owner) + '\n');
    } finally {
      fs.closeSync(fd);
    }
    return ticket;
  }

  /**
   * How many live tickets are ahead of `ticket` (0: its turn). Tickets of dead runs are removed
   * on the way, so a run killed while it waited never blocks the line.
   */
  ahead(ticket: string, ctx: LockContext): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json') && n < ticket);
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

  /** Refreshes the ticket's heartbeat (its mtime), for waiters on other hosts. */
  heartbeat(ticket: string, now: Date): void {
    touchSync(path.join(this.dir, ticket), now);
  }

  leave(ticket: string): void {
    removeSync(path.join(this.dir, ticket));
  }
}
