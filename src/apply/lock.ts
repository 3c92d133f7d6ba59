/**
 * One apply at a time per project and backend. The lock file records who holds it, so a second
 * apply can say whom it is waiting for; a lock whose holder died is taken over.
 */
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ensureDirNoSymlink } from '../platform/node.js';
import { createLockFile, pidAlive } from '../state/lockfile.js';
import { projectStateDir } from '../state/paths.js';

export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  command: string;
  since: string;
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireApplyLock(
  stateRoot: string,
  project: string,
  backend: string,
  command: string,
): Promise<Lock> {
  const dir = path.join(projectStateDir(stateRoot, project), 'locks');
  await ensureDirNoSymlink(dir, 0o700, path.dirname(stateRoot));
  const file = path.join(dir, `apply-${backend}.lock`);
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    user: os.userInfo().username,
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLockFile(file, me)) return { release: () => rm(file, { force: true }) };
    const holder = await readFile(file, 'utf8')
      .then((t) => JSON.parse(t) as LockHolder)
      .catch(() => undefined);
    if (holder && holder.host === me.host && !pidAlive(holder.pid)) {
      await rm(file, { force: true }); // its holder died: take it over
      continue;
    }
    if (!holder) {
      await rm(file, { force: true }); // half-written by a holder that died while writing
      continue;
    }
    throw new UserError(
      `another apply for project ${project} on ${backend} is running: pid ${holder.pid} on ${holder.host} (user ${holder.user}, since ${holder.since}, \`${holder.command}\`)`,
      `Wait for it to finish. If that process is gone, remove ${file}.`,
    );
  }
  throw new UserError(`could not take the apply lock ${file}`);
}
