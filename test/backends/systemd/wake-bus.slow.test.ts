/**
 * The wake listener on a real (private) system bus with the real `gdbus monitor`: a fake logind
 * that owns org.freedesktop.login1 announces sleep and resume; only the resume starts the jobs,
 * and the same signal broadcast by anyone else (`gdbus emit`) starts nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGdbusMonitor, WakeListener } from '../../../src/backends/systemd/wake-listener.js';
import type { WakeListenerStatus } from '../../../src/state/wake-listener.js';
import {
  FakeLogind,
  privateBusSkipReason,
  startPrivateBus,
  type PrivateBus,
} from '../../fakes/fake-logind.js';

const run = promisify(execFile);
const skip = privateBusSkipReason();
if (skip) console.warn(`[skip] wake listener on a private bus: ${skip}`);

async function until<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip)('wake listener on a private system bus', () => {
  let dir: string;
  let bus: PrivateBus;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sched-wake-bus-'));
    bus = await startPrivateBus(dir);
  });
  afterAll(async () => {
    await bus?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function listen(env: NodeJS.ProcessEnv) {
    const calls: string[][] = [];
    const records: WakeListenerStatus[] = [];
    const log: string[] = [];
    const listener = new WakeListener('proj', ['on-wake'], {
      spawnMonitor: () => spawnGdbusMonitor(env),
      runner: {
        run: (cmd, args) => {
          calls.push([cmd, ...args]);
          return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
        },
      },
      clock: { now: () => new Date() },
      scope: 'user',
      pid: process.pid,
      record: (s) => records.push(structuredClone(s)),
      log: (l) => log.push(l),
    });
    return { listener, calls, records, log, done: listener.run() };
  }

  it('starts the wake jobs on resume from logind only', async () => {
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address };
    const logind = await FakeLogind.connect(bus.socket);
    const t = listen(env);
    try {
      await until('the listener to connect', () => t.records.find((r) => r.state === 'listening'));
      // Anyone can broadcast this signal on a system bus; it must not start anything.
      await run(
        'gdbus',
        [
          'emit',
          '--system',
          '--object-path',
          '/org/freedesktop/login1',
          '--signal',
          'org.freedesktop.login1.Manager.PrepareForSleep',
          'false',
        ],
        { env },
      );
      logind.emitPrepareForSleep(true);
      await until('the sleep to be seen', () => t.records.some((r) => r.last_sleep));
      expect(t.calls).toEqual([]);
      logind.emitPrepareForSleep(false);
      await until('the resume to start the job', () => t.calls.length > 0);
      // One more round trip: a late spoofed signal would have been delivered by now.
      logind.emitPrepareForSleep(true);
      await until('the second sleep', () => t.log.filter((l) => l.includes('going to sleep')).length === 2);
      expect(t.calls).toEqual([
        ['systemctl', '--user', 'start', '--no-block', '--', 'sched-proj-on-wake.service'],
      ]);
    } finally {
      t.listener.stop();
      logind.close();
    }
    expect(await t.done).toBe(0);
  });

  it('fails loudly when the bus is not there', async () => {
    const t = listen({
      ...process.env,
      DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${path.join(dir, 'nothing-here')}`,
    });
    expect(await t.done).toBe(1);
    expect(t.records.at(-1)).toMatchObject({ state: 'failed' });
    expect(t.records.at(-1)!.error).toMatch(
      /^cannot reach the system bus: Error connecting: .*No such file or directory/,
    );
  });
});
