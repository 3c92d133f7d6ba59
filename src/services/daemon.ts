/**
 * `sched daemon`: wires the daemon loop (src/daemon) to the real world — the lock, the records on
 * disk, a file watcher, `sched run` child processes, signals and the log stream — and
 * `sched daemon --install`. No flags and no printing of its own: output goes through `write`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { allProviders, PROVIDERS } from '../backends/registry.js';
import type { DaemonHost } from '../backends/provider.js';
import { UserError } from '../errors.js';
import { formatElapsed } from '../config/duration.js';
import { runArgv } from '../backends/invocation.js';
import { isValidProjectName, type BackendName } from '../model/job.js';
import { NodeDirFs, schedBinPath, systemClock } from '../platform/node.js';
import type { Clock } from '../platform/ports.js';
import type { SignalSource } from '../platform/signals.js';
import { nextFireTimes } from '../schedule/occurrences.js';
import { Daemon, type DaemonEvent, type RunHandle, type RunRequest } from '../daemon/daemon.js';
import { acquireDaemonLock, embeddedRoot } from '../daemon/lock.js';
import { loadEmbeddedJobs } from '../daemon/records.js';
import { DAEMON_INSTALL_MARKER } from '../daemon/install.js';

/** sched's bin/run.js relative to this compiled file (dist/services → ../../bin). */
/** The grace period: the flag, else `SCHED_DAEMON_GRACE_SECONDS`, else 30 s. */
export function resolveGraceMs(
  flagSeconds: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (flagSeconds !== undefined) return Math.max(0, flagSeconds) * 1000;
  const fromEnv = env.SCHED_DAEMON_GRACE_SECONDS;
  if (fromEnv !== undefined && fromEnv !== '' && Number.isFinite(Number(fromEnv)))
    return Math.max(0, Number(fromEnv)) * 1000;
  return 30_000;
}

function validateProjects(projects: readonly string[] | undefined): string[] | undefined {
  if (!projects || projects.length === 0) return undefined;
  for (const p of projects) {
    if (!isValidProjectName(p)) {
      throw new UserError(
        `invalid project name '${p}'`,
        'Project names use lower-case letters, digits and dashes.',
      );
    }
  }
  return [...new Set(projects)].sort();
}

/**
 * The version of `sched daemon --json` log lines (docs/json.md). 2: keys in snake_case
 * (`duration_ms`, `grace_ms`, `state_dir`) and `format_version` on every line.
 */
export const DAEMON_LOG_FORMAT_VERSION = 2;

/** `stateDir` → `state_dir`, at every depth: the events are built from camelCase objects. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(v)]),
  );
}

/** Formats one event as a log line: JSON (published: docs/json.md), or `TIME message key=value…`. */
export function formatEvent(e: DaemonEvent, json: boolean): string {
  if (json) return JSON.stringify({ format_version: DAEMON_LOG_FORMAT_VERSION, ...(snakeKeys(e) as object) });
  const who =
    typeof e.job === 'string'
      ? `${String(e.project)}/${e.job}`
      : typeof e.project === 'string'
        ? e.project
        : '';
  let msg: string;
  switch (e.event) {
    case 'started':
      msg = `started: ${String(e.jobs)} job(s) in ${(e.projects as string[]).length} project(s)${(e.projects as string[]).length ? ` (${(e.projects as string[]).join(', ')})` : ''}; state dir ${String(e.stateDir ?? '')}`;
      break;
    case 'fired':
      msg =
        e.reason === 'boot' || e.reason === 'start'
          ? `fired ${who} at start (schedule: ${e.reason === 'boot' ? 'boot' : 'wake'})`
          : e.reason === 'wake'
            ? `fired ${who} on wake from sleep`
            : `fired ${who} at ${String(e.scheduled)}${e.coalesced ? ` (${String(e.coalesced)} earlier missed instant(s) coalesced)` : ''}`;
      break;
    case 'woke':
      msg = `the machine woke after ${(Number(e.asleepMs) / 1000).toFixed(0)}s asleep; wake jobs: ${(e.jobs as string[]).join(', ') || 'none'}`;
      break;
    case 'catch-up':
      msg = `catch-up run for project ${who}`;
      break;
    case 'exited':
      msg = `${e.catchUp ? `catch-up of ${who}` : who} exited ${e.signal ? `on signal ${String(e.signal)}` : `with code ${String(e.code)}`} after ${formatElapsed(Number(e.durationMs), { tenths: true })}${e.stderr ? `: ${String(e.stderr).trim().split('\n').slice(-3).join(' | ')}` : ''}`;
      break;
    case 'spawn-failed':
      msg = `could not start sched run for ${who}: ${String(e.error)}`;
      break;
    case 'picked-up-change': {
      const parts: string[] = [];
      for (const k of ['added', 'changed', 'removed'] as const) {
        const list = e[k] as string[];
        if (list.length) parts.push(`${k} ${list.join(', ')}`);
      }
      msg = `picked up change: ${parts.join('; ')}${e.next ? `; next fire ${String(e.next)}` : ''}`;
      break;
    }
    case 'invalid-record':
      msg = `ignoring ${String(e.file)}: ${String(e.problem)}`;
      break;
    case 'rescan-failed':
      msg = `could not read the records: ${String(e.error)}`;
      break;
    case 'stopping':
      msg = `stopping${e.signal ? ` on ${String(e.signal)}` : ''}: ${String(e.running)} run(s) in progress, waiting up to ${Number(e.graceMs) / 1000}s`;
      break;
    case 'terminating':
      msg = `grace period over: sending SIGTERM to ${(e.running as string[]).join(', ')}`;
      break;
    case 'clock-changed':
      msg = `the clock was stepped ${Number(e.stepMs) < 0 ? 'back' : 'forward'} by ${formatElapsed(Math.abs(Number(e.stepMs)), { tenths: true })}; next fire ${e.next ? String(e.next) : 'none'}`;
      break;
    case 'stopped':
      msg = `stopped${e.abandoned ? ` (${String(e.abandoned)} run(s) did not exit)` : ''}`;
      break;
    default:
      msg = e.event;
  }
  return `${e.time} ${msg}`;
}

/**
 * Linux's boot clock in ms (CLOCK_BOOTTIME: /proc/uptime's first field counts time asleep too);
 * undefined elsewhere. With performance.now() (CLOCK_MONOTONIC, stopped while asleep) it tells
 * the daemon exactly how long the machine slept.
 */
export function linuxBootClock(): number | undefined {
  try {
    const seconds = Number(readFileSync('/proc/uptime', 'ascii').split(' ')[0]);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The trigger of the runs the daemon starts: it is the embedded backend's scheduler. */
const DAEMON_TRIGGER: BackendName = PROVIDERS.embedded.name;

/** Starts `sched run` detached (its own process group: a terminal's Ctrl-C reaches only the daemon). */
export function spawnSchedRun(
  nodePath: string,
  schedBin: string,
  request: RunRequest,
  env: NodeJS.ProcessEnv,
): RunHandle {
  // A run the wake started says so in its history (`trigger: wake`).
  const args = [
    schedBin,
    ...runArgv({
      project: request.project,
      trigger: request.wake ? 'wake' : DAEMON_TRIGGER,
      catchUp: request.catchUp,
      job: request.job || undefined,
    }),
  ];
  const child = spawn(nodePath, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr?: string }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) =>
        resolve({ code, signal, ...(code !== 0 && stderr ? { stderr } : {}) }),
      );
    },
  );
  return {
    pid: child.pid,
    exited,
    kill: (signal) => {
      try {
        child.kill(signal);
      } catch {
        /* already gone */
      }
    },
    forceKill: () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}

function wrapperKillGraceMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.SCHED_KILL_GRACE_MS);
  return env.SCHED_KILL_GRACE_MS !== undefined &&
    env.SCHED_KILL_GRACE_MS !== '' &&
    Number.isFinite(v) &&
    v >= 0
    ? v
    : 10_000;
}

export interface RunDaemonOptions {
  stateRoot: string;
  projects?: string[];
  json: boolean;
  graceMs: number;
  write: (line: string) => void;
  /** SIGTERM and SIGINT stop the daemon (a second one skips the grace period); SIGHUP rescans. */
  signals: SignalSource;
  clock?: Clock;
  /** Rescan period in ms (default 2000; `SCHED_DAEMON_RESCAN_MS` overrides). */
  rescanMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the daemon in the foreground until SIGTERM or SIGINT (from `options.signals`), then stops
 * it gracefully. Throws a
 * UserError when another daemon holds the state dir's lock.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<void> {
  const env = options.env ?? process.env;
  const projects = validateProjects(options.projects);
  const lock = await acquireDaemonLock(options.stateRoot, projects ?? null);
  const root = embeddedRoot(options.stateRoot);
  const clock = options.clock ?? systemClock;
  const schedBin = schedBinPath();
  const runEnv: NodeJS.ProcessEnv = { ...env, SCHED_HOME: options.stateRoot };
  const write = (e: DaemonEvent): void => options.write(formatEvent(e, options.json));
  const rescanFromEnv = Number(env.SCHED_DAEMON_RESCAN_MS);
  let watcher: { close(): Promise<void> } | undefined;
  const stopListening: Array<() => void> = [];
  try {
    const daemon = new Daemon({
      clock,
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      nextFire: nextFireTimes,
      monotonic: () => performance.now(),
      sinceBoot: linuxBootClock,
      loadJobs: () => loadEmbeddedJobs(options.stateRoot, projects),
      spawnRun: (request) => spawnSchedRun(process.execPath, schedBin, request, runEnv),
      log: (e) => write(e.event === 'started' ? { ...e, stateDir: options.stateRoot } : e),
      graceMs: options.graceMs,
      // The wrapper, once SIGTERMed, gives its job SCHED_KILL_GRACE_MS (default 10 s) before SIGKILL:
      // wait that long and a little more before forcing the wrapper itself.
      killAfterMs: wrapperKillGraceMs(env) + 5_000,
      rescanMs:
        options.rescanMs ?? (Number.isFinite(rescanFromEnv) && rescanFromEnv > 0 ? rescanFromEnv : 2_000),
    });

    let signalled = 0;
    let stopRequested: (signal: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => {
      stopRequested = resolve;
    });
    stopListening.push(
      options.signals.listen(['SIGTERM', 'SIGINT'], (sig) => {
        signalled++;
        // The first signal starts a graceful stop; a second one skips the rest of the grace period.
        if (signalled === 1) stopRequested(sig);
        else void daemon.stop(sig);
      }),
    );

    // SIGHUP: re-read the records now (the usual "reload" signal of a daemon).
    stopListening.push(options.signals.listen(['SIGHUP'], () => void daemon.rescan()));

    await daemon.start();
    watcher = await watchRecords(root, () => void daemon.rescan());
    const sig = await stopSignal;
    await daemon.stop(sig);
  } finally {
    for (const stop of stopListening) stop();
    await watcher?.close().catch(() => undefined);
    await lock.release();
  }
}

/** Watches the records directory (all projects) and calls `onChange`, debounced. */
async function watchRecords(root: string, onChange: () => void): Promise<{ close(): Promise<void> }> {
  const { watch } = await import('chokidar');
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(root, { ignoreInitial: true, depth: 1, followSymlinks: false });
  watcher.on('all', (_event, file) => {
    // The daemon lock (a directory, with the fresh directories of its acquisitions) is no record.
    if (file.split(path.sep).some((part) => part.startsWith('daemon.lock'))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, 100);
  });
  watcher.on('error', () => {
    /* the periodic rescan covers a broken watch */
  });
  return {
    close: async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}

export interface InstallDaemonOptions {
  stateRoot: string;
  projects?: string[];
  graceSeconds: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface InstallDaemonResult {
  file: string;
  /** The backend whose service manager runs the daemon. */
  kind: BackendName;
  /** Commands the user runs to enable the service. */
  enable: string[];
  /** Whether the file changed (false: identical file already there). */
  changed: boolean;
}

/**
 * The provider whose service manager keeps the daemon running on `platform`: the one that claims
 * the platform, else the default one — none on Windows (Task Scheduler is a backend there).
 */
function daemonHostFor(platform: NodeJS.Platform): {
  name: BackendName;
  daemonHost: DaemonHost;
  location: DaemonHost['location'];
} {
  const hosts = allProviders().flatMap((p) =>
    p.daemonHost ? [{ name: p.name, daemonHost: p.daemonHost }] : [],
  );
  const host =
    hosts.find((h) => h.daemonHost.platforms !== 'default' && h.daemonHost.platforms.includes(platform)) ??
    (platform === 'win32' ? undefined : hosts.find((h) => h.daemonHost.platforms === 'default'));
  if (!host) {
    const names = hosts.map((h) => h.daemonHost.label).join(' and ');
    throw new UserError(
      `\`sched daemon --install\` supports ${names}`,
      'On Windows, use `backend: windows` (Task Scheduler) instead, or start `sched daemon` from a service manager of your choice.',
    );
  }
  return { ...host, location: host.daemonHost.location };
}

/**
 * Writes the service definition for the daemon itself (systemd user unit or launchd agent). Never
 * enables it; never overwrites a file sched did not write.
 */
export async function installDaemon(options: InstallDaemonOptions): Promise<InstallDaemonResult> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  const projects = validateProjects(options.projects);
  const args = (projects ?? []).flatMap((p) => ['--project', p]);
  const daemonEnv: Record<string, string> = {};
  // The service must use the same state dir as this shell does.
  if (env.SCHED_HOME) daemonEnv.SCHED_HOME = path.resolve(env.SCHED_HOME);
  else if (env.XDG_STATE_HOME && platform === 'linux') daemonEnv.XDG_STATE_HOME = env.XDG_STATE_HOME;
  if (env.PATH) daemonEnv.PATH = env.PATH;
  const common = {
    nodePath: process.execPath,
    schedBin: schedBinPath(),
    args,
    env: daemonEnv,
    graceSeconds: options.graceSeconds,
  };
  const host = daemonHostFor(platform);
  const { dir, name } = host.location(env, home);
  const content = host.daemonHost.render({
    ...common,
    logFile: path.join(embeddedRoot(options.stateRoot), 'daemon.log'),
  });
  const enable = host.daemonHost.enable(path.join(dir, name));
  const kind = host.name;
  const file = path.join(dir, name);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.includes(DAEMON_INSTALL_MARKER)) {
    throw new UserError(
      `${file} exists and was not written by sched`,
      'Move it away, then run `sched daemon --install` again.',
    );
  }
  if (existing === content) return { file, kind, enable, changed: false };
  await new NodeDirFs(dir).write(name, content, 0o644);
  return { file, kind, enable, changed: true };
}
