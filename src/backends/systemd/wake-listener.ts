/**
 * `sched wake-listen`: the process behind a project's wake listener unit (wake-unit.ts). It
 * listens to logind's `PrepareForSleep` signal on the system bus and, on each resume
 * (`PrepareForSleep(false)`), starts the service of every wake job of the project with
 * `systemctl [--user] start --no-block`, so each run goes through that service's `sched run`.
 *
 * Why `gdbus monitor` and not a D-Bus client of our own: GLib's client is the one desktop Linux
 * already runs (authentication, address forms, message parsing all proven), it is in the package
 * that provides `gsettings` (libglib2.0-bin on Debian/Ubuntu, glib2 elsewhere), and sched keeps
 * no protocol code to get wrong. `--dest org.freedesktop.login1` makes the bus deliver the
 * signal only when it comes from the owner of logind's name: any local user can broadcast a
 * signal with logind's path and interface on the system bus, and must not be able to start our
 * jobs that way. gdbus prints one line per signal, flushed, in a form stable since GLib 2.26.
 *
 * Failing loudly: when gdbus cannot connect, is missing, or the bus goes away (gdbus then ends by
 * SIGTERM to itself), the listener records `failed` with the reason in the state dir (read by
 * `sched status`), writes it to stderr (the journal), and exits 1 — systemd restarts it, and
 * leaves it failed after repeated failures (`plan` then shows it as not registered).
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import type { Clock, Runner } from '../../platform/ports.js';
import type { WakeListenerStatus } from '../../state/wake-listener.js';
import { serviceName, type SystemdScope } from './render.js';

export const LOGIN1_NAME = 'org.freedesktop.login1';
export const LOGIN1_PATH = '/org/freedesktop/login1';

/** argv of the monitor (after `gdbus`). */
export const MONITOR_ARGS = ['monitor', '--system', '--dest', LOGIN1_NAME, '--object-path', LOGIN1_PATH];

const SIGNAL_LINE =
  /^\/org\/freedesktop\/login1: org\.freedesktop\.login1\.Manager\.PrepareForSleep \((true|false),\)\s*$/;

/** What a line of `gdbus monitor` says: logind going to sleep, resumed, or nothing we act on. */
export function parseMonitorLine(line: string): 'sleep' | 'resume' | undefined {
  const m = SIGNAL_LINE.exec(line);
  if (!m) return undefined;
  return m[1] === 'true' ? 'sleep' : 'resume';
}

/** The running monitor process. */
export interface MonitorProcess {
  /** Called with each line of its stdout. */
  onLine(listener: (line: string) => void): void;
  /** Settles when it has exited (or could not start: `error`). */
  exited: Promise<{ code: number | null; signal: string | null; stderr: string; error?: string }>;
  stop(): void;
}

export interface WakeListenerDeps {
  spawnMonitor(): MonitorProcess;
  runner: Runner;
  clock: Clock;
  scope: SystemdScope;
  pid: number;
  /** Stores the listener's status (state dir). Errors writing it are logged, never fatal. */
  record(status: WakeListenerStatus): void;
  /** One line for the journal. */
  log(line: string): void;
}

export class WakeListener {
  private monitor: MonitorProcess | undefined;
  private stopping = false;
  private status: WakeListenerStatus;
  /** Starts in flight, so a resume is fully handed to systemd before a stop ends the process. */
  private starting: Promise<void> = Promise.resolve();

  constructor(
    private readonly project: string,
    private readonly jobs: readonly string[],
    private readonly deps: WakeListenerDeps,
  ) {
    this.status = {
      state: 'listening',
      pid: deps.pid,
      since: deps.clock.now().toISOString(),
      jobs: [...jobs],
    };
  }

  /** A new state; the last resume and sleep are kept. */
  private fresh(state: WakeListenerStatus['state']): WakeListenerStatus {
    return {
      ...this.status,
      state,
      pid: this.deps.pid,
      since: this.deps.clock.now().toISOString(),
      jobs: [...this.jobs],
      error: undefined,
    };
  }

  private save(): void {
    try {
      this.deps.record(this.status);
    } catch (e) {
      this.deps.log(`cannot record the listener's status: ${(e as Error).message}`);
    }
  }

  /** Listens until the monitor ends (exit code 1, recorded as failed) or {@link stop} (exit code 0). */
  async run(): Promise<number> {
    let monitor: MonitorProcess;
    try {
      monitor = this.deps.spawnMonitor();
    } catch (e) {
      return this.fail(`cannot start gdbus: ${(e as Error).message}`);
    }
    this.monitor = monitor;
    let connected = false;
    monitor.onLine((line) => {
      if (!connected) {
        // gdbus connects first, then prints "Monitoring signals on object … owned by …".
        connected = true;
        this.status = this.fresh('listening');
        this.save();
        this.deps.log(
          `listening for resume on the system bus; wake jobs of ${this.project}: ${this.jobs.join(', ')}`,
        );
      }
      const what = parseMonitorLine(line);
      if (what === 'sleep') {
        this.status.last_sleep = this.deps.clock.now().toISOString();
        this.save();
        this.deps.log('the machine is going to sleep: nothing to start');
      } else if (what === 'resume') {
        this.status.last_resume = this.deps.clock.now().toISOString();
        this.save();
        this.starting = this.starting.then(() => this.startJobs());
      }
    });
    const end = await monitor.exited;
    await this.starting;
    if (this.stopping) {
      this.status = this.fresh('stopped');
      this.save();
      this.deps.log('stopped');
      return 0;
    }
    if (end.error) {
      const missing = /ENOENT/.test(end.error);
      return this.fail(
        missing
          ? 'gdbus was not found: install it (Debian/Ubuntu: libglib2.0-bin; Fedora/Arch: glib2) so wake jobs run on resume'
          : `cannot start gdbus: ${end.error}`,
      );
    }
    const said = end.stderr.trim().split('\n').filter(Boolean).at(-1);
    const how = end.signal ? `signal ${end.signal}` : `exit code ${end.code}`;
    return this.fail(
      connected
        ? `lost the system bus (gdbus ended with ${how}${said ? `: ${said}` : ''}); wake jobs do not run on resume until it is back`
        : `cannot reach the system bus${said ? `: ${said}` : ` (gdbus ended with ${how})`}; wake jobs do not run on resume`,
    );
  }

  private fail(error: string): number {
    this.status = { ...this.fresh('failed'), error };
    this.save();
    this.deps.log(`error: ${error}`);
    return 1;
  }

  /** Hands each wake job's service to systemd; a refusal is logged per job, the others still start. */
  private async startJobs(): Promise<void> {
    const scope = this.deps.scope === 'user' ? ['--user'] : [];
    for (const job of this.jobs) {
      const unit = serviceName(this.project, job);
      try {
        const r = await this.deps.runner.run('systemctl', [...scope, 'start', '--no-block', '--', unit]);
        if (r.exitCode === 0) this.deps.log(`resumed from sleep: started ${unit}`);
        else
          this.deps.log(
            `error: resumed from sleep but could not start ${unit}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`,
          );
      } catch (e) {
        this.deps.log(`error: resumed from sleep but could not start ${unit}: ${(e as Error).message}`);
      }
    }
  }

  /** Stops listening (SIGTERM from systemd); run() then resolves with 0. */
  stop(): void {
    this.stopping = true;
    this.monitor?.stop();
  }
}

/** `gdbus monitor` as a child process; stdout read line by line. */
export function spawnGdbusMonitor(env: NodeJS.ProcessEnv = process.env): MonitorProcess {
  const child = spawn('gdbus', MONITOR_ARGS, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string; error?: string }>(
    (resolve) => {
      child.once('error', (e) => resolve({ code: null, signal: null, stderr, error: e.message }));
      child.once('close', (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    onLine: (listener) => lines.on('line', listener),
    exited,
    stop: () => child.kill('SIGTERM'),
  };
}
