/**
 * Drives the compiled `sched` CLI as separate processes against a throw-away SCHED_HOME, for the
 * wrapper and daemon reliability suites: apply a job spec straight into the state directory,
 * start `sched run` / `sched daemon` / `sched status` with any environment (a fault injector's
 * LD_PRELOAD, a tiny tmpfs as SCHED_HOME), read the records back, and wait for conditions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../../../src/model/job.js';
import { AppliedSpecStore } from '../../../src/state/applied.js';
import type { RunRecord } from '../../../src/state/runs.js';
import { jobStateDir } from '../../../src/state/paths.js';
import { REPO_ROOT, SCHED_BIN } from '../../e2e/helpers/cli.js';
import { cron, testJob } from '../../fakes/job.js';
import { runCapabilitiesOf } from '../../../src/backends/registry.js';

export { REPO_ROOT, SCHED_BIN };

export const PROJECT = 'rel';

/** Why these suites cannot run here (sched not built, not Linux), or undefined. */
export function procSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'Linux only';
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'commands', 'run.js')))
    return 'sched is not built (run `npm run build`)';
  return undefined;
}

const made: string[] = [];
/** A fresh temp directory, removed by {@link cleanupHomes}. */
export function tempHome(prefix = 'sched-rel-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function cleanupHomes(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function relJob(name: string, over: Partial<Job> = {}): Job {
  const base = { project: PROJECT, name, schedule: cron('0 * * * *'), command: { argv: ['true'] } };
  return testJob({ ...base, workingDir: os.tmpdir(), catchUp: true, ...over });
}

/** Writes the applied spec of `job` into `root` as `sched apply` would (crontab backend). */
export async function applyJob(root: string, job: Job, backend: 'crontab' | 'embedded' = 'crontab') {
  await new AppliedSpecStore(root).write({
    format_version: 2,
    backend,
    appliedAt: new Date(Date.now() - 1000).toISOString(),
    sourceFile: path.join(root, 'schedules.yaml'),
    job,
    capabilities: runCapabilitiesOf(backend, job),
  });
}

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  done: Promise<Done>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
}

/** Starts `node bin/run.js …args` with SCHED_HOME=root (and a 1 s kill grace unless `env` says otherwise). */
export function startSched(
  root: string,
  args: string[],
  env: Record<string, string> = {},
  wrap: string[] = [],
): Started {
  const argv = [...wrap, process.execPath, SCHED_BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, SCHED_HOME: root, SCHED_KILL_GRACE_MS: '1000', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Done>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** `sched run JOB --trigger crontab` as cron starts it. */
export function startRun(root: string, name: string, env: Record<string, string> = {}): Started {
  return startSched(root, ['run', '--project', PROJECT, '--trigger', 'crontab', name], env);
}

/** The job's history.jsonl as written (no sweep, no CLI): every line parsed. */
export function historyRecords(root: string, name: string): RunRecord[] {
  const file = path.join(jobStateDir(root, PROJECT, name), 'history.jsonl');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunRecord);
}

export function jobDir(root: string, name: string): string {
  return jobStateDir(root, PROJECT, name);
}

/** Polls `cond` until it is truthy (returned) or `ms` pass (throws with `what`). */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while a process exists and is not a zombie. */
export function processRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
