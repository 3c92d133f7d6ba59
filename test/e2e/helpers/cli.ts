/**
 * Runs the compiled sched CLI (`bin/run.js`, built by `npm test`'s build step) as a user would.
 * An optional `exec` runs it somewhere else (inside the systemd harness's namespace, as another user).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../../src/platform/ports.js';

/** The repository root: the nearest folder above this file with a package.json (also when compiled to dist-bench/). */
function findRepoRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const SCHED_BIN = path.join(REPO_ROOT, 'bin', 'run.js');

export type Exec = (
  command: string,
  args: readonly string[],
  env?: Record<string, string>,
  input?: string,
) => Promise<RunResult>;

/** Why the CLI cannot be run (not built), or undefined. */
export function cliSkipReason(): string | undefined {
  return existsSync(path.join(REPO_ROOT, 'dist', 'commands', 'plan.js'))
    ? undefined
    : 'sched is not built (run `npm run build`; `npm test` does it)';
}

export function localExec(cwd?: string): Exec {
  return (command, args, env = {}, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: { ...process.env, NO_COLOR: '1', ...env },
        stdio: 'pipe',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
      child.stdin.end(input ?? '');
    });
}

/** `sched ARGS…` through `exec`, with `env` added. */
export function sched(
  exec: Exec,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  return exec(process.execPath, [SCHED_BIN, ...args], { NO_COLOR: '1', ...env });
}

/**
 * The environment a user's own login shell starts with (no variable of the calling process):
 * what the benchmarks run both tools in, so that a variable set only where they are started
 * (NODE_EXTRA_CA_CERTS, read by every node start) is not counted against one of them.
 */
export function loginEnvironment(user: { name: string; home: string }): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: '/bin/sh',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
  };
}

/**
 * Runs commands as another user (`runuser`), with HOME set to its home and `env` added; with
 * `login`, in that user's login environment ({@link loginEnvironment}) instead of this process's.
 */
export function execAs(user: { name: string; home: string }, opts: { login?: boolean } = {}): Exec {
  const base = opts.login
    ? ['-i', ...Object.entries(loginEnvironment(user)).map(([k, v]) => `${k}=${v}`)]
    : [`HOME=${user.home}`];
  return (command, args, env = {}, input) =>
    localExec(user.home)(
      'runuser',
      [
        '-u',
        user.name,
        '--',
        'env',
        ...base,
        ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
        command,
        ...args,
      ],
      {},
      input,
    );
}
