/**
 * The wake listener's logic with a scripted monitor and a recording runner: which gdbus lines
 * start the wake jobs, and how every way of ending is recorded (failed with a reason, or stopped).
 */
import { describe, expect, it } from 'vitest';
import {
  parseMonitorLine,
  WakeListener,
  type MonitorProcess,
} from '../../../src/backends/systemd/wake-listener.js';
import type { RunResult } from '../../../src/platform/ports.js';
import type { WakeListenerStatus } from '../../../src/state/wake-listener.js';

const RESUME = '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (false,)';
const SLEEP = '/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForSleep (true,)';
const BANNER = 'Monitoring signals on object /org/freedesktop/login1 owned by org.freedesktop.login1';

type End = Awaited<MonitorProcess['exited']>;

function scriptedMonitor() {
  let onLine: (line: string) => void = () => undefined;
  let finish: (end: End) => void = () => undefined;
  const exited = new Promise<End>((r) => (finish = r));
  const monitor: MonitorProcess = {
    onLine: (l) => (onLine = l),
    exited,
    stop: () => finish({ code: null, signal: 'SIGTERM', stderr: '' }),
  };
  return { monitor, say: (line: string) => onLine(line), end: (e: End) => finish(e) };
}

function setup(
  scope: 'user' | 'system' = 'user',
  answer: RunResult = { exitCode: 0, stdout: '', stderr: '' },
) {
  const m = scriptedMonitor();
  const calls: string[][] = [];
  const records: WakeListenerStatus[] = [];
  const log: string[] = [];
  const listener = new WakeListener('proj', ['a', 'b'], {
    spawnMonitor: () => m.monitor,
    runner: {
      run: (cmd, args) => {
        calls.push([cmd, ...args]);
        return Promise.resolve(answer);
      },
    },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    scope,
    pid: 42,
    record: (s) => records.push(structuredClone(s)),
    log: (l) => log.push(l),
  });
  return { ...m, calls, records, log, listener };
}

describe('parseMonitorLine', () => {
  it('reads logind going to sleep and resuming, and nothing else', () => {
    expect(parseMonitorLine(RESUME)).toBe('resume');
    expect(parseMonitorLine(SLEEP)).toBe('sleep');
    expect(parseMonitorLine(BANNER)).toBeUndefined();
    expect(parseMonitorLine('The name org.freedesktop.login1 is owned by :1.4')).toBeUndefined();
    expect(
      parseMonitorLine('/org/freedesktop/login1: org.freedesktop.login1.Manager.PrepareForShutdown (false,)'),
    ).toBeUndefined();
    expect(
      parseMonitorLine('/elsewhere: org.freedesktop.login1.Manager.PrepareForSleep (false,)'),
    ).toBeUndefined();
  });
});

describe('WakeListener', () => {
  it('starts every wake job service on resume, in user scope, and nothing on sleep', async () => {
    const t = setup();
    const done = t.listener.run();
    t.say(BANNER);
    t.say(SLEEP);
    expect(t.calls).toEqual([]);
    t.say(RESUME);
    t.listener.stop();
    expect(await done).toBe(0);
    expect(t.calls).toEqual([
      ['systemctl', '--user', 'start', '--no-block', '--', 'sched-proj-a.service'],
      ['systemctl', '--user', 'start', '--no-block', '--', 'sched-proj-b.service'],
    ]);
    expect(t.records[0]).toMatchObject({ state: 'listening', pid: 42, jobs: ['a', 'b'] });
    expect(t.records.at(-1)).toMatchObject({
      state: 'stopped',
      last_sleep: '2026-01-01T00:00:00.000Z',
      last_resume: '2026-01-01T00:00:00.000Z',
    });
  });

  it('uses plain systemctl in system scope, and says when systemd refuses a start', async () => {
    const t = setup('system', { exitCode: 5, stdout: '', stderr: 'Unit sched-proj-a.service not found.' });
    const done = t.listener.run();
    t.say(BANNER);
    t.say(RESUME);
    t.listener.stop();
    await done;
    expect(t.calls[0]).toEqual(['systemctl', 'start', '--no-block', '--', 'sched-proj-a.service']);
    expect(t.calls).toHaveLength(2); // one refusal does not stop the other job
    expect(t.log.join('\n')).toMatch(
      /could not start sched-proj-a\.service: Unit sched-proj-a\.service not found/,
    );
  });

  it('fails loudly when the bus cannot be reached: recorded, logged, exit 1', async () => {
    const t = setup();
    const done = t.listener.run();
    t.end({
      code: 1,
      signal: null,
      stderr: 'Error connecting: Could not connect: No such file or directory\n',
    });
    expect(await done).toBe(1);
    const last = t.records.at(-1)!;
    expect(last.state).toBe('failed');
    expect(last.error).toBe(
      'cannot reach the system bus: Error connecting: Could not connect: No such file or directory; wake jobs do not run on resume',
    );
    expect(t.log.at(-1)).toBe(`error: ${last.error}`);
  });

  it('fails loudly when the bus goes away after connecting', async () => {
    const t = setup();
    const done = t.listener.run();
    t.say(BANNER);
    t.end({ code: null, signal: 'SIGTERM', stderr: '' });
    expect(await done).toBe(1);
    expect(t.records.at(-1)!.error).toMatch(/^lost the system bus \(gdbus ended with signal SIGTERM\)/);
  });

  it('names the package when gdbus is missing', async () => {
    const t = setup();
    const done = t.listener.run();
    t.end({ code: null, signal: null, stderr: '', error: 'spawn gdbus ENOENT' });
    expect(await done).toBe(1);
    expect(t.records.at(-1)!.error).toMatch(
      /gdbus was not found: install it \(Debian\/Ubuntu: libglib2\.0-bin/,
    );
  });
});
