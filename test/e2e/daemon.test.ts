/**
 * `sched daemon` end to end: the compiled CLI, real processes, a temp SCHED_HOME, real minutes.
 * Jobs are installed the way `sched apply` does for the embedded backend: the record through the
 * backend, the applied spec through AppliedSpecStore. One daemon serves all the cases in turn, so
 * the whole file waits for a single minute boundary (about 65 s at most).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/backends/embedded/index.js';
import type { RenderContext } from '../../src/backends/types.js';
import type { Command, Job } from '../../src/model/job.js';
import { NodeDirFs } from '../../src/platform/node.js';
import { AppliedSpecStore } from '../../src/state/applied.js';
import { runCapabilitiesOf } from '../../src/backends/registry.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repo, 'bin', 'run.js');
const built =
  existsSync(path.join(repo, 'dist', 'commands', 'daemon.js')) &&
  existsSync(path.join(repo, 'dist', 'commands', 'run.js'));
if (!built)
  console.warn(
    'skipping e2e/daemon: build first (npm run build): dist/commands/daemon.js or run.js is missing',
  );

const PROJECT = 'e2e-daemon';
const ctx: RenderContext = {
  nodePath: process.execPath,
  schedBin: bin,
  stateDir: '',
  hostTimezone: 'UTC',
  homeDir: os.homedir(),
};

interface LogEvent {
  event: string;
  time: string;
  [k: string]: unknown;
}

class DaemonProcess {
  readonly events: LogEvent[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private waiters: { pred: (e: LogEvent) => boolean; resolve: (e: LogEvent) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as LogEvent;
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(e)) return true;
          w.resolve(e);
          return false;
        });
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the first event (past or future) matching `pred`; rejects after `ms`. */
  waitFor(pred: (e: LogEvent) => boolean, ms: number, what: string): Promise<LogEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${ms} ms waiting for ${what}; log:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\nstderr: ${this.stderr}`,
            ),
          ),
        ms,
      );
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

function startDaemon(home: string, extraEnv: Record<string, string> = {}): DaemonProcess {
  const child = spawn(process.execPath, [bin, 'daemon', '--json'], {
    cwd: home,
    env: { ...process.env, SCHED_HOME: home, SCHED_DAEMON_GRACE_SECONDS: '2', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new DaemonProcess(child);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!built)('sched daemon (e2e, real processes)', () => {
  let home: string;
  let daemon: DaemonProcess | undefined;
  let backend: EmbeddedBackend;
  let specs: AppliedSpecStore;

  /** Installs a job the way `sched apply` does for `backend: embedded`. */
  async function install(name: string, expr: string, command: Command): Promise<void> {
    const job: Job = {
      project: PROJECT,
      name,
      schedule:
        expr === 'boot'
          ? { kind: 'event', event: 'boot', source: 'boot' }
          : { kind: 'cron', expr, source: expr },
      command,
      workingDir: home,
      env: {},
      timezone: 'UTC',
      overlap: 'allow',
      catchUp: false,
      retries: { max: 0, delaySeconds: 0 },
      jitterSeconds: 0,
      enabled: true,
    };
    await specs.write({
      format_version: 2,
      backend: 'embedded',
      appliedAt: new Date().toISOString(),
      sourceFile: path.join(home, 'schedules.yaml'),
      job,
      capabilities: runCapabilitiesOf('embedded', job),
    });
    const [artifact] = backend.render(job, ctx);
    await backend.apply(PROJECT, [
      { action: 'create', id: artifact!.id, job: name, kind: artifact!.kind, after: artifact! },
    ]);
  }

  /** A command that appends the current time (ms, GNU date) to a file. */
  const stamp = (file: string): Command => ({ shell: `date +%s%3N >> '${file}'` });

  async function stamps(file: string): Promise<number[]> {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'sched-e2e-daemon-'));
    backend = new EmbeddedBackend({ dir: new NodeDirFs(path.join(home, 'embedded'), 0o700) });
    specs = new AppliedSpecStore(home);
    await install('every-minute', '* * * * *', stamp(path.join(home, 'every-minute.txt')));
    // Starts with the daemon (schedule: boot) and is still running at the SIGTERM below; starting it
    // then, not at the minute, keeps the minute's runs from competing with it for the CPU.
    await install('slow', 'boot', {
      shell: `echo $$ > ${JSON.stringify(path.join(home, 'slow.pid'))}; sleep 300`,
    });
    daemon = startDaemon(home);
    await daemon.waitFor((e) => e.event === 'started', 15_000, 'the daemon to start');
  });

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    const pid = Number((await readFile(path.join(home, 'slow.pid'), 'utf8').catch(() => '0')).trim());
    if (pid > 0 && pidAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  it('started with both jobs and ran the project catch-up', async () => {
    expect(daemon!.events[0]).toMatchObject({ event: 'started', jobs: 2, projects: [PROJECT] });
    await daemon!.waitFor((e) => e.event === 'catch-up' && e.project === PROJECT, 5_000, 'the catch-up run');
  });

  it('a second daemon on the same state dir refuses with a clear message', () => {
    const r = spawnSync(process.execPath, [bin, 'daemon'], {
      env: { ...process.env, SCHED_HOME: home },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`another sched daemon \\(pid ${daemon!.child.pid}.*already running`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a job added after start is picked up within 2 s, without a restart', async () => {
    const added = Date.now();
    await install('added-later', '* * * * *', stamp(path.join(home, 'added-later.txt')));
    const pickup = await daemon!.waitFor(
      (e) => e.event === 'picked-up-change' && (e.added as string[]).includes(`${PROJECT}/added-later`),
      5_000,
      'the new job to be picked up',
    );
    expect(Date.parse(pickup.time) - added).toBeLessThan(2_000);
  });

  it('every-minute jobs fire within 3 s of the minute, the added one too', async () => {
    const fired = await daemon!.waitFor(
      (e) => e.event === 'fired' && e.job === 'every-minute',
      70_000,
      'the first minute',
    );
    const minute = Date.parse(String(fired.scheduled));
    expect(minute % 60_000).toBe(0);
    // the daemon itself starts the run right at the minute; the rest is sched run's own start-up
    expect(Date.parse(fired.time) - minute).toBeLessThan(1_000);
    const pickup = daemon!.events.find((e) => e.event === 'picked-up-change')!;
    // the added job's first instant is the first minute after it was picked up
    const addedMinute = Math.floor(Date.parse(pickup.time) / 60_000) * 60_000 + 60_000;
    await daemon!.waitFor(
      (e) => e.event === 'exited' && e.job === 'every-minute',
      10_000,
      'every-minute to finish',
    );
    const [first] = await stamps(path.join(home, 'every-minute.txt'));
    console.log(
      `e2e/daemon: the daemon started the run ${Date.parse(fired.time) - minute} ms after the minute; the job ran ${first! - minute} ms after it`,
    );
    expect(first! - minute).toBeGreaterThanOrEqual(0);
    expect(first! - minute).toBeLessThan(3_000);
    if (addedMinute === minute) {
      await daemon!.waitFor(
        (e) => e.event === 'exited' && e.job === 'added-later',
        10_000,
        'added-later to finish',
      );
      const [a] = await stamps(path.join(home, 'added-later.txt'));
      expect(a! - minute).toBeLessThan(3_000);
    } else {
      // picked up across the boundary: it must not have fired for a minute before it existed
      expect(
        daemon!.events.some(
          (e) =>
            e.event === 'fired' && e.job === 'added-later' && Date.parse(String(e.scheduled)) < addedMinute,
        ),
      ).toBe(false);
    }
  }, 90_000);

  it('SIGTERM ends the daemon within 5 s: running jobs get the grace period, then are stopped; exit 0', async () => {
    await daemon!.waitFor(
      (e) => e.event === 'fired' && e.job === 'slow' && e.reason === 'boot',
      10_000,
      'the slow job to start',
    );
    let pid = 0;
    for (let i = 0; i < 50 && !pid; i++) {
      pid = Number((await readFile(path.join(home, 'slow.pid'), 'utf8').catch(() => '0')).trim());
      if (!pid) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pid).toBeGreaterThan(0);
    expect(pidAlive(pid)).toBe(true);
    const t0 = Date.now();
    daemon!.child.kill('SIGTERM');
    const { code } = await daemon!.exited;
    const elapsed = Date.now() - t0;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(5_000);
    const names = daemon!.events.map((e) => e.event);
    expect(names).toContain('stopping');
    expect(names).toContain('terminating'); // the grace period (2 s here) ran out on the slow job
    expect(daemon!.events.at(-1)).toMatchObject({ event: 'stopped', abandoned: 0 });
    expect(daemon!.events.find((e) => e.event === 'exited' && e.job === 'slow')).toBeDefined();
    // nothing of the job is left running
    for (let i = 0; i < 20 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pidAlive(pid)).toBe(false);
    // the wrapper recorded the stopped run
    const h = spawnSync(process.execPath, [bin, 'history', 'slow', '--project', PROJECT, '--json'], {
      env: { ...process.env, SCHED_HOME: home },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(h.status, h.stderr).toBe(0);
    expect((JSON.parse(h.stdout) as { runs: { result: string }[] }).runs[0]?.result).toBe('interrupted');
    // the lock is released: a new daemon may start
    expect(existsSync(path.join(home, 'embedded', 'daemon.lock'))).toBe(false);
  }, 30_000);
});

describe.skipIf(!built)('examples/container: the entry script flow without Docker', () => {
  it('validates, applies and runs the example under sched daemon; SIGTERM exits 0', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'sched-e2e-container-'));
    const env = { ...process.env, SCHED_HOME: home };
    const file = path.join(repo, 'examples', 'container', 'schedules.yaml');
    try {
      for (const args of [
        ['validate', '-f', file],
        ['apply', '--auto-approve', '-f', file],
      ]) {
        const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 30_000 });
        expect(r.status, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      }
      const d = startDaemon(home);
      try {
        await d.waitFor((e) => e.event === 'started', 15_000, 'start');
        expect(d.events[0]).toMatchObject({ jobs: 3, projects: ['container-example'] });
        const bootRun = await d.waitFor(
          (e) => e.event === 'exited' && e.job === 'on-start',
          20_000,
          'the boot job to finish',
        );
        expect(bootRun).toMatchObject({ code: 0 });
        await d.waitFor((e) => e.event === 'exited' && e.catch_up === true, 20_000, 'the catch-up to finish');
        // a second apply changes nothing; destroy removes the records and the daemon drops the jobs
        const again = spawnSync(process.execPath, [bin, 'plan', '--detailed-exitcode', '-f', file], {
          env,
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(again.status, again.stdout + again.stderr).toBe(0);
        const destroy = spawnSync(process.execPath, [bin, 'destroy', '--auto-approve', '-f', file], {
          env,
          encoding: 'utf8',
          timeout: 30_000,
        });
        expect(destroy.status, destroy.stdout + destroy.stderr).toBe(0);
        const dropped = await d.waitFor(
          (e) => e.event === 'picked-up-change' && (e.removed as string[]).length === 3,
          5_000,
          'the destroy to be picked up',
        );
        expect(dropped.next).toBeNull();
      } finally {
        d.child.kill('SIGTERM');
      }
      expect((await d.exited).code).toBe(0);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 90_000);
});
