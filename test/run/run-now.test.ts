/**
 * `sched run-now` on every backend: the run the user asked for is a manual run, never skipped as
 * late. systemd, launchd and Task Scheduler start the installed entry, whose command line is the
 * scheduled `sched run --trigger BACKEND`; here a fake scheduler does what they do — it starts
 * that command line (the real `sched run` service) — so the test sees what the wrapper records.
 * crontab and embedded start a detached `sched run`, seen here through a recording shell script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/registry.js';
import { UserError } from '../../src/errors.js';
import type { BackendName } from '../../src/model/job.js';
import type { RunOptions, RunResult, Runner } from '../../src/platform/ports.js';
import type { HostSettings } from '../../src/services/host.js';
import { runCommand } from '../../src/services/run.js';
import { runNow } from '../../src/services/run-now.js';
import { testRunIo } from '../fakes/signals.js';
import {
  placeRunNowRequest,
  RUN_NOW_REQUEST_TTL_MS,
  runNowRequestFile,
  takeRunNowRequest,
} from '../../src/state/run-now-request.js';
import { RunStore } from '../../src/state/runs.js';
import { cron } from '../fakes/job.js';
import { applySpec, makeJob, tempDir } from './helpers.js';

/** Fires once a year (1 January, 00:00 UTC): any run started now is months after its fire time. */
const YEARLY = '0 0 1 1 *';

/** What each scheduler's "start it now" looks like on its command line. */
const STARTS: Record<
  'systemd' | 'launchd' | 'windows',
  (command: string, args: readonly string[]) => boolean
> = {
  systemd: (c, a) => c === 'systemctl' && a.includes('start'),
  launchd: (c, a) => c === 'launchctl' && a[0] === 'kickstart',
  windows: (c, a) => c === 'schtasks' && a[0] === '/Run',
};

/**
 * A scheduler that, asked to start the job, runs its installed command line as the real one
 * would: `sched run --project demo --trigger BACKEND job`, not awaited by the caller.
 */
class FakeScheduler implements Runner {
  readonly calls: string[][] = [];
  readonly runs: Promise<number>[] = [];
  constructor(
    private readonly root: string,
    private readonly backend: keyof typeof STARTS,
    private readonly startsRuns = true,
  ) {}

  async run(command: string, args: readonly string[], _options?: RunOptions): Promise<RunResult> {
    this.calls.push([command, ...args]);
    if (this.startsRuns && STARTS[this.backend](command, args)) {
      this.runs.push(
        runCommand(
          {
            job: 'job',
            project: 'demo',
            trigger: this.backend,
            stateDir: this.root,
            env: { SCHED_HOME: this.root, PATH: process.env.PATH },
          },
          testRunIo(),
        ),
      );
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  }
}

interface Setup {
  root: string;
  file: string;
  host: HostSettings;
}

async function setup(
  backend: BackendName,
  runner?: Runner,
  env: Record<string, string> = {},
): Promise<Setup> {
  const dir = tempDir('sched-run-now-');
  const root = path.join(dir, 'state');
  const file = path.join(dir, 'schedules.yaml');
  fs.writeFileSync(
    file,
    `version: 1\nproject: demo\nbackend: ${backend}\njobs:\n  job:\n    schedule: "${YEARLY}"\n    command: ["true"]\n`,
  );
  // The default catch_up: false, as in the issue: a scheduled run this late is skipped.
  await applySpec(root, makeJob({ schedule: cron(YEARLY), catchUp: false }), backend);
  const host: HostSettings = {
    env: { HOME: dir, SCHED_HOME: root, PATH: process.env.PATH, ...env },
    runner,
    now: new Date(),
  };
  return { root, file, host };
}

const last = (root: string) => new RunStore(root, 'demo', 'job').readLast();

describe('sched run-now through a scheduler that starts the installed entry', () => {
  for (const backend of ['systemd', 'launchd', 'windows'] as const) {
    it(`${backend}: the run is recorded as a manual run, not skipped as late`, async () => {
      const s = await setup(backend);
      const fake = new FakeScheduler(s.root, backend);
      s.host.runner = fake;

      const result = await runNow(s.file, 'job', s.host);
      expect(result.backend).toBe(backend);
      expect(fake.calls.filter(([c, ...a]) => STARTS[backend](c!, a))).toHaveLength(1);
      expect(await Promise.all(fake.runs)).toEqual([0]);
      expect(last(s.root)).toMatchObject({ result: 'ok', trigger: 'manual' });
      // The request was taken: nothing is left to mark a later scheduled run.
      expect(fs.existsSync(runNowRequestFile(s.root, 'demo', 'job'))).toBe(false);

      // The same command line started by the scheduler on its own is still late, and skipped.
      const code = await runCommand(
        {
          job: 'job',
          project: 'demo',
          trigger: backend,
          stateDir: s.root,
          env: { SCHED_HOME: s.root, PATH: process.env.PATH },
        },
        testRunIo(),
      );
      expect(code).toBe(0);
      expect(last(s.root)).toMatchObject({ result: 'skipped', trigger: backend });
      expect(last(s.root)?.reason).toMatch(/after its fire time .* \(catch_up is false\)/);
    });
  }

  it('when the scheduler starts nothing, run-now says so and withdraws its request', async () => {
    const s = await setup('systemd');
    s.host.runner = new FakeScheduler(s.root, 'systemd', false);
    const err = await runNow(s.file, 'job', s.host, { waitMs: 300, sleep: (ms) => delay(ms) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/systemd did not start job job within 0 s/);
    expect((err as UserError).hint).toMatch(/sched history job/);
    expect(fs.existsSync(runNowRequestFile(s.root, 'demo', 'job'))).toBe(false);
    // A later scheduled run is not mistaken for the one asked for.
    await runCommand(
      { job: 'job', project: 'demo', trigger: 'systemd', stateDir: s.root, env: {} },
      testRunIo(),
    );
    expect(last(s.root)).toMatchObject({ result: 'skipped', trigger: 'systemd' });
  });

  it('a second run-now while the first request waits is refused with a clear error', async () => {
    const s = await setup('systemd');
    placeRunNowRequest(s.root, 'demo', 'job', 'systemd', s.host.now);
    s.host.runner = new FakeScheduler(s.root, 'systemd');
    await expect(runNow(s.file, 'job', s.host)).rejects.toThrow(/another `sched run-now job` is waiting/);
  });

  it('a request older than its lifetime (its run-now was killed) does not make a run manual', async () => {
    const s = await setup('systemd');
    const old = new Date(Date.now() - RUN_NOW_REQUEST_TTL_MS - 60_000);
    placeRunNowRequest(s.root, 'demo', 'job', 'systemd', old);
    await runCommand(
      { job: 'job', project: 'demo', trigger: 'systemd', stateDir: s.root, env: {} },
      testRunIo(),
    );
    expect(last(s.root)).toMatchObject({ result: 'skipped', trigger: 'systemd' });
    // Taken and dropped: it cannot mark the next run either.
    expect(fs.existsSync(runNowRequestFile(s.root, 'demo', 'job'))).toBe(false);
    // And a stale request does not block a new run-now.
    placeRunNowRequest(s.root, 'demo', 'job', 'systemd', old);
    placeRunNowRequest(s.root, 'demo', 'job', 'systemd', new Date());
    expect(takeRunNowRequest(s.root, 'demo', 'job', new Date())).toBe('systemd');
  });

  it('a request is taken by exactly one wrapper', () => {
    const root = tempDir();
    fs.mkdirSync(path.dirname(runNowRequestFile(root, 'demo', 'job')), { recursive: true });
    placeRunNowRequest(root, 'demo', 'job', 'launchd', new Date());
    const taken = [1, 2, 3].map(() => takeRunNowRequest(root, 'demo', 'job', new Date()));
    expect(taken).toEqual(['launchd', undefined, undefined]);
  });

  it('a symlink in place of the request is not followed and makes no run manual', () => {
    const root = tempDir();
    const file = runNowRequestFile(root, 'demo', 'job');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const target = path.join(root, 'elsewhere.json');
    fs.writeFileSync(target, JSON.stringify({ requested_at: new Date().toISOString(), via: 'systemd' }));
    fs.symlinkSync(target, file);
    expect(takeRunNowRequest(root, 'demo', 'job', new Date())).toBeUndefined();
    expect(fs.existsSync(target)).toBe(true);
  });
});

describe('sched run-now on backends with no scheduler start', () => {
  for (const backend of ['crontab', 'embedded'] as const) {
    it(`${backend}: a detached \`sched run\` without --trigger, in the same state directory`, async () => {
      const dir = tempDir('sched-run-now-bin-');
      const out = path.join(dir, 'argv.txt');
      const script = path.join(dir, 'fake-sched.sh');
      // Stands in for bin/run.js (SCHED_BIN_PATH) run by /bin/sh (SCHED_NODE_PATH): records its argv.
      fs.writeFileSync(script, `printf '%s\\n' "$@" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`);
      const s = await setup(backend, undefined, { SCHED_NODE_PATH: '/bin/sh', SCHED_BIN_PATH: script });
      const result = await runNow(s.file, 'job', s.host);
      expect(result.backend).toBe(backend);
      const deadline = Date.now() + 60_000;
      while (!fs.existsSync(out) && Date.now() < deadline) await delay(50);
      const argv = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(argv).toEqual(['run', '--project', 'demo', '--state-dir', s.root, 'job']);
      expect(argv).not.toContain('--trigger');
    });
  }
});

describe('which backends start their installed entry on run-now', () => {
  it('systemd, launchd and windows do (run-now leaves a request); kubernetes starts a Job; crontab and embedded have no start', async () => {
    const options = { stateRoot: tempDir(), runner: new FakeScheduler('/nonexistent', 'systemd', false) };
    const flags: Record<string, string> = {};
    for (const name of ['systemd', 'launchd', 'windows', 'kubernetes', 'crontab', 'embedded'] as const) {
      const b = await createBackend(name, options);
      flags[name] = b.runNow ? (b.runNowStartsEntry ? 'entry' : 'own') : 'none';
    }
    expect(flags).toEqual({
      systemd: 'entry',
      launchd: 'entry',
      windows: 'entry',
      // `kubectl create job --from`: the pod runs the command itself, no wrapper, no late-start rule.
      kubernetes: 'own',
      crontab: 'none',
      embedded: 'none',
    });
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
