import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { jobHistory, lastRun } from '../../src/services/history.js';
import { runCommand } from '../../src/services/run.js';
import { RunStore } from '../../src/state/runs.js';
import { FakeSignals, testRunIo } from '../fakes/signals.js';
import { applySpec, makeJob, tempDir } from './helpers.js';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { s, text: () => text };
}

describe('runCommand (shared by the oclif command and the fast path)', () => {
  it('refuses a job it has no applied record of, naming the project', async () => {
    const root = tempDir();
    await expect(
      runCommand({ job: 'nope', project: 'demo', env: { SCHED_HOME: root } }, testRunIo()),
    ).rejects.toThrow('no job nope in project demo');
  });

  it('validates names and flag combinations before touching the state', async () => {
    const env = { SCHED_HOME: tempDir() };
    await expect(runCommand({ job: '../etc', project: 'demo', env }, testRunIo())).rejects.toBeInstanceOf(
      UserError,
    );
    await expect(runCommand({ job: 'ok', project: 'Bad Name', env }, testRunIo())).rejects.toThrow(
      /invalid project name/,
    );
    await expect(runCommand({ job: 'ok', project: 'demo', catchUp: true, env }, testRunIo())).rejects.toThrow(
      /no JOB/,
    );
    await expect(
      runCommand({ job: 'ok', project: 'demo', trigger: 'cron', env }, testRunIo()),
    ).rejects.toThrow(/unknown --trigger/);
  });

  it('by hand: echoes the output and returns the exit code', async () => {
    const root = tempDir();
    await applySpec(root, makeJob({ command: { shell: 'echo hi; echo oops >&2; exit 3' } }));
    const out = sink();
    const err = sink();
    const code = await runCommand(
      {
        job: 'job',
        project: 'demo',
        env: { SCHED_HOME: root, PATH: process.env.PATH },
      },
      testRunIo({ stdout: out.s, stderr: err.s }),
    );
    expect(code).toBe(3);
    expect(out.text()).toBe('hi\n');
    expect(err.text()).toBe('oops\n');
  });

  it("stops on the caller's stop signal with 128+signal and leaves only the late-stop guard listening", async () => {
    const root = tempDir();
    const started = path.join(tempDir(), 'started');
    await applySpec(root, makeJob({ command: { shell: `touch '${started}'; exec sleep 30` } }));
    const signals = new FakeSignals();
    const run = runCommand(
      { job: 'job', project: 'demo', env: { SCHED_HOME: root, PATH: process.env.PATH } },
      testRunIo({ signals }),
    );
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(started) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(signals.send('SIGINT')).toBe(true);
    expect(await run).toBe(128 + os.constants.signals.SIGINT);
    expect(new RunStore(root, 'demo', 'job').readLast()?.result).toBe('interrupted');
    // The run's own listener is gone; the guard against a stop request during exit stays.
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) expect(signals.listening(sig)).toBe(1);
  });

  it('--trigger wake (the embedded daemon after a resume) runs the job and records the trigger', async () => {
    const root = tempDir();
    await applySpec(
      root,
      makeJob({
        schedule: { kind: 'event', event: 'wake', source: 'wake' },
        command: { argv: ['/bin/true'] },
      }),
    );
    const code = await runCommand(
      {
        job: 'job',
        project: 'demo',
        trigger: 'wake',
        env: { SCHED_HOME: root },
      },
      testRunIo(),
    );
    expect(code).toBe(0);
    expect(new RunStore(root, 'demo', 'job').readLast()).toMatchObject({ result: 'ok', trigger: 'wake' });
  });

  it('finds the project in the schedules file when --project is not given', async () => {
    const root = tempDir();
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'schedules.yaml'),
      'version: 1\nproject: from-file\njobs:\n  job:\n    schedule: "0 * * * *"\n    command: ["true"]\n',
    );
    await applySpec(root, makeJob({ project: 'from-file', command: { argv: ['/bin/true'] } }));
    const code = await runCommand(
      {
        job: 'job',
        cwd: dir,
        env: { SCHED_HOME: root },
      },
      testRunIo(),
    );
    expect(code).toBe(0);
    expect(new RunStore(root, 'from-file', 'job').readLast()?.result).toBe('ok');
  });
});

describe('history service', () => {
  it('lastRun and jobHistory show a run whose process died as interrupted', async () => {
    const root = tempDir();
    const store = new RunStore(root, 'demo', 'job');
    const start = new Date(Date.now() - 5000).toISOString();
    store.markRunning({
      id: 'r1',
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
      pid: 999_999_999, // no such process
      host: os.hostname(),
    });
    expect((await lastRun(root, 'demo', 'job'))?.result).toBe('interrupted');
    const h = await jobHistory(root, 'demo', 'job');
    expect(h.map((r) => [r.id, r.result])).toEqual([['r1', 'interrupted']]);
  });

  it('lists runs in progress first, then finished ones newest first, at most n', async () => {
    const root = tempDir();
    const store = new RunStore(root, 'demo', 'job');
    const base = {
      project: 'demo',
      job: 'job',
      signal: null,
      attempt: 1,
      trigger: 'manual',
      host: os.hostname(),
    };
    for (let i = 1; i <= 3; i++) {
      const t = new Date(Date.UTC(2026, 0, 1, i)).toISOString();
      store.finish({
        ...base,
        id: `f${i}`,
        start: t,
        end: t,
        duration_ms: 0,
        exit_code: 0,
        result: 'ok',
        pid: 1,
      });
    }
    store.markRunning({
      ...base,
      id: 'now',
      start: new Date().toISOString(),
      end: null,
      duration_ms: null,
      exit_code: null,
      result: 'running',
      pid: process.pid,
    });
    expect((await jobHistory(root, 'demo', 'job')).map((r) => r.id)).toEqual(['now', 'f3', 'f2', 'f1']);
    expect((await jobHistory(root, 'demo', 'job', 2)).map((r) => r.id)).toEqual(['now', 'f3']);
    expect((await lastRun(root, 'demo', 'job'))?.result).toBe('running');
  });

  it('says so when the job is unknown', async () => {
    await expect(jobHistory(tempDir(), 'demo', 'ghost')).rejects.toThrow(/no job ghost in project demo/);
    expect(await lastRun(tempDir(), 'demo', 'ghost')).toBeUndefined();
  });
});
