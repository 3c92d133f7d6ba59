/** The systemd provider: user (or system) timers and services. */
import os from 'node:os';
import path from 'node:path';
import { NodeDirFs, NodeRunner } from '../../platform/node.js';
import type { BackendProvider, HostOptions, ProviderDoctorDeps, ProviderFinding } from '../provider.js';
import { targetTag } from '../target-key.js';
import { DAEMON_UNIT_NAME, renderDaemonUnit } from './daemon-unit.js';
import { compensatedUntil } from './compensation.js';
import { SYSTEMD_CLOCK_CHANGES } from './render.js';
import { wakeListenerWarnings } from './wake-status.js';

/** The systemd unit directory sched writes to for `options`. */
export function systemdUnitDir(options: Pick<HostOptions, 'env' | 'homeDir' | 'systemdScope'>): string {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? os.homedir();
  return (options.systemdScope ?? 'user') === 'system'
    ? '/etc/systemd/system'
    : path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'systemd', 'user');
}

/** Without lingering, the user manager (and every timer) stops when the user logs out. */
async function checkLinger(deps: ProviderDoctorDeps): Promise<ProviderFinding> {
  const r = await deps.runner
    .run('loginctl', ['show-user', deps.user, '-p', 'Linger'])
    .catch(() => undefined);
  if (!r)
    return {
      id: 'linger',
      status: 'warn',
      message: 'cannot check lingering: loginctl is not installed',
      fix: 'Without lingering, user timers stop when you log out; check with your init system.',
    };
  const value = /Linger=(\w+)/.exec(r.stdout)?.[1];
  if (r.exitCode === 0 && value === 'yes')
    return {
      id: 'linger',
      status: 'ok',
      message: `lingering is enabled for ${deps.user}: timers run while you are logged out`,
    };
  if (r.exitCode === 0 && value === 'no') {
    return {
      id: 'linger',
      status: 'warn',
      message: `lingering is off for ${deps.user}: the user manager, and every timer, stops when you log out`,
      fix: `loginctl enable-linger ${deps.user}`,
    };
  }
  return {
    id: 'linger',
    status: 'warn',
    message: `cannot tell whether lingering is enabled (${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`})`,
    fix: `loginctl enable-linger ${deps.user}`,
  };
}

/**
 * systemd `wake` jobs run on resume through the wake listener, which needs gdbus and a system bus
 * where logind owns its name: ask the bus who owns org.freedesktop.login1, as the listener would.
 */
async function checkWake(deps: ProviderDoctorDeps, jobs: string[]): Promise<ProviderFinding> {
  const r = await deps.runner
    .run('gdbus', [
      'call',
      '--system',
      '--dest',
      'org.freedesktop.DBus',
      '--object-path',
      '/org/freedesktop/DBus',
      '--method',
      'org.freedesktop.DBus.GetNameOwner',
      'org.freedesktop.login1',
    ])
    .catch(() => undefined);
  const which = `wake jobs (${jobs.join(', ')})`;
  if (!r)
    return {
      id: 'wake',
      status: 'fail',
      message: `gdbus is not installed: ${which} would not run on resume`,
      fix: 'Install it: apt install libglib2.0-bin (Debian/Ubuntu), or glib2 (Fedora/Arch).',
    };
  if (r.exitCode !== 0)
    return {
      id: 'wake',
      status: 'fail',
      message: `the system bus or logind does not answer (${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.exitCode}`}): ${which} would not run on resume`,
      fix: 'wake needs systemd-logind on the system D-Bus; on a host without them use a cron schedule with catch_up: true.',
    };
  return {
    id: 'wake',
    status: 'ok',
    message: `the system bus answers and logind is on it: ${which} run on resume`,
  };
}

export const systemdProvider: BackendProvider = {
  name: 'systemd',
  schemaDoc: '`sched-<project>-<job>.service` + `.timer` user units',
  capabilities: {
    nativeJitter: true,
    nativeCatchUp: true,
    runsRecordedHere: true,
    keepsPausedJobsRegistered: false,
  },
  auto: { probeOrder: 1 },
  importFrom: { on: (platform) => platform !== 'win32' && platform !== 'darwin', order: 2, listed: 2 },
  async create(options) {
    const { SystemdBackend } = await import('./index.js');
    const runner = options.runner ?? new NodeRunner();
    const scope = options.systemdScope ?? 'user';
    const now = options.now;
    return new SystemdBackend({
      runner,
      dir: new NodeDirFs(systemdUnitDir(options)),
      scope,
      ...(now ? { clock: { now: () => now } } : {}),
    });
  },
  targetKey: (options) => `systemd-${options.systemdScope ?? 'user'}-${targetTag(systemdUnitDir(options))}`,
  overdueHint: (job) =>
    `is the timer active? (systemctl --user list-timers sched-${job.project}-${job.name}.timer; loginctl enable-linger for runs while logged out)`,
  unreachableFix:
    "Start a user session with a user manager (log in, or 'loginctl enable-linger $USER'), or set backend: crontab.",
  clockChanges: SYSTEMD_CLOCK_CHANGES.clockChanges,
  clockChangesUntil: (artifact) =>
    artifact.kind === 'timer' ? compensatedUntil(artifact.content) : undefined,
  statusWarnings: wakeListenerWarnings,
  async doctor(deps) {
    const findings = deps.platform === 'linux' ? [await checkLinger(deps)] : [];
    const wakeJobs = (deps.jobs ?? [])
      .filter((j) => j.enabled && j.schedule.kind === 'event' && j.schedule.event === 'wake')
      .map((j) => j.name);
    if (wakeJobs.length > 0) findings.push(await checkWake(deps, wakeJobs));
    return findings;
  },
  daemonHost: {
    label: 'systemd (Linux)',
    platforms: 'default',
    location: (env, home) => ({
      dir: systemdUnitDir({ env, homeDir: home, systemdScope: 'user' }),
      name: DAEMON_UNIT_NAME,
    }),
    render: renderDaemonUnit,
    enable: () => [
      'systemctl --user daemon-reload',
      `systemctl --user enable --now ${DAEMON_UNIT_NAME}`,
      'loginctl enable-linger "$USER"   # keeps it running when you are logged out',
    ],
  },
};
