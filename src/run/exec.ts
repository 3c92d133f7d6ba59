/**
 * Runs one attempt of a job's command: argv directly or a string through the shell, in its own
 * process group (so a timeout or a stop reaches every process it started), with each output line
 * timestamped into the job's log and, when run by hand, echoed to the terminal.
 *
 * When the command's main process exits, whatever it left running in its process group is
 * stopped too (SIGTERM, SIGKILL after the grace period) — the same "nothing of the job is left"
 * guarantee systemd gives a service, on every backend.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Command } from '../model/job.js';
import { MAX_LOG_LINE_BYTES, type RunLog } from '../state/log.js';
import { processStartTicks } from '../state/runs.js';

export interface ExecOptions {
  command: Command;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Kill the attempt after this long (ms); undefined: no limit. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs: number;
  log: RunLog;
  /** Also copy output to these (by hand). */
  echo?: { out: NodeJS.WritableStream; err: NodeJS.WritableStream };
  /** Aborting stops the attempt like a timeout does (SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
  /** Told the command's pid (= its process group id) once it started. */
  onSpawn?: (pid: number) => void;
  /**
   * A file the watchdog touches (never creates) when it finds the wrapper dead, just before it
   * stops the job: its mtime then says when the run ended (the run's running file).
   */
  watchdogTouch?: string;
}

export interface ExecResult {
  /** The exit code, 128+n when killed by signal n, 127 when the command could not start. */
  exitCode: number;
  signal: string | null;
  timedOut: boolean;
  /** Stopped through `signal` (the wrapper was told to stop, or replaced). */
  stopped: boolean;
  /** Why the command could not start. */
  error?: string;
}

const isWindows = process.platform === 'win32';

export function commandArgv(command: Command): { file: string; args: string[]; verbatim: boolean } {
  if ('argv' in command) {
    const [file, ...args] = command.argv;
    return { file: file ?? '', args, verbatim: false };
  }
  if (isWindows)
    return {
      file: process.env.ComSpec ?? 'cmd.exe',
      args: ['/d', '/s', '/c', `"${command.shell}"`],
      verbatim: true,
    };
  return { file: '/bin/sh', args: ['-c', command.shell], verbatim: false };
}

export function signalExitCode(signal: string | null): number {
  if (!signal) return 1;
  const n = (os.constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (n ?? 0);
}

/**
 * True while a process group has a live member. A zombie does not count: once the group leader
 * has exited, its children are re-parented, and if nothing reaps them promptly (some container
 * init processes), `kill(-pgid, 0)` would keep saying "alive" for corpses.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    if (isWindows) {
      // No process groups: taskkill walks the tree. Best effort.
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
        'error',
        () => {},
      );
    } else {
      process.kill(-pid, signal);
    }
  } catch {
    // Already gone.
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM to the group, then SIGKILL once the grace period is over; resolves when the group is empty. */
export async function terminateGroup(pid: number, graceMs: number): Promise<void> {
  if (isWindows) return killGroup(pid, 'SIGKILL');
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await delay(50);
  if (groupAlive(pid)) {
    killGroup(pid, 'SIGKILL');
    for (let i = 0; i < 40 && groupAlive(pid); i++) await delay(25);
  }
}

/** The largest cut of `buf` at most `max` bytes long that does not split a UTF-8 character. */
function utf8Cut(buf: Buffer, max: number): number {
  let cut = max;
  while (cut > 0 && (buf[cut]! & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : max;
}

/**
 * Splits a byte stream into lines for the log, keeping a partial last line until more arrives.
 * A line longer than {@link MAX_LOG_LINE_BYTES} is split into several (the log says so once), so
 * what is held in memory and each log line stay bounded whatever the command writes.
 */
function lineWriter(log: RunLog, stream: 'out' | 'err') {
  let partial = Buffer.alloc(0);
  let splitNoted = false;
  const piece = (buf: Buffer) => {
    if (!splitNoted) {
      splitNoted = true;
      log.line(
        'sched',
        `a line of ${stream === 'out' ? 'stdout' : 'stderr'} is longer than ${MAX_LOG_LINE_BYTES} bytes: it is split into several log lines`,
      );
    }
    log.line(stream, buf.toString('utf8'));
  };
  const emit = (line: Buffer) => {
    while (line.length > MAX_LOG_LINE_BYTES) {
      const cut = utf8Cut(line, MAX_LOG_LINE_BYTES);
      piece(line.subarray(0, cut));
      line = line.subarray(cut);
    }
    const text = line.toString('utf8');
    log.line(stream, text.endsWith('\r') ? text.slice(0, -1) : text);
  };
  return {
    write(chunk: Buffer) {
      let data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10)) {
        emit(data.subarray(0, nl));
        data = data.subarray(nl + 1);
      }
      while (data.length >= MAX_LOG_LINE_BYTES) {
        const cut = utf8Cut(data, MAX_LOG_LINE_BYTES);
        piece(data.subarray(0, cut));
        data = data.subarray(cut);
      }
      // A copy, so that the (up to 64 KiB) chunk it came from is not kept alive.
      partial = Buffer.from(data);
    },
    flush() {
      if (partial.length) emit(partial);
      partial = Buffer.alloc(0);
    },
  };
}

/**
 * The watchdog of an attempt (POSIX): `/bin/sh` in its own session, so that a kill of the
 * wrapper's process group does not reach it, blocked reading a pipe whose only writer is the
 * wrapper. The wrapper writes "done" once the job's group is empty; if the wrapper dies first
 * (SIGKILL, OOM), the read ends without it: the watchdog touches the run's file (the run's end,
 * for the record the next sweep writes) and stops the job's process group — SIGTERM, the grace
 * period, SIGKILL. Node has no
 * PR_SET_PDEATHSIG; a pipe's end is the portable "my parent is gone". Arguments: pgid,
 * grace in tenths of a second, file to touch (may be empty).
 */
const WATCHDOG = `trap '' HUP INT TERM
IFS= read -r word
[ "$word" = done ] && exit 0
[ -n "$3" ] && touch -c "$3"
kill -TERM -"$1" 2>/dev/null || exit 0
n=0
while kill -0 -"$1" 2>/dev/null && [ "$n" -lt "$2" ]; do sleep 0.1; n=$((n+1)); done
kill -KILL -"$1" 2>/dev/null
exit 0`;

interface Watchdog {
  /** The job's group is empty: the watchdog may go. */
  release(): void;
}

function startWatchdog(pgid: number, graceMs: number, touch: string | undefined): Watchdog | undefined {
  if (isWindows) return undefined;
  let guard;
  try {
    guard = spawn(
      '/bin/sh',
      ['-c', WATCHDOG, 'sched-watchdog', String(pgid), String(Math.ceil(graceMs / 100)), touch ?? ''],
      { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: '/usr/bin:/bin' } },
    );
  } catch {
    return undefined;
  }
  guard.on('error', () => {});
  guard.stdin?.on('error', () => {});
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release: () => {
      try {
        guard.stdin?.end('done\n');
      } catch {
        // The watchdog is gone: nothing to release.
      }
    },
  };
}

export function execAttempt(opts: ExecOptions): Promise<ExecResult> {
  const { file, args, verbatim } = commandArgv(opts.command);
  return new Promise<ExecResult>((resolve) => {
    let timedOut = false;
    let stopped = false;
    let settled = false;
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      // Own process group (POSIX) so the whole job can be signalled; stdin is never the terminal,
      // because a background group reading it would be stopped by SIGTTIN.
      detached: !isWindows,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      windowsVerbatimArguments: verbatim,
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const watchdog =
      child.pid !== undefined ? startWatchdog(child.pid, opts.killGraceMs, opts.watchdogTouch) : undefined;
    // Promises made now, before any 'close' can fire, so a fast command is never waited on twice.
    const pipesEnded = Promise.all([streamEnded(child.stdout), streamEnded(child.stderr)]);
    const out = lineWriter(opts.log, 'out');
    const err = lineWriter(opts.log, 'err');
    child.stdout?.on('data', (c: Buffer) => {
      out.write(c);
      opts.echo?.out.write(c);
    });
    child.stderr?.on('data', (c: Buffer) => {
      err.write(c);
      opts.echo?.err.write(c);
    });

    let killTimer: NodeJS.Timeout | undefined;
    let killDeadline: number | undefined;
    const stop = (why: 'timeout' | 'stop') => {
      if (settled || child.pid === undefined) return;
      if (why === 'timeout') timedOut = true;
      else stopped = true;
      opts.log.line(
        'sched',
        why === 'timeout'
          ? `timeout after ${opts.timeoutMs} ms: sending SIGTERM to the process group`
          : 'stopping: sending SIGTERM to the process group',
      );
      killGroup(child.pid, 'SIGTERM');
      killDeadline ??= Date.now() + opts.killGraceMs;
      killTimer ??= setTimeout(() => {
        if (child.pid !== undefined) {
          opts.log.line('sched', `still running after ${opts.killGraceMs} ms: sending SIGKILL`);
          killGroup(child.pid, 'SIGKILL');
        }
      }, opts.killGraceMs);
    };
    const timer =
      opts.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
    const onAbort = () => stop('stop');
    if (opts.signal?.aborted) queueMicrotask(onAbort);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = async (code: number | null, signal: NodeJS.Signals | null, error?: string) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Background processes the command left behind: stopped like systemd stops a unit's cgroup.
      if (child.pid !== undefined && !error) {
        const grace = killDeadline === undefined ? opts.killGraceMs : Math.max(0, killDeadline - Date.now());
        if (!isWindows && groupAlive(child.pid)) {
          if (!timedOut && !stopped)
            opts.log.line('sched', 'the command left processes running: stopping them');
          await terminateGroup(child.pid, grace);
        }
      }
      if (killTimer) clearTimeout(killTimer);
      watchdog?.release();
      // Let the pipes drain (every writer is gone now), but never hang on an escaped process.
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([pipesEnded, new Promise<void>((r) => (drainTimer = setTimeout(r, 1000)))]);
      clearTimeout(drainTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      out.flush();
      err.flush();
      resolve({
        exitCode: error ? 127 : (code ?? signalExitCode(signal)),
        signal: signal ?? null,
        timedOut,
        // A service manager signals the whole cgroup at once: the command may die before the
        // wrapper's own handler ran. Either way the run was stopped, not failed.
        stopped: stopped || (!timedOut && opts.signal?.aborted === true),
        error,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      const msg = e.code === 'ENOENT' ? `command not found: ${file}` : `cannot start ${file}: ${e.message}`;
      opts.log.line('sched', msg);
      void finish(null, null, msg);
    });
    child.on('exit', (code, signal) => void finish(code, signal));
  });
}

/** Resolves once `s` has delivered all its data: at 'end', or at 'close' should it never end (an error). */
function streamEnded(s: NodeJS.ReadableStream | null): Promise<void> {
  if (!s) return Promise.resolve();
  return new Promise((r) => {
    // 'end' comes an event-loop turn or two before 'close' (the handle's close): the time the
    // wrapper waits after every job.
    s.once('end', () => r());
    s.once('close', () => r());
  });
}

/**
 * Stops what is left of a run whose wrapper died (kill -9, OOM): its command's process group,
 * which would otherwise go on unsupervised — no log, no timeout, and outside the overlap lock.
 * Only on this host, only on Linux, and only when the group is provably the run's: its leader
 * is the very process recorded (same start time), or the leader is gone while members remain
 * (a pgid cannot be reused while its group exists). Returns true when something was stopped.
 */
export async function reapOrphanGroup(
  pgid: number,
  leaderStart: string | undefined,
  graceMs: number,
): Promise<boolean> {
  if (process.platform !== 'linux' || !Number.isInteger(pgid) || pgid <= 1) return false;
  const start = processStartTicks(pgid);
  if (start !== undefined && start !== leaderStart) return false; // the pid was reused by another process
  if (!groupAlive(pgid)) return false;
  await terminateGroup(pgid, graceMs);
  return true;
}

/**
 * Sends `signal` to process group `pgid` when it is provably the one recorded: its leader is the
 * very process (same start time), or the leader is gone while members remain (a pgid cannot be
 * reused while its group exists). Linux only. Returns true when a signal was sent.
 */
export function killGroupOf(pgid: number, leaderStart: string | undefined, signal: NodeJS.Signals): boolean {
  if (process.platform !== 'linux' || !Number.isInteger(pgid) || pgid <= 1) return false;
  const start = processStartTicks(pgid);
  if (start !== undefined && start !== leaderStart) return false;
  if (!groupAlive(pgid)) return false;
  killGroup(pgid, signal);
  return true;
}
