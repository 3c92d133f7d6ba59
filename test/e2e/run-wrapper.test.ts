/**
 * `sched run` through the real compiled CLI (`node bin/run.js run …`), as a scheduler invokes it:
 * overlap skip/queue/replace, timeout with background children, a SIGKILL'd wrapper, retries,
 * catch-up after simulated downtime. Applied specs are written straight into a temp SCHED_HOME.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/model/job.js';
import { AppliedSpecStore } from '../../src/state/applied.js';
import type { RunRecord } from '../../src/state/runs.js';
import { REPO_ROOT, SCHED_BIN } from './helpers/cli.js';
import { startSystemdUser, systemdUserSkipReason, type Harness } from './helpers/systemd-user.js';
import { cron, testJob } from '../fakes/job.js';
import { runCapabilitiesOf } from '../../src/backends/registry.js';

const built = fs.existsSync(path.join(REPO_ROOT, 'dist', 'commands', 'run.js'));
if (!built)
  console.warn('[skip] e2e sched run: sched is not built (run `npm run build`; `npm test` does it)');

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const made: string[] = [];
function home(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sched-e2e-run-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function job(name: string, over: Partial<Job>): Job {
  const base = { project: 'e2e-run', name, schedule: cron('0 * * * *'), command: { argv: ['true'] } };
  return testJob({ ...base, workingDir: os.tmpdir(), catchUp: true, ...over });
}

async function apply(root: string, j: Job, appliedAt = new Date()): Promise<void> {
  await new AppliedSpecStore(root).write({
    format_version: 2,
    backend: 'crontab',
    appliedAt: appliedAt.toISOString(),
    sourceFile: path.join(root, 'schedules.yaml'),
    job: j,
    capabilities: runCapabilitiesOf('crontab', j),
  });
}

function start(
  root: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Done> } {
  const t0 = Date.now();
  const child = spawn(process.execPath, [SCHED_BIN, ...args], {
    env: { ...process.env, SCHED_HOME: root, SCHED_KILL_GRACE_MS: '1000', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Done>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 })),
  );
  return { child, done };
}

const run = (root: string, name: string, extra: string[] = []) =>
  start(root, ['run', '--project', 'e2e-run', '--trigger', 'crontab', ...extra, name]);

async function history(root: string, name: string): Promise<RunRecord[]> {
  const r = await start(root, ['history', name, '--project', 'e2e-run', '--json', '-n', '50']).done;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { runs: RunRecord[] }).runs;
}

/**
 * Polls `ready` until it holds, for up to `ms` (generous: a loaded machine starts node slowly).
 * Tests wait for a condition, never for a fixed time.
 */
async function waitFor(what: string, ready: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the job has an active run recorded (its wrapper started the command). */
async function waitRunning(root: string, name: string): Promise<void> {
  const dir = path.join(root, 'projects', 'e2e-run', 'jobs', name, 'running');
  await waitFor(
    `${name} started`,
    () => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.json')),
  );
}

/** Like `pgrep -f MARKER` (without needing procps): live processes whose command line contains it. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmdline.includes(marker) && state !== 'Z') found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe.skipIf(!built)('sched run (compiled CLI)', () => {
  it('overlap skip: two concurrent runs of a 5 s job → one ok, one skipped', async () => {
    const root = home();
    await apply(root, job('five', { overlap: 'skip', command: { argv: ['sleep', '5'] } }));
    const a = run(root, 'five');
    await waitRunning(root, 'five');
    const b = await run(root, 'five').done;
    expect(b.code).toBe(0);
    expect((await a.done).code).toBe(0);
    const h = await history(root, 'five');
    expect(h.map((r) => r.result).sort()).toEqual(['ok', 'skipped']);
    expect(h.find((r) => r.result === 'skipped')?.reason).toMatch(/another run is active/);
  });

  it('overlap queue: three waiting runs start in the order they arrived', async () => {
    const root = home();
    const out = path.join(root, 'order');
    await apply(
      root,
      job('line', { overlap: 'queue', command: { shell: `echo "$MARK" >> '${out}'; sleep 0.3` } }),
    );
    const queueDir = path.join(root, 'projects', 'e2e-run', 'locks', 'line.queue');
    const waiting = () => (fs.existsSync(queueDir) ? fs.readdirSync(queueDir).length : 0);
    const started = [];
    for (const mark of ['a', 'b', 'c', 'd']) {
      const r = start(root, ['run', '--project', 'e2e-run', '--trigger', 'crontab', 'line'], { MARK: mark });
      started.push(r.done);
      // a runs; each later one must be in line before the next arrives.
      if (mark === 'a') await waitRunning(root, 'line');
      else
        for (let i = 0; i < 200 && waiting() < started.length - 1; i++)
          await new Promise((r) => setTimeout(r, 25));
    }
    expect((await Promise.all(started)).map((d) => d.code)).toEqual([0, 0, 0, 0]);
    expect(fs.readFileSync(out, 'utf8')).toBe('a\nb\nc\nd\n');
    expect(waiting()).toBe(0);
  });

  it('overlap queue: both ok, one after the other', async () => {
    const root = home();
    await apply(root, job('queued', { overlap: 'queue', command: { argv: ['sleep', '5'] } }));
    const a = run(root, 'queued');
    await waitRunning(root, 'queued');
    const b = run(root, 'queued');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const h = await history(root, 'queued');
    expect(h.map((r) => r.result)).toEqual(['ok', 'ok']);
    const [second, first] = h;
    expect(Date.parse(second!.start)).toBeGreaterThanOrEqual(Date.parse(first!.end!));
  });

  it('overlap replace: the active run is stopped, the new one runs', async () => {
    const root = home();
    const work = home();
    // The first run sleeps 30 s; the one replacing it finds the marker and ends at once.
    await apply(
      root,
      job('replaced', {
        overlap: 'replace',
        workingDir: work,
        command: { shell: '[ -e first ] && exit 0; touch first; sleep 30' },
      }),
    );
    const a = run(root, 'replaced');
    await waitRunning(root, 'replaced');
    const b = run(root, 'replaced');
    const ra = await a.done;
    // Replaced by policy: recorded as such, and not a failure of the replaced invocation.
    expect(ra.code).toBe(0);
    expect((await b.done).code).toBe(0);
    const h = await history(root, 'replaced');
    expect(h.map((r) => r.result)).toEqual(['ok', 'replaced']);
    expect(h[1]!.duration_ms).toBeLessThan(25_000);
    expect(Date.parse(h[0]!.start)).toBeGreaterThanOrEqual(Date.parse(h[1]!.end!));
  });

  it('timeout 2 s with background children sleeping 60 s → timeout within 5 s, nothing left', async () => {
    const root = home();
    const marker = `sched-e2e-timeout-${process.pid}-${Date.now()}`;
    const script = `sh -c 'sleep 60; : ${marker}' & sh -c 'sleep 60; : ${marker}' & sleep 60; : ${marker}`;
    await apply(root, job('slow', { timeoutSeconds: 2, command: { shell: script } }));
    const r = await run(root, 'slow').done;
    expect(r.code).toBe(143);
    expect(processesWith(marker)).toEqual([]);
    const [rec] = await history(root, 'slow');
    expect(rec).toMatchObject({ result: 'timeout', attempt: 1 });
    // Within 5 s of the command's start; the whole CLI (node and oclif start-up included) gets some slack on a busy machine.
    expect(rec!.duration_ms).toBeLessThan(5000);
    expect(r.ms).toBeLessThan(8000);
  });

  it('a run killed with SIGKILL shows as interrupted, and what it left running is stopped', async () => {
    const root = home();
    const marker = `sched-e2e-kill-${process.pid}-${Date.now()}`;
    await apply(root, job('killed', { command: { shell: `sleep 30; : ${marker}` } }));
    const a = run(root, 'killed');
    await waitRunning(root, 'killed');
    // Wait until the command itself runs (its pid is recorded), then kill the wrapper outright.
    for (let i = 0; i < 100 && processesWith(marker).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    a.child.kill('SIGKILL');
    await a.done;
    try {
      // The run's watchdog stops what the wrapper left, with no other sched command involved.
      for (let i = 0; i < 600 && processesWith(marker).length > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(processesWith(marker)).toEqual([]);
      // Reads show the run as interrupted (they change nothing; the next run records it).
      const [rec] = await history(root, 'killed');
      expect(rec).toMatchObject({ result: 'interrupted' });
      expect(rec?.end).not.toBeNull();
      expect(rec?.reason).toMatch(/ended without recording an outcome/);
      const { lastRun } = await import('../../src/services/history.js');
      expect((await lastRun(root, 'e2e-run', 'killed'))?.result).toBe('interrupted');
    } finally {
      for (const pid of processesWith(marker)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });

  it('retries 2: fails twice, then succeeds → exit 0, three attempts recorded', async () => {
    const root = home();
    const work = home();
    await apply(
      root,
      job('flaky', {
        workingDir: work,
        retries: { max: 2, delaySeconds: 1 },
        command: {
          shell: 'n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; echo "attempt $n"; [ $n -ge 3 ]',
        },
      }),
    );
    const r = await run(root, 'flaky').done;
    expect(r.code).toBe(0);
    const h = await history(root, 'flaky');
    expect(h.map((x) => [x.attempt, x.result, x.exit_code])).toEqual([
      [3, 'ok', 0],
      [2, 'failed', 1],
      [1, 'failed', 1],
    ]);
    expect(new Set(h.map((x) => x.start)).size).toBe(3);
    const logs = await start(root, ['logs', 'flaky', '--project', 'e2e-run', '-n', '100']).done;
    expect(logs.stdout).toMatch(/ out attempt 1\n[\s\S]* out attempt 2\n[\s\S]* out attempt 3\n/);
  });

  it('catch-up: a fire time missed while the machine was off runs once with catch_up true, never with false', async () => {
    const root = home();
    const work = home();
    // Simulated downtime: applied 3 h ago and nothing ran since, hourly → three fire times missed.
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000 - 1000);
    const cmd = (file: string) => ({ shell: `echo ran >> ${file}` });
    await apply(
      root,
      job('hourly-yes', { workingDir: work, catchUp: true, command: cmd('yes.txt') }),
      threeHoursAgo,
    );
    await apply(
      root,
      job('hourly-no', { workingDir: work, catchUp: false, command: cmd('no.txt') }),
      threeHoursAgo,
    );
    const r = await start(root, ['run', '--project', 'e2e-run', '--trigger', 'crontab', '--catch-up']).done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(work, 'yes.txt'), 'utf8')).toBe('ran\n');
    expect(fs.existsSync(path.join(work, 'no.txt'))).toBe(false);
    expect(await history(root, 'hourly-yes')).toMatchObject([{ result: 'ok', trigger: 'catch-up' }]);
    expect(await history(root, 'hourly-no')).toMatchObject([{ result: 'missed', missed_count: 3 }]);
    // A second check right after finds nothing to do.
    await start(root, ['run', '--project', 'e2e-run', '--trigger', 'crontab', '--catch-up']).done;
    expect(fs.readFileSync(path.join(work, 'yes.txt'), 'utf8')).toBe('ran\n');
  });

  it('by hand: output to the terminal too, the exit code passed through; an unapplied job is a clear error', async () => {
    const root = home();
    await apply(root, job('hand', { command: { shell: 'echo to-out; echo to-err >&2; exit 5' } }));
    const r = await start(root, ['run', 'hand', '--project', 'e2e-run']).done;
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('to-out\n');
    expect(r.stderr).toBe('to-err\n');
    const missing = await start(root, ['run', 'nope', '--project', 'e2e-run']).done;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error: no job nope in project e2e-run\n');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('by hand: Ctrl-C (SIGINT) or SIGTERM stops the run with 128+signal, recorded interrupted', async () => {
    const root = home();
    for (const [name, signal] of [
      ['ctrl-c', 'SIGINT'],
      ['term', 'SIGTERM'],
    ] as const) {
      await apply(root, job(name, { command: { argv: ['sleep', '60'] } }));
      const r = start(root, ['run', name, '--project', 'e2e-run']);
      await waitRunning(root, name);
      r.child.kill(signal);
      const d = await r.done;
      expect(d.code, `${signal}\n${d.stderr}`).toBe(128 + os.constants.signals[signal]);
      const [rec] = await history(root, name);
      expect(rec, signal).toMatchObject({ result: 'interrupted' });
    }
  });
});

describe.skipIf(!built)("the oclif `run` command shares the fast path's behaviour", () => {
  it('same output, exit code and record through oclif', async () => {
    const root = home();
    await apply(root, job('via-oclif', { command: { shell: 'echo out-line; echo err-line >&2; exit 6' } }));
    // bin/run.js short-cuts `run`; drive oclif's own `run` command explicitly, from the package
    // root as bin/run.js does (from bin/, oclif would take bin/package.json for the CLI's).
    const script = `import { execute } from '@oclif/core'; await execute({ dir: ${JSON.stringify(
      REPO_ROOT,
    )}, args: process.argv.slice(1) });`;
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', script, 'run', 'via-oclif', '--project', 'e2e-run'],
      { cwd: REPO_ROOT, env: { ...process.env, SCHED_HOME: root }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stdout).toBe('out-line\n');
    expect(stderr).toBe('err-line\n');
    expect(code).toBe(6);
    expect(await history(root, 'via-oclif')).toMatchObject([
      { result: 'failed', exit_code: 6, trigger: 'manual' },
    ]);
  });
});

const systemdSkip = !built ? 'sched is not built' : systemdUserSkipReason();
if (systemdSkip) console.warn(`[skip] e2e sched run under systemd: ${systemdSkip}`);

describe.skipIf(systemdSkip)('sched run started by a real systemd user manager', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    h = await startSystemdUser();
    root = path.join(h.root, 'sched-home');
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  /** Starts `sched run --trigger systemd JOB` as a transient service, like a timer would. */
  async function startUnit(unit: string, name: string): Promise<void> {
    const r = await h.exec('systemd-run', [
      '--user',
      `--unit=${unit}`,
      '--collect',
      `--setenv=SCHED_HOME=${root}`,
      '--setenv=SCHED_KILL_GRACE_MS=1000',
      process.execPath,
      SCHED_BIN,
      'run',
      '--project',
      'e2e-run',
      '--trigger',
      'systemd',
      name,
    ]);
    expect(r.stderr).not.toMatch(/Failed/);
    expect(r.exitCode).toBe(0);
  }

  async function waitGone(unit: string): Promise<void> {
    await waitFor(`${unit} inactive`, async () => {
      const r = await h.exec('systemctl', ['--user', 'is-active', unit]);
      return !/^(active|activating|deactivating)/.test(r.stdout.trim());
    });
  }

  it('overlap skip holds across two service starts: one ok, one skipped', async () => {
    // The first run holds the lock until the test releases it (not for a fixed time): however
    // slowly the second service starts, it meets the first still running.
    const release = path.join(h.root, 'release-sys-five');
    await apply(
      root,
      job('sys-five', {
        overlap: 'skip',
        command: { argv: ['sh', '-c', 'while [ ! -e "$1" ]; do sleep 0.1; done', 'sh', release] },
      }),
    );
    await startUnit('sched-e2e-five-a', 'sys-five');
    await waitRunning(root, 'sys-five');
    await startUnit('sched-e2e-five-b', 'sys-five');
    await waitGone('sched-e2e-five-b');
    fs.writeFileSync(release, '');
    await waitGone('sched-e2e-five-a');
    const h2 = await history(root, 'sys-five');
    expect(h2.map((r) => [r.result, r.trigger]).sort()).toEqual([
      ['ok', 'systemd'],
      ['skipped', 'systemd'],
    ]);
  }, 300_000);

  it('systemctl stop: the run is recorded interrupted and nothing of it is left', async () => {
    const marker = `sched-e2e-sysstop-${process.pid}-${Date.now()}`;
    await apply(
      root,
      job('sys-stop', { command: { shell: `sh -c 'sleep 60; : ${marker}' & sleep 60; : ${marker}` } }),
    );
    await startUnit('sched-e2e-stop', 'sys-stop');
    await waitRunning(root, 'sys-stop');
    const r = await h.exec('systemctl', ['--user', 'stop', 'sched-e2e-stop']);
    expect(r.exitCode).toBe(0);
    await waitGone('sched-e2e-stop');
    // The unit is inactive only once its cgroup is empty: nothing of the run may be left now.
    expect(processesWith(marker)).toEqual([]);
    const [rec] = await history(root, 'sys-stop');
    expect(rec).toMatchObject({ result: 'interrupted', trigger: 'systemd' });
  }, 300_000);
});
