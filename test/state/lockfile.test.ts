/**
 * The lock core shared by the apply and daemon locks (`src/state/lockfile.ts`), and the apply
 * locks built on it: atomic acquisition, take-over of a dead holder by its owner file only,
 * refusal naming a live one, waiting up to a timeout, target locks in order.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireApplyLock,
  acquireTargetLocks,
  projectLockPath,
  targetLockPath,
} from '../../src/apply/lock.js';
import { UserError } from '../../src/errors.js';
import { OwnerLock } from '../../src/state/lockfile.js';
import { tempDir } from '../run/helpers.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.pid) child.kill('SIGKILL');
  child = undefined;
});

/** Plants a lock held by `pid` (as its process would have written it). */
function plant(lockDir: string, record: { pid: number; [key: string]: unknown }): void {
  fs.mkdirSync(lockDir, { recursive: true });
  fs.writeFileSync(path.join(lockDir, `owner-${record.pid}-abcdef.json`), JSON.stringify(record));
}

describe('OwnerLock', () => {
  it('one owner file (0600) in a 0700 directory; refuses while held; free again after release', () => {
    const dir = path.join(tempDir(), 'x.lock');
    const lock = new OwnerLock<{ pid: number; host: string }>(dir, path.dirname(dir));
    const got = lock.tryAcquire({ pid: 1, host: 'h' }, () => false);
    expect(got.acquired).toBe(true);
    const names = fs.readdirSync(dir);
    expect(names).toHaveLength(1);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, names[0]!)).mode & 0o777).toBe(0o600);
    const second = lock.tryAcquire({ pid: 2, host: 'h' }, () => false);
    expect(second).toMatchObject({ acquired: false, holder: { record: { pid: 1 } } });
    if (got.acquired) got.held.release();
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(path.dirname(dir))).toEqual([]); // no fresh directory left behind
  });

  it('a take-over removes only the dead holder’s own file, never a newer holder’s', () => {
    const dir = path.join(tempDir(), 'x.lock');
    const lock = new OwnerLock<{ pid: number }>(dir, path.dirname(dir));
    plant(dir, { pid: 111 });
    const got = lock.tryAcquire({ pid: 2 }, (h) => h.record?.pid === 111);
    expect(got.acquired).toBe(true);
    // A slow contender that saw 111 as the holder now judges the current (live) holder: refused.
    expect(lock.tryAcquire({ pid: 3 }, (h) => h.record?.pid === 111)).toMatchObject({
      acquired: false,
      holder: { record: { pid: 2 } },
    });
  });

  it('refuses a symlink in place of the lock', () => {
    const base = tempDir();
    fs.symlinkSync(tempDir(), path.join(base, 'x.lock'));
    const lock = new OwnerLock<{ pid: number }>(path.join(base, 'x.lock'), base);
    expect(() => lock.tryAcquire({ pid: 1 }, () => true)).toThrow(/symbolic link/);
  });
});

describe('acquireApplyLock', () => {
  it('takes the lock, releases it, and takes over one whose holder died on this host', async () => {
    const root = path.join(tempDir(), 'state');
    const lock = await acquireApplyLock(root, 'p', 'sched apply');
    const dir = projectLockPath(root, 'p');
    const [entry] = fs.readdirSync(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, entry!), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'sched apply',
    });
    await lock.release();
    expect(fs.existsSync(dir)).toBe(false);

    const dead = spawnSync('true').pid!;
    plant(dir, { pid: dead, host: os.hostname(), user: 'u', command: 'x', since: 's' });
    const again = await acquireApplyLock(root, 'p', 'sched apply');
    const [mine] = fs.readdirSync(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, mine!), 'utf8'))).toMatchObject({ pid: process.pid });
    await again.release();
  });

  it('refuses while a live process on this host holds it, naming it (pid, command, since when)', async () => {
    const root = path.join(tempDir(), 'state');
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child!.once('spawn', r));
    plant(projectLockPath(root, 'p'), {
      pid: child.pid!,
      host: os.hostname(),
      user: 'u',
      command: 'sched apply',
      since: '2026-01-01T00:00:00Z',
    });
    const err = await acquireApplyLock(root, 'p', 'sched apply').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(
      new RegExp(
        `the apply lock of project p is held by another sched process: pid ${child.pid} .*since 2026-01-01T00:00:00Z, \`sched apply\``,
      ),
    );
    expect((err as UserError).hint).toMatch(/--lock-timeout/);
  });

  it('with a timeout, waits for the holder (announcing it once) and takes the lock when freed', async () => {
    const root = path.join(tempDir(), 'state');
    const first = await acquireApplyLock(root, 'p', 'first');
    const waits: string[] = [];
    let polls = 0;
    const second = acquireApplyLock(root, 'p', 'second', {
      timeoutMs: 60_000,
      pollMs: 1,
      onWait: (h) => waits.push(h.command),
      sleep: async () => {
        if (++polls === 3) await first.release();
        await new Promise((r) => setImmediate(r));
      },
    });
    const lock = await second;
    expect(waits).toEqual(['first']);
    await lock.release();
  });

  it('with a timeout that runs out, refuses saying how long it waited', async () => {
    const root = path.join(tempDir(), 'state');
    const first = await acquireApplyLock(root, 'p', 'first');
    let t = 0;
    const err = await acquireApplyLock(root, 'p', 'second', {
      timeoutMs: 2000,
      now: () => t,
      sleep: async (ms) => void (t += ms),
    }).catch((e: unknown) => e);
    expect((err as UserError).message).toMatch(/held by another sched process \(waited 2 s\)/);
    await first.release();
  });
});

describe('acquireTargetLocks', () => {
  it('takes every target lock and gives all back; a held one refuses and leaves none taken', async () => {
    const root = path.join(tempDir(), 'state');
    const both = await acquireTargetLocks(root, ['crontab-a', 'systemd-b'], 'x');
    expect(fs.existsSync(targetLockPath(root, 'crontab-a'))).toBe(true);
    const err = await acquireTargetLocks(root, ['aaa', 'systemd-b'], 'y').catch((e: unknown) => e);
    expect((err as UserError).message).toMatch(/the lock of systemd-b is held/);
    expect(fs.existsSync(targetLockPath(root, 'aaa'))).toBe(false); // released on failure
    await both.release();
    expect(fs.existsSync(targetLockPath(root, 'systemd-b'))).toBe(false);
  });
});
