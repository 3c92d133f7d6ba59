/**
 * The locks an apply (or destroy, or a `watch --apply` cycle) holds while it changes the host.
 *
 * - The PROJECT lock, `projects/<p>/locks/.apply`: one apply of a project at a time. It is taken
 *   before the host is read and held through planning, the confirmation prompt and execution, so
 *   the plan a user says yes to is the plan that runs (as Terraform holds its state lock).
 * - One TARGET lock per backend target the plan changes, `locks/target-<key>` below the state
 *   root: one user crontab, one systemd unit directory… Two projects share a target, so two
 *   applies of different projects must not read-modify-write it at the same time. Target locks
 *   are held only while changing the host (after the prompt), never during a prompt.
 *
 * Lock order, to rule out deadlock: the project lock first, then target locks sorted by key;
 * nothing takes a project lock while it holds a target lock, and nobody holds two project locks.
 *
 * Each lock records who holds it (pid and start time, host, user, command, since when), so a
 * second apply can say whom it waits for; a lock whose holder died (gone, a zombie, or a reused
 * pid) is taken over atomically (see `state/lockfile.ts`).
 */
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import {
  holderDeadOnThisHost,
  OwnerLock,
  processStartTicks,
  type FoundHolder,
  type HeldLock,
} from '../state/lockfile.js';
import { projectStateDir } from '../state/paths.js';

export interface LockHolder {
  pid: number;
  pid_start?: string;
  host: string;
  user: string;
  command: string;
  since: string;
}

export interface Lock {
  release(): Promise<void>;
}

/** A lock is held by a live process (and waiting, if allowed, did not see it freed). */
export class LockHeldError extends UserError {
  constructor(
    message: string,
    hint: string,
    /** The holder, in words (see {@link describeHolder}). */
    readonly holderText: string,
  ) {
    super(message, hint);
    this.name = 'LockHeldError';
  }
}

export interface LockWaitOptions {
  /** How long to wait for a held lock before giving up; 0: refuse at once. */
  timeoutMs?: number;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?: (holder: LockHolder, what: string, timeoutMs: number) => void;
  /** Poll interval while waiting (ms). */
  pollMs?: number;
  /** For tests: the clock and the sleep. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The project lock's directory. Job names cannot start with a dot, so it never meets a job's lock. */
export function projectLockPath(stateRoot: string, project: string): string {
  return path.join(projectStateDir(stateRoot, project), 'locks', '.apply');
}

/** A target lock's directory, `locks/target-<key>` below the state root. */
export function targetLockPath(stateRoot: string, key: string): string {
  return path.join(stateRoot, 'locks', `target-${key}`);
}

function holderRecord(command: string): LockHolder {
  const start = processStartTicks(process.pid);
  return {
    pid: process.pid,
    ...(start ? { pid_start: start } : {}),
    host: os.hostname(),
    user: safeUser(),
    command,
    since: new Date().toISOString(),
  };
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '?');
  }
}

/** How a holder reads in a message: `pid 123 on host (user u, since …, \`sched apply\`)`. */
export function describeHolder(holder: Partial<LockHolder>): string {
  const since = holder.since ? `, since ${holder.since}` : '';
  const command = holder.command ? `, \`${holder.command}\`` : '';
  return `pid ${holder.pid ?? '?'} on ${holder.host ?? 'an unknown host'} (user ${holder.user ?? '?'}${since}${command})`;
}

/**
 * Takes one lock, waiting up to `timeoutMs` for a live holder; throws a UserError naming the
 * holder when it cannot. `what` names the lock in messages ("the apply lock of project p").
 */
async function acquire(
  file: string,
  stateRoot: string,
  what: string,
  command: string,
  opts: LockWaitOptions,
): Promise<Lock> {
  const lock = new OwnerLock<LockHolder>(file, path.dirname(stateRoot));
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + Math.max(0, opts.timeoutMs ?? 0);
  const host = os.hostname();
  const me = holderRecord(command);
  let announced = false;
  for (;;) {
    const got = lock.tryAcquire(me, (h: FoundHolder<LockHolder>) => holderDeadOnThisHost(h.record, host));
    if (got.acquired) return asyncLock(got.held);
    const holder = got.holder.record ?? ({} as LockHolder);
    if (now() >= deadline) {
      const waited = opts.timeoutMs ? ` (waited ${Math.round(opts.timeoutMs / 1000)} s)` : '';
      throw new LockHeldError(
        `${what} is held by another sched process${waited}: ${describeHolder(holder)}`,
        `Wait for it to finish, or run again with --lock-timeout (e.g. --lock-timeout 5m) to wait for it. If that process is gone for good, remove ${file}.`,
        describeHolder(holder),
      );
    }
    if (!announced) {
      announced = true;
      opts.onWait?.(holder, what, opts.timeoutMs ?? 0);
    }
    await sleep(Math.min(opts.pollMs ?? 250, Math.max(1, deadline - now())));
  }
}

function asyncLock(held: HeldLock): Lock {
  return { release: async () => held.release() };
}

/** Takes the project lock (see the module comment). */
export function acquireApplyLock(
  stateRoot: string,
  project: string,
  command: string,
  opts: LockWaitOptions = {},
): Promise<Lock> {
  return acquire(
    projectLockPath(stateRoot, project),
    stateRoot,
    `the apply lock of project ${project}`,
    command,
    opts,
  );
}

/**
 * Takes the target locks for `keys` in lock order (sorted), after the project lock. On failure
 * releases what it took and throws.
 */
export async function acquireTargetLocks(
  stateRoot: string,
  keys: Iterable<string>,
  command: string,
  opts: LockWaitOptions = {},
): Promise<Lock> {
  const taken: Lock[] = [];
  try {
    for (const key of [...new Set(keys)].sort()) {
      taken.push(
        await acquire(targetLockPath(stateRoot, key), stateRoot, `the lock of ${key}`, command, opts),
      );
    }
  } catch (e) {
    for (const l of [...taken].reverse()) await l.release();
    throw e;
  }
  return {
    release: async () => {
      for (const l of [...taken].reverse()) await l.release();
    },
  };
}
