/**
 * The lock core shared by the apply and daemon locks (`src/state/lockfile.ts`), and the apply
 * lock built on it: exclusive creation, takeover of a dead holder, refusal naming a live one.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireApplyLock } from '../../src/apply/lock.js';
import { UserError } from '../../src/errors.js';
import { createLockFile } from '../../src/state/lockfile.js';
import { tempDir } from '../run/helpers.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.pid) child.kill('SIGKILL');
  child = undefined;
});

function applyLockFile(root: string, backend: string): string {
  return path.join(root, 'projects', 'p', 'locks', `apply-${backend}.lock`);
}

describe('createLockFile', () => {
  it('creates the file once (0600, one JSON line) and reports false while it exists', async () => {
    const file = path.join(tempDir(), 'x.lock');
    expect(await createLockFile(file, { pid: 1 }, true)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"pid":1}\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await createLockFile(file, { pid: 2 })).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"pid":1}\n');
  });

  it('treats a symlink as an existing lock and never writes through it', async () => {
    const dir = tempDir();
    const target = path.join(tempDir(), 'target');
    fs.symlinkSync(target, path.join(dir, 'x.lock'));
    expect(await createLockFile(path.join(dir, 'x.lock'), { pid: 1 })).toBe(false);
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('acquireApplyLock', () => {
  it('takes the lock, releases it, and takes over one whose holder died on this host', async () => {
    const root = path.join(tempDir(), 'state');
    const lock = await acquireApplyLock(root, 'p', 'crontab', 'sched apply');
    const file = applyLockFile(root, 'crontab');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'sched apply',
    });
    await lock.release();
    expect(fs.existsSync(file)).toBe(false);

    const dead = spawnSync('true').pid!;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ pid: dead, host: os.hostname(), user: 'u', command: 'x', since: 's' }),
    );
    const again = await acquireApplyLock(root, 'p', 'crontab', 'sched apply');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await again.release();
  });

  it('refuses while a live process on this host holds it, naming it', async () => {
    const root = path.join(tempDir(), 'state');
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child!.once('spawn', r));
    const file = applyLockFile(root, 'systemd');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ pid: child.pid, host: os.hostname(), user: 'u', command: 'sched apply', since: 's' }),
    );
    const err = await acquireApplyLock(root, 'p', 'systemd', 'sched apply').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(
      new RegExp(`another apply for project p on systemd is running: pid ${child.pid}`),
    );
  });
});
