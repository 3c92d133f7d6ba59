/**
 * The cron daemon check reads the process table directly where it can (no `pgrep` start on each
 * plan) and falls back to the shell check where it cannot tell.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CRON_DAEMON_NAMES,
  CRON_DAEMON_SCRIPT,
  CRON_PID_FILES,
  cronDaemonRunning,
} from '../../../src/backends/crontab/daemon-probe.js';
import { NodeRunner, processNamesIn } from '../../../src/platform/node.js';
import type { Runner } from '../../../src/platform/ports.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A /proc with these pid → comm entries (and a non-pid entry, as the real one has). */
function fakeProc(entries: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sched-proc-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'self'));
  writeFileSync(path.join(dir, 'self', 'comm'), 'cron\n');
  for (const [pid, comm] of Object.entries(entries)) {
    mkdirSync(path.join(dir, pid));
    writeFileSync(path.join(dir, pid, 'comm'), `${comm}\n`);
  }
  return dir;
}

/** A runner that answers the shell check with `exit`, counting the commands started. */
function shell(exit: number, probe?: Runner['processRunning']): Runner & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    ...(probe ? { processRunning: probe } : {}),
    async run(command, args) {
      started.push([command, ...args].join(' '));
      return { exitCode: exit, stdout: '', stderr: '' };
    },
  };
}

describe('processNamesIn', () => {
  it('matches a process name exactly, as pgrep -x does', () => {
    expect(processNamesIn(fakeProc({ '1': 'init', '42': 'cron' }), ['cron', 'crond'])).toBe(true);
    expect(processNamesIn(fakeProc({ '7': 'crond' }), ['cron', 'crond'])).toBe(true);
    expect(processNamesIn(fakeProc({ '1': 'init', '9': 'cronolog', '10': 'anacron' }), ['cron'])).toBe(false);
  });

  it('cannot tell where there is no process table to read (not Linux)', () => {
    expect(processNamesIn(path.join(tmpdir(), 'sched-no-such-proc'), ['cron'])).toBeUndefined();
  });
});

describe('cronDaemonRunning', () => {
  it('starts no command when the process table can tell, either way', async () => {
    const running = shell(1, () => true);
    expect(await cronDaemonRunning(running)).toBe(true);
    const stopped = shell(0, () => false);
    expect(await cronDaemonRunning(stopped)).toBe(false);
    expect([...running.started, ...stopped.started]).toEqual([]);
  });

  it('on this machine, agrees with pgrep and the pid files', async () => {
    const runner = new NodeRunner();
    const viaShell = await runner.run('sh', ['-c', CRON_DAEMON_SCRIPT]);
    expect(runner.processRunning(CRON_DAEMON_NAMES, CRON_PID_FILES)).toBe(viaShell.exitCode === 0);
  });

  it('asks the shell (pgrep, pid files) when the table cannot tell', async () => {
    const found = shell(0, () => undefined);
    expect(await cronDaemonRunning(found)).toBe(true);
    expect(found.started).toEqual([`sh -c ${CRON_DAEMON_SCRIPT}`]);
    expect(await cronDaemonRunning(shell(1))).toBe(false);
  });
});
