/**
 * `schedule: wake` on a real systemd user manager (issue 15 item 5). A private dbus-daemon plays
 * the system bus (DBUS_SYSTEM_BUS_ADDRESS in the manager's environment) and a fake logind that
 * owns org.freedesktop.login1 announces sleep and resume. The wake job runs once when applied
 * (its start-up timer: "when the machine starts"), again on each resume, never on going to
 * sleep; when the bus goes away the listener fails loudly and `sched status` says so.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/state/runs.js';
import type { WakeListenerStatus } from '../../src/state/wake-listener.js';
import { FakeLogind, privateBusSkipReason, startPrivateBus, type PrivateBus } from '../fakes/fake-logind.js';
import { cliSkipReason, sched } from './helpers/cli.js';
import { startSystemdUser, systemdUserSkipReason, type Harness } from './helpers/systemd-user.js';

const skip = systemdUserSkipReason() ?? cliSkipReason() ?? privateBusSkipReason();
if (skip) console.warn(`[skip] e2e wake on real systemd: ${skip}`);

const PROJECT = 'e2e-wake';
const LISTENER = `sched-${PROJECT}--wake.service`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last !== undefined) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(skip)('schedule: wake on a real systemd user manager', () => {
  let h: Harness;
  let bus: PrivateBus;
  let logind: FakeLogind;
  let file: string;
  let marker: string;
  const cli = (args: string[]) => sched(h.exec, args);
  const listenerFile = () => path.join(h.home, '.local/state/sched/projects', PROJECT, 'wake-listener.json');

  beforeAll(async () => {
    h = await startSystemdUser();
    bus = await startPrivateBus(h.root);
    logind = await FakeLogind.connect(bus.socket);
    const env = await h.exec('systemctl', [
      '--user',
      'set-environment',
      `DBUS_SYSTEM_BUS_ADDRESS=${bus.address}`,
    ]);
    expect(env.exitCode, env.stderr).toBe(0);
    file = path.join(h.root, 'schedules.yaml');
    marker = path.join(h.root, 'ran.txt');
    await writeFile(
      file,
      `version: 1\nproject: ${PROJECT}\nbackend: systemd\njobs:\n  resync:\n    schedule: wake\n    command: ${JSON.stringify(
        ['sh', '-c', 'echo ran >> "$1"', 'sh', marker],
      )}\n`,
    );
  });
  afterAll(async () => {
    logind?.close();
    await h?.stop();
    await bus?.stop();
  });

  async function history(): Promise<RunRecord[]> {
    const r = await cli(['history', 'resync', '-f', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { runs: RunRecord[] }).runs;
  }
  /** The runs once `count` of them have ended. */
  const finished = (count: number) =>
    until(`${count} finished run(s)`, async () => {
      const records = await history();
      return records.filter((r) => r.result !== 'running').length >= count ? records : undefined;
    });
  async function listener(): Promise<WakeListenerStatus | undefined> {
    try {
      return JSON.parse(await readFile(listenerFile(), 'utf8')) as WakeListenerStatus;
    } catch {
      return undefined; // not written yet, or mid-rename
    }
  }

  it('runs at start and on resume, not when going to sleep', async () => {
    const apply = await cli(['apply', '-f', file, '--auto-approve']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toContain(LISTENER);
    expect(apply.stdout).toContain('(project-wide wake listener: runs the wake jobs on resume)');
    expect(apply.stdout).toMatch(/note: +systemd starts a wake timer at once/);
    // "Starts": the job's start-up timer fires once when enabled.
    expect((await finished(1)).map((r) => r.result)).toEqual(['ok']);
    await until('the listener to connect', async () =>
      (await listener())?.state === 'listening' ? true : undefined,
    );
    const active = await h.exec('systemctl', ['--user', 'is-active', LISTENER]);
    expect(active.stdout.trim()).toBe('active');
    // The listener counts as installed and running: nothing left to change.
    const plan = await cli(['plan', '-f', file, '--detailed-exitcode']);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);

    // Going to sleep starts nothing: once the listener has seen it and systemd has no job
    // queued, there is still one run.
    logind.emitPrepareForSleep(true);
    await until('the sleep to be seen', async () => ((await listener())?.last_sleep ? true : undefined));
    await until('an empty job queue', async () => {
      const jobs = await h.exec('systemctl', ['--user', 'list-jobs', '--no-legend']);
      return jobs.stdout.trim() === '' ? true : undefined;
    });
    expect(await history()).toHaveLength(1);

    logind.emitPrepareForSleep(false);
    const runs = await finished(2);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ result: 'ok', exit_code: 0 });
    expect(await readFile(marker, 'utf8')).toBe('ran\nran\n');
  }, 300_000);

  it('fails loudly when the system bus goes away, and status says so', async () => {
    await bus.stop();
    const failed = await until('the listener to record its failure', async () => {
      const s = await listener();
      return s?.state === 'failed' ? s : undefined;
    });
    expect(failed.error).toMatch(/system bus/);
    const status = await cli(['status', '-f', file]);
    expect(status.stdout + status.stderr).toContain(`the wake listener ${LISTENER} failed`);
    // systemd saw the process fail (and is restarting it, or gave up).
    const show = await h.exec('systemctl', [
      '--user',
      'show',
      LISTENER,
      '-p',
      'Result,NRestarts,ActiveState',
    ]);
    expect(show.stdout).toMatch(/Result=exit-code|NRestarts=[1-9]/);
  }, 300_000);

  it('destroy stops and removes the listener', async () => {
    const destroy = await cli(['destroy', '-f', file, '--auto-approve']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    const listed = await h.exec('ls', [h.unitDir]);
    expect(listed.stdout).not.toContain('sched-');
    const active = await h.exec('systemctl', ['--user', 'is-active', LISTENER]);
    expect(active.stdout.trim()).not.toBe('active');
  }, 300_000);
});
