import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catchUp } from '../../src/run/catchup.js';
import { defaultRunDeps, Wrapper, type RunDeps } from '../../src/run/wrapper.js';
import { JobLock } from '../../src/state/lock.js';
import { lockFile } from '../../src/state/paths.js';
import { pidAlive, processStartTicks, RunStore } from '../../src/state/runs.js';
import { fireTimesBetween } from '../../src/schedule/occurrences.js';
import { applySpec, FakeClock, makeJob, tempDir } from './helpers.js';

function deps(over: Partial<RunDeps> = {}): RunDeps {
  return defaultRunDeps({
    host: os.hostname(),
    isAlive: pidAlive,
    killGraceMs: 500,
    baseEnv: { PATH: process.env.PATH },
    fireTimesBetween,
    sleep: async () => {},
    ...over,
  });
}

const history = (root: string, job = 'job') => new RunStore(root, 'demo', job).readHistory();

describe('Wrapper: one run', () => {
  it('runs argv without a shell, records ok, logs the output with timestamps', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ command: { argv: ['/bin/echo', 'a $HOME; b'] } }));
    const out = await new Wrapper(root, deps()).run(spec);
    expect(out).toMatchObject({ exitCode: 0, result: 'ok', attempts: 1 });
    const [r] = history(root);
    expect(r).toMatchObject({ result: 'ok', exit_code: 0, attempt: 1, trigger: 'manual', signal: null });
    expect(Date.parse(r!.end!) - Date.parse(r!.start)).toBe(r!.duration_ms);
    const log = fs.readFileSync(new RunStore(root, 'demo', 'job').logFile, 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\S+Z out a \$HOME; b$/m);
  });

  it('runs a string through /bin/sh and returns its exit code; a signal gives 128+n', async () => {
    const root = tempDir();
    const failing = await applySpec(root, makeJob({ command: { shell: 'exit 7' } }));
    expect((await new Wrapper(root, deps()).run(failing)).exitCode).toBe(7);
    expect(history(root)[0]).toMatchObject({ result: 'failed', exit_code: 7 });
    const killed = await applySpec(root, makeJob({ command: { shell: 'kill -USR1 $$' } }));
    const out = await new Wrapper(root, deps()).run(killed);
    expect(out.exitCode).toBe(128 + os.constants.signals.SIGUSR1);
    expect(history(root)[0]).toMatchObject({ result: 'failed', signal: 'SIGUSR1', exit_code: null });
  });

  it('sets the working dir, inline env, and the env_file read at run time (env_file wins)', async () => {
    const root = tempDir();
    const work = tempDir();
    const envFile = path.join(tempDir(), '.env');
    fs.writeFileSync(envFile, 'SECRET=first\nSHARED=from-file\n', { mode: 0o600 });
    const spec = await applySpec(
      root,
      makeJob({
        workingDir: work,
        env: { SHARED: 'inline', PLAIN: 'p' },
        envFile,
        command: { shell: 'echo "$SECRET $SHARED $PLAIN $SCHED_JOB $(pwd)" >> out.txt' },
      }),
    );
    await new Wrapper(root, deps()).run(spec);
    fs.writeFileSync(envFile, 'SECRET=second\n');
    await new Wrapper(root, deps()).run(spec);
    const real = fs.realpathSync(work);
    expect(fs.readFileSync(path.join(work, 'out.txt'), 'utf8')).toBe(
      `first from-file p job ${real}\nsecond inline p job ${real}\n`,
    );
  });

  it('fails clearly when the env_file is missing or the working dir is gone', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ envFile: '/nonexistent/.env' }));
    expect((await new Wrapper(root, deps()).run(spec)).result).toBe('failed');
    expect(history(root)[0]?.reason).toMatch(/env_file/);
    const gone = await applySpec(root, makeJob({ workingDir: '/nonexistent/dir' }));
    expect((await new Wrapper(root, deps()).run(gone)).result).toBe('failed');
    expect(history(root)[0]?.reason).toMatch(/working directory/);
  });

  it('records command-not-found as failed with 127', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ command: { argv: ['/nonexistent/prog'] } }));
    const out = await new Wrapper(root, deps()).run(spec);
    expect(out).toMatchObject({ exitCode: 127, result: 'failed' });
  });

  it('times out: SIGTERM to the group, result timeout, no process left', async () => {
    const root = tempDir();
    const marker = `sched-unit-${process.pid}-${Date.now()}`;
    const spec = await applySpec(
      root,
      makeJob({
        timeoutSeconds: 1,
        command: { shell: `sh -c 'sleep 30; : ${marker}' & sleep 30; : ${marker}` },
      }),
    );
    const t0 = Date.now();
    const out = await new Wrapper(root, deps()).run(spec);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(out.result).toBe('timeout');
    expect(history(root)[0]).toMatchObject({ result: 'timeout' });
    const ps = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
        } catch {
          return false;
        }
      });
    expect(ps).toEqual([]);
  });

  it('retries after the delay, recording each attempt', async () => {
    const root = tempDir();
    const work = tempDir();
    const sleeps: number[] = [];
    const spec = await applySpec(
      root,
      makeJob({
        workingDir: work,
        retries: { max: 2, delaySeconds: 7 },
        command: { shell: 'n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; [ $n -ge 3 ]' },
      }),
    );
    const out = await new Wrapper(root, deps({ sleep: async (ms) => void sleeps.push(ms) })).run(spec);
    expect(out).toMatchObject({ exitCode: 0, result: 'ok', attempts: 3 });
    expect(history(root).map((r) => [r.attempt, r.result])).toEqual([
      [3, 'ok'],
      [2, 'failed'],
      [1, 'failed'],
    ]);
    expect(sleeps).toEqual([7000, 7000]);
  });

  it('runs on_failure with the job, result, exit code and log path', async () => {
    const root = tempDir();
    const work = tempDir();
    const spec = await applySpec(
      root,
      makeJob({
        workingDir: work,
        command: { shell: 'exit 4' },
        onFailure: {
          shell: 'echo "$SCHED_JOB $SCHED_PROJECT $SCHED_RESULT $SCHED_EXIT_CODE $SCHED_LOG" > failure.txt',
        },
      }),
    );
    await new Wrapper(root, deps()).run(spec);
    const logFile = new RunStore(root, 'demo', 'job').logFile;
    expect(fs.readFileSync(path.join(work, 'failure.txt'), 'utf8')).toBe(`job demo failed 4 ${logFile}\n`);
  });
});

describe('Wrapper: scheduler rules', () => {
  // Hourly job; the clock sits 10 minutes after the 10:00 fire time.
  const t10 = Date.UTC(2026, 2, 10, 10, 0, 0);

  it('catch_up false: a late scheduled start is skipped; an on-time one runs; a manual one always runs', async () => {
    const root = tempDir();
    const spec = await applySpec(
      root,
      makeJob({ catchUp: false }),
      'crontab',
      new Date(t10 - 1000).toISOString(),
    );
    const late = new FakeClock(t10 + 10 * 60_000);
    const out = await new Wrapper(root, deps({ clock: late })).run(spec, { trigger: 'crontab' });
    expect(out.result).toBe('skipped');
    expect(history(root)[0]).toMatchObject({ result: 'skipped', scheduled: new Date(t10).toISOString() });
    const onTime = new FakeClock(t10 + 3600_000 + 2000);
    expect((await new Wrapper(root, deps({ clock: onTime })).run(spec, { trigger: 'crontab' })).result).toBe(
      'ok',
    );
    expect((await new Wrapper(root, deps({ clock: late })).run(spec)).result).toBe('ok');
  });

  it('catch_up true: a late scheduled start runs', async () => {
    const root = tempDir();
    const spec = await applySpec(
      root,
      makeJob({ catchUp: true }),
      'systemd',
      new Date(t10 - 1000).toISOString(),
    );
    const late = new FakeClock(t10 + 50 * 60_000);
    expect((await new Wrapper(root, deps({ clock: late })).run(spec, { trigger: 'systemd' })).result).toBe(
      'ok',
    );
  });

  it('catch_up false: fire times that passed while nothing ran are recorded as missed at the next run', async () => {
    const root = tempDir();
    // Applied at 06:30; next scheduled run at 10:00 → 07:00, 08:00, 09:00 were missed.
    const spec = await applySpec(
      root,
      makeJob({ catchUp: false }),
      'crontab',
      new Date(t10 - 3.5 * 3600_000).toISOString(),
    );
    await new Wrapper(root, deps({ clock: new FakeClock(t10 + 1000) })).run(spec, { trigger: 'crontab' });
    const [ran, missed] = history(root);
    expect(ran).toMatchObject({ result: 'ok', scheduled: new Date(t10).toISOString() });
    expect(missed).toMatchObject({
      result: 'missed',
      missed_count: 3,
      scheduled: new Date(t10 - 3600_000).toISOString(),
    });
  });

  it('sleeps a random jitter only where the backend has none', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ jitterSeconds: 100 }));
    const sleeps: number[] = [];
    const d = deps({
      clock: new FakeClock(t10 + 1000),
      random: () => 0.25,
      sleep: async (ms) => void sleeps.push(ms),
    });
    await new Wrapper(root, d).run(spec, { trigger: 'crontab' });
    expect(sleeps).toEqual([25_000]);
    await new Wrapper(root, d).run(spec); // by hand: no jitter
    expect(sleeps).toEqual([25_000]);
    // What the applied spec recorded decides, not the backend's code (sched run loads none).
    const onSystemd = await applySpec(tempDir(), makeJob({ jitterSeconds: 100 }), 'systemd');
    expect(onSystemd.capabilities.nativeJitter).toBe(true);
    await new Wrapper(root, d).run(onSystemd, { trigger: 'systemd' }); // RandomizedDelaySec does it
    expect(sleeps).toEqual([25_000]);
  });

  it('overlap skip: a run while another holds the lock is recorded skipped and exits 0', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ overlap: 'skip' }));
    const lock = new JobLock(lockFile(root, 'demo', 'job'), path.dirname(root));
    lock.tryAcquire(
      { id: 'other', pid: process.pid, host: os.hostname(), start: new Date().toISOString() },
      {
        now: new Date(),
        host: os.hostname(),
        isAlive: () => true,
      },
    );
    const out = await new Wrapper(root, deps()).run(spec);
    expect(out).toMatchObject({ exitCode: 0, result: 'skipped' });
    expect(history(root)[0]?.reason).toMatch(/another run is active/);
  });

  it('overlap queue: waiting runs start in the order they arrived, not in the order they poll', async () => {
    const root = tempDir();
    const out = path.join(root, 'order');
    const spec = await applySpec(
      root,
      makeJob({ overlap: 'queue', command: { shell: `echo "$SCHED_RUN_ID" >> '${out}'` } }),
    );
    const lock = new JobLock(lockFile(root, 'demo', 'job'), path.dirname(root));
    const host = os.hostname();
    const held = { id: 'first', pid: process.pid, host, start: new Date().toISOString() };
    expect(lock.tryAcquire(held, { now: new Date(), host, isAlive: () => true }).acquired).toBe(true);
    const t0 = Date.parse('2026-05-04T10:00:00Z');
    // Arrivals one second apart; the latest arrival polls the most often, so polling alone would
    // let it in first.
    const waiter = (arrival: number, pollMs: number) =>
      new Wrapper(
        root,
        deps({
          clock: new FakeClock(t0 + arrival * 1000),
          lockPollMs: pollMs,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        }),
      ).run(spec);
    const runs = [waiter(1, 40), waiter(2, 15), waiter(3, 2)];
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(out)).toBe(false);
    lock.release('first');
    const outcomes = await Promise.all(runs);
    expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'ok']);
    const order = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(order.map((id) => id.slice(0, 16))).toEqual([
      '20260504T100001Z',
      '20260504T100002Z',
      '20260504T100003Z',
    ]);
    // Nobody is left in line.
    expect(fs.readdirSync(path.join(root, 'projects', 'demo', 'locks', 'job.queue'))).toEqual([]);
  });

  it('overlap: a lock whose holder died is taken over', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ overlap: 'skip' }));
    const lock = new JobLock(lockFile(root, 'demo', 'job'), path.dirname(root));
    lock.tryAcquire(
      { id: 'dead', pid: 999_999_999, host: os.hostname(), start: new Date().toISOString() },
      {
        now: new Date(),
        host: os.hostname(),
        isAlive: () => true,
      },
    );
    expect((await new Wrapper(root, deps()).run(spec)).result).toBe('ok');
    expect(lock.holder()).toBeUndefined();
  });

  it.skipIf(process.platform !== 'linux')(
    'a run whose wrapper died is recorded interrupted and what it left running is stopped',
    async () => {
      const root = tempDir();
      const spec = await applySpec(root, makeJob({ overlap: 'skip' }));
      const orphan = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
      const exited = new Promise((r) => orphan.on('exit', r));
      const store = new RunStore(root, 'demo', 'job');
      const start = new Date().toISOString();
      store.markRunning({
        id: 'dead-wrapper',
        project: 'demo',
        job: 'job',
        start,
        end: null,
        duration_ms: null,
        exit_code: null,
        signal: null,
        result: 'running',
        attempt: 1,
        trigger: 'crontab',
        pid: 999_999_999,
        host: os.hostname(),
        pgid: orphan.pid!,
        pgid_start: processStartTicks(orphan.pid!),
      });
      // Its lock is left behind too: a dead holder's lock is taken over.
      new JobLock(lockFile(root, 'demo', 'job'), path.dirname(root)).tryAcquire(
        { id: 'dead-wrapper', pid: 999_999_999, host: os.hostname(), start },
        { now: new Date(), host: os.hostname(), isAlive: () => true },
      );
      expect((await new Wrapper(root, deps()).run(spec)).result).toBe('ok');
      await exited;
      const [ran, interrupted] = history(root);
      expect(ran?.result).toBe('ok');
      expect(interrupted).toMatchObject({ id: 'dead-wrapper', result: 'interrupted' });
      expect(interrupted?.reason).toMatch(/left were stopped/);
    },
  );

  it('a disabled job started by a scheduler is skipped', async () => {
    const root = tempDir();
    const spec = await applySpec(root, makeJob({ enabled: false }));
    expect((await new Wrapper(root, deps()).run(spec, { trigger: 'crontab' })).result).toBe('skipped');
  });
});

describe('catch-up (--catch-up)', () => {
  const t10 = Date.UTC(2026, 2, 10, 10, 0, 0);

  it('runs once a job whose fire times passed while the machine was off (catch_up true)', async () => {
    const root = tempDir();
    const work = tempDir();
    // Last run 3 days ago; daily at 02:00 → three fire times missed; it runs once.
    await applySpec(
      root,
      makeJob({
        workingDir: work,
        schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
        command: { shell: 'echo ran >> ran.txt' },
      }),
      'crontab',
      new Date(t10 - 3 * 86400_000).toISOString(),
    );
    const clock = new FakeClock(t10);
    const w = new Wrapper(root, deps({ clock }));
    const results = await catchUp(w, 'demo');
    expect(results).toMatchObject([{ job: 'job', action: 'ran', missed: 3 }]);
    expect(fs.readFileSync(path.join(work, 'ran.txt'), 'utf8')).toBe('ran\n');
    expect(history(root)).toMatchObject([
      { result: 'ok', trigger: 'catch-up', scheduled: new Date(Date.UTC(2026, 2, 10, 2)).toISOString() },
    ]);
    // Nothing more to catch up right after.
    clock.advance(60_000);
    expect(await catchUp(w, 'demo')).toEqual([]);
  });

  it('records missed and runs nothing with catch_up false', async () => {
    const root = tempDir();
    const work = tempDir();
    await applySpec(
      root,
      makeJob({
        workingDir: work,
        catchUp: false,
        schedule: { kind: 'cron', expr: '0 2 * * *', source: '0 2 * * *' },
        command: { shell: 'echo ran >> ran.txt' },
      }),
      'launchd',
      new Date(t10 - 3 * 86400_000).toISOString(),
    );
    const results = await catchUp(new Wrapper(root, deps({ clock: new FakeClock(t10) })), 'demo');
    expect(results).toMatchObject([{ job: 'job', action: 'missed', missed: 3 }]);
    expect(fs.existsSync(path.join(work, 'ran.txt'))).toBe(false);
    expect(history(root)).toMatchObject([{ result: 'missed', missed_count: 3 }]);
  });

  it('does not count fire times from before the job was (re-)applied, e.g. while it was disabled', async () => {
    const root = tempDir();
    const daily = { kind: 'cron' as const, expr: '0 2 * * *', source: '0 2 * * *' };
    const spec = await applySpec(
      root,
      makeJob({ schedule: daily }),
      'crontab',
      new Date(t10 - 30 * 86400_000).toISOString(),
    );
    const store = new RunStore(root, 'demo', 'job');
    // It last ran 20 days ago; then it was disabled and enabled again (re-applied) an hour ago.
    const lastStart = new Date(t10 - 20 * 86400_000).toISOString();
    store.record({
      id: 'old',
      project: 'demo',
      job: 'job',
      start: lastStart,
      end: lastStart,
      duration_ms: 0,
      exit_code: 0,
      signal: null,
      result: 'ok',
      attempt: 1,
      trigger: 'crontab',
      pid: 1,
      host: 'h',
    });
    await applySpec(root, spec.job, 'crontab', new Date(t10 - 3600_000).toISOString());
    expect(await catchUp(new Wrapper(root, deps({ clock: new FakeClock(t10) })), 'demo')).toEqual([]);
  });

  it('leaves backends with native catch-up, disabled jobs and jobs that missed nothing alone', async () => {
    const root = tempDir();
    const old = new Date(t10 - 3 * 86400_000).toISOString();
    await applySpec(root, makeJob({ name: 'sys' }), 'systemd', old);
    await applySpec(root, makeJob({ name: 'off', enabled: false }), 'crontab', old);
    // Hourly, applied at 09:40, now 09:59:30: no fire time in between.
    await applySpec(root, makeJob({ name: 'fresh' }), 'crontab', new Date(t10 - 20 * 60_000).toISOString());
    expect(await catchUp(new Wrapper(root, deps({ clock: new FakeClock(t10 - 30_000) })), 'demo')).toEqual(
      [],
    );
  });
});
