/**
 * A real systemd user manager for tests, without booting anything (CONTRIBUTING.md, "The e2e harnesses").
 *
 * As root, in a private mount namespace, an empty directory holding `system/` is bound over
 * `/run/systemd` (that is how systemctl decides "booted with systemd"), HOME and XDG_RUNTIME_DIR
 * point at fresh 0700 temp dirs, and `/lib/systemd/systemd --user` runs there. Every command that
 * talks to it must run inside that mount namespace: {@link Harness.exec} and {@link Harness.runner}
 * wrap commands in `nsenter --target <pid> --mount --` with HOME and XDG_RUNTIME_DIR set.
 *
 * NEVER start systemd as PID 1, with `--system`, or in a new PID namespace: it would run tmpfiles
 * on the host and wipe /tmp. This helper only ever starts the user manager.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';

export const SYSTEMD_BINARY = '/lib/systemd/systemd';

export interface Harness {
  /** PID of the user manager (also the target of nsenter). */
  pid: number;
  /** The temp root holding everything below. */
  root: string;
  home: string;
  runtimeDir: string;
  /** `$HOME/.config/systemd/user`, created. */
  unitDir: string;
  /** Environment every command gets (HOME, XDG_RUNTIME_DIR, no session bus). */
  env: Record<string, string>;
  /** Runs a command inside the manager's mount namespace. Never throws on a non-zero exit. */
  exec(
    command: string,
    args: readonly string[],
    env?: Record<string, string>,
    input?: string,
  ): Promise<RunResult>;
  /** The same, as a Runner port for backends. */
  runner: Runner;
  /** SIGTERM, wait for the manager to exit, remove the temp dirs. */
  stop(): Promise<void>;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.stdin.end(input);
    }
  });
}

/** Why the harness cannot run here, or undefined when it can (the unshare check is done by start). */
export function systemdUserSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'not running as root (the harness needs unshare --mount and mount --bind)';
  if (!existsSync(SYSTEMD_BINARY)) return `${SYSTEMD_BINARY} is missing (install the Debian package systemd)`;
  for (const tool of ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/bin/systemctl']) {
    if (!existsSync(tool)) return `${tool} is missing`;
  }
  return undefined;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Starts a private systemd user manager and waits until `systemctl --user` answers.
 * Throws (with the manager's output) when it cannot start; callers skip on {@link systemdUserSkipReason}.
 */
export async function startSystemdUser(): Promise<Harness> {
  const reason = systemdUserSkipReason();
  if (reason) throw new Error(`cannot start a systemd user manager: ${reason}`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'sched-systemd-'));
  const runDir = path.join(root, 'run');
  const home = path.join(root, 'home');
  const runtimeDir = path.join(root, 'xdg');
  await mkdir(path.join(runDir, 'system'), { recursive: true });
  for (const d of [home, runtimeDir]) {
    await mkdir(d, { mode: 0o700 });
    await chmod(d, 0o700);
  }
  const unitDir = path.join(home, '.config', 'systemd', 'user');
  await mkdir(unitDir, { recursive: true });

  const env: Record<string, string> = {
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    SYSTEMD_PAGER: '',
    SYSTEMD_COLORS: '0',
  };
  const script =
    'mount --make-rprivate / && mount --bind "$SCHED_T_RUN" /run/systemd && exec ' +
    SYSTEMD_BINARY +
    ' --user';
  // unshare without --fork execs sh, which execs systemd: the child's pid is the manager's pid.
  const child = spawn('unshare', ['--mount', 'sh', '-c', script], {
    env: { ...env, SCHED_T_RUN: runDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  }).catch(async (e: Error) => {
    await rm(root, { recursive: true, force: true });
    throw new Error(`cannot start unshare: ${e.message}`);
  });
  const pid = spawned;

  const exec = (
    command: string,
    args: readonly string[],
    extra: Record<string, string> = {},
    input?: string,
  ) =>
    run('nsenter', ['--target', String(pid), '--mount', '--', command, ...args], { ...env, ...extra }, input);

  // If the test process exits without stop(), do not leave a user manager behind.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  };

  const socket = path.join(runtimeDir, 'systemd', 'private');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(
        `systemd --user exited early (code ${child.exitCode}, signal ${child.signalCode}): ${output.trim()}`,
      );
    }
    if (existsSync(socket)) {
      const r = await exec('systemctl', ['--user', 'is-system-running']);
      if (/^(running|degraded|starting)/m.test(r.stdout)) break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`systemd --user did not answer within 20 s: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const runner: Runner = {
    run: (command: string, args: readonly string[], options: RunOptions = {}) =>
      exec(command, args, options.env ?? {}, options.input),
  };
  return { pid, root, home, runtimeDir, unitDir, env, exec, runner, stop };
}
