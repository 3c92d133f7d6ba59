import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/state/queue.js';
import { tempDir } from '../run/helpers.js';

const HOST = 'here';
const owner = (id: string, pid: number, host = HOST) => ({ id, pid, host, start: '2026-05-04T10:00:00Z' });
const at = (s: number) => new Date(Date.UTC(2026, 4, 4, 10, 0, s));

function setup() {
  const root = tempDir('sched-queue-');
  const dir = path.join(root, 'projects', 'p', 'locks', 'j.queue');
  return { dir, queue: new JobQueue(dir, path.dirname(root)) };
}

describe('JobQueue', () => {
  it('orders tickets by arrival, whatever the run ids', () => {
    const { queue } = setup();
    const ctx = { now: at(10), host: HOST, isAlive: () => true };
    const first = queue.join(owner('zzz', 1), at(1));
    const second = queue.join(owner('aaa', 2), at(2));
    const third = queue.join(owner('mmm', 3), at(3));
    expect([first, second, third].map((t) => t.ahead(ctx))).toEqual([0, 1, 2]);
    first.leave();
    expect([second, third].map((t) => t.ahead(ctx))).toEqual([0, 1]);
  });

  it('removes the tickets of runs that died while they waited', () => {
    const { dir, queue } = setup();
    const dead = queue.join(owner('dead', 111), at(1));
    const mine = queue.join(owner('mine', 222), at(2));
    const ctx = { now: at(10), host: HOST, isAlive: (pid: number) => pid !== 111 };
    expect(mine.ahead(ctx)).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([mine.name]);
    expect(dead.name).not.toBe(mine.name);
  });

  it('on another host only the heartbeat tells: stale tickets go, fresh ones count', () => {
    const { dir, queue } = setup();
    const remote = queue.join(owner('remote', 111, 'elsewhere'), at(1));
    const mine = queue.join(owner('mine', 222), at(2));
    const isAlive = () => true;
    fs.utimesSync(path.join(dir, remote.name), at(1), at(1));
    expect(mine.ahead({ now: at(30), host: HOST, isAlive, staleMs: 60_000 })).toBe(1);
    remote.heartbeat(at(100));
    expect(mine.ahead({ now: at(150), host: HOST, isAlive, staleMs: 60_000 })).toBe(1);
    expect(mine.ahead({ now: at(200), host: HOST, isAlive, staleMs: 60_000 })).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([mine.name]);
  });

  it('keeps tickets 0600 in a 0700 directory', () => {
    const { dir, queue } = setup();
    const t = queue.join(owner('a', 1), at(1));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, t.name)).mode & 0o777).toBe(0o600);
  });
});
