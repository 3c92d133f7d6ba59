/**
 * The lock core shared by the locks that record their holder and are taken over when the holder
 * died: the apply locks (`apply/lock.ts`: per project and per backend target) and the daemon lock
 * (`daemon/lock.ts`). Each keeps its own policy — whose death counts, what to tell the user; what
 * must be identical lives here: atomic acquisition, atomic take-over, and the liveness test
 * (`liveness.ts`).
 *
 * A lock is a DIRECTORY holding exactly one owner file, `owner-<pid>-<random>.json`:
 * - acquire: write the owner file into a fresh private directory, then rename(2) that directory
 *   onto the lock's path. rename succeeds only when the path is missing or an EMPTY directory; a
 *   held lock is never empty, so exactly one of many racing processes gets in.
 * - take over a dead holder: unlink(2) the holder's owner file by its unique name. Only one
 *   process can unlink that name, and it can never remove a newer holder's file (another name);
 *   the emptied directory is then free for the next rename, whoever makes it.
 * - release: unlink our own owner file (the directory is left empty = free), then rmdir it.
 * No step deletes what another live process holds, so there is no window where two are inside —
 * the flaw of "rm the stale file, then create a new one" (two take-overs each deleting the
 * other's fresh lock). flock(2) would need native code in Node.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ensureDirSync } from './files.js';
import { pidAlive } from './liveness.js';

export { pidAlive, processStartTicks } from './liveness.js';

const OWNER = /^owner-(\d+)-[0-9a-f]+\.json$/;
/** A directory made for one acquisition: `<lock>.new-<pid>-<random>`. */
const FRESH = /\.new-(\d+)-[0-9a-f]+$/;

/** What every holder records: enough to tell whether it is alive, and to name it. */
export interface OwnerRecord {
  pid: number;
  /** The holder's process start time (Linux clock ticks), against pid reuse. */
  pid_start?: string;
  host: string;
}

/** The holder as found: its record (undefined when unreadable) and its owner file. */
export interface FoundHolder<T> {
  record: T | undefined;
  /** The owner file's name inside the lock directory: what a take-over unlinks. */
  entry: string;
  /** The owner file's mtime: the holder's heartbeat. */
  heartbeat: Date;
}

export type TryResult<T> = { acquired: true; held: HeldLock } | { acquired: false; holder: FoundHolder<T> };

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string;
  /** Refreshes the heartbeat (the owner file's mtime). */
  heartbeat(now: Date): void;
  /** Gives the lock up; again is a no-op. Never removes another holder's lock. */
  release(): void;
}

export class OwnerLock<T extends Partial<OwnerRecord>> {
  constructor(
    /** The lock directory. */
    readonly path: string,
    /** The directory whose parents are trusted (state root's parent): no symlink below it. */
    readonly base: string,
  ) {}

  /** The current holder, or undefined when the lock is free. */
  holder(): FoundHolder<T> | undefined {
    let names: string[];
    try {
      const st = fs.lstatSync(this.path);
      if (!st.isDirectory()) {
        throw new UserError(
          `${this.path} is not a lock directory${st.isSymbolicLink() ? ' (it is a symbolic link)' : ''}`,
          'Remove it if no sched process is running; sched makes it again.',
        );
      }
      names = fs.readdirSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const entry = names.find((n) => OWNER.test(n));
    if (entry === undefined) return undefined; // empty: free
    const file = path.join(this.path, entry);
    try {
      const heartbeat = fs.lstatSync(file).mtime;
      let record: T | undefined;
      try {
        record = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
      } catch {
        record = undefined;
      }
      // The pid in the name is written with the file, so even a damaged record names its process.
      const pid = Number(OWNER.exec(entry)![1]);
      return { record: record ?? ({ pid } as T), entry, heartbeat };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.holder(); // released meanwhile
      throw e;
    }
  }

  /**
   * Takes the lock when it is free, or when `isDead(holder)` says its holder is gone (then the
   * holder's owner file is removed — only that one — and the lock taken like a free one).
   * Otherwise reports the live holder.
   */
  tryAcquire(record: T, isDead: (holder: FoundHolder<T>) => boolean): TryResult<T> {
    ensureDirSync(path.dirname(this.path), this.base);
    this.sweepFresh();
    const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const fresh = `${this.path}.new-${token}`;
    const entry = `owner-${token}.json`;
    fs.mkdirSync(fresh, { mode: 0o700 });
    try {
      const fd = fs.openSync(path.join(fresh, entry), 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(record) + '\n');
        fs.fsyncSync(fd); // a lock that survives a crash must name its holder
      } finally {
        fs.closeSync(fd);
      }
      for (let round = 0; round < 20; round++) {
        try {
          fs.renameSync(fresh, this.path);
          return { acquired: true, held: this.held(entry) };
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw e;
        }
        const holder = this.holder(); // throws when the path is not a directory
        if (!holder) continue; // released (or emptied by a take-over) meanwhile: try again
        if (!isDead(holder)) return { acquired: false, holder };
        this.removeOwner(holder.entry);
      }
      const holder = this.holder();
      if (holder) return { acquired: false, holder };
      throw new UserError(`could not take the lock ${this.path}: it kept changing hands`, 'Try again.');
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  }

  /** Removes a dead holder's owner file (by its own name: never a newer holder's) and the emptied directory. */
  private removeOwner(entry: string): void {
    try {
      fs.unlinkSync(path.join(this.path, entry));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      return; // someone else took it over first
    }
    this.removeIfEmpty();
  }

  private removeIfEmpty(): void {
    try {
      fs.rmdirSync(this.path);
    } catch {
      // ENOTEMPTY: taken again already; ENOENT: removed by another process. Both fine.
    }
  }

  /** Removes the fresh directories of acquisitions that died before their rename. */
  private sweepFresh(): void {
    const dir = path.dirname(this.path);
    const prefix = `${path.basename(this.path)}.new-`;
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(FRESH.exec(name)?.[1]);
      if (pid && pid !== process.pid && !pidAlive(pid))
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }

  private held(entry: string): HeldLock {
    const file = path.join(this.path, entry);
    let released = false;
    return {
      path: this.path,
      heartbeat: (now) => {
        if (!released) fs.utimesSync(file, now, now);
      },
      release: () => {
        if (released) return;
        released = true;
        try {
          fs.unlinkSync(file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // taken over: not ours to remove
          throw e;
        }
        this.removeIfEmpty();
      },
    };
  }
}

/**
 * The usual death test for a holder: on this host, its process is gone, a zombie, or another
 * process under the same pid; on another host nobody can tell, so it counts as alive.
 */
export function holderDeadOnThisHost(record: Partial<OwnerRecord> | undefined, host: string): boolean {
  if (!record || record.pid === undefined) return false;
  return record.host === host && !pidAlive(record.pid, record.pid_start);
}
