import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobLock } from '../../src/state/lock.js';
import { tempDir } from '../run/helpers.js';

function lockIn(base: string) {
  return new JobLock(path.join(base, 'root', 'locks', 'j.lock'), base);
}
const owner = (id: string, pid: number, host = 'h') => ({ id, pid, host, start: new Date().toISOString() });

describe('JobLock', () => {
  it('is held by one owner at a time and released only by its owner', () => {
    const base = tempDir();
    const a = lockIn(base);
    const ctx = { now: new Date(), host: 'h', isAlive: () => true };
    expect(a.tryAcquire(owner('A', 1), ctx).acquired).toBe(true);
    const second = a.tryAcquire(owner('B', 2), ctx);
    expect(second.acquired).toBe(false);
    if (!second.acquired) expect(second.holder.id).toBe('A');
    a.release('B');
    expect(a.holder()?.id).toBe('A');
    a.release('A');
    expect(a.holder()).toBeUndefined();
    expect(a.tryAcquire(owner('B', 2), ctx).acquired).toBe(true);
  });

  it('takes over a lock whose holder died on this host', () => {
    const base = tempDir();
    const lock = lockIn(base);
    const alive = new Set([2]);
    const ctx = { now: new Date(), host: 'h', isAlive: (p: number) => alive.has(p) };
    expect(lock.tryAcquire(owner('A', 1), ctx).acquired).toBe(true);
    expect(lock.tryAcquire(owner('B', 2), ctx).acquired).toBe(true);
    expect(lock.holder()?.id).toBe('B');
  });

  it('takes over a lock from another host only after its heartbeat is stale', () => {
    const base = tempDir();
    const lock = lockIn(base);
    const now = new Date();
    const ctx = { now, host: 'h', isAlive: () => false, staleMs: 120_000 };
    expect(lock.tryAcquire(owner('A', 1, 'elsewhere'), ctx).acquired).toBe(true);
    expect(lock.tryAcquire(owner('B', 2), ctx).acquired).toBe(false);
    lock.heartbeat(now);
    const later = { ...ctx, now: new Date(now.getTime() + 121_000) };
    expect(lock.tryAcquire(owner('B', 2), later).acquired).toBe(true);
  });

  it('on this host keeps a live holder however old its heartbeat, and tells a reused pid apart', () => {
    const base = tempDir();
    const lock = lockIn(base);
    const now = new Date();
    const later = {
      now: new Date(now.getTime() + 8 * 3600_000),
      host: 'h',
      isAlive: () => true,
      staleMs: 120_000,
    };
    expect(lock.tryAcquire(owner('A', 1), { ...later, now }).acquired).toBe(true);
    expect(lock.tryAcquire(owner('B', 2), later).acquired).toBe(false);
    // The same pid, but another process (its start time differs): the holder is gone.
    const reused = { ...later, isAlive: (_pid: number, start?: string) => start === undefined };
    const lock2 = lockIn(tempDir());
    expect(lock2.tryAcquire({ ...owner('A', 1), pid_start: '123' }, reused).acquired).toBe(true);
    expect(lock2.tryAcquire(owner('B', 2), reused).acquired).toBe(true);
  });
});
