/**
 * Builds backends with their real OS ports, and picks one for `backend: auto`. Each backend's
 * module is imported only when that backend is used, so start-up stays light.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { BackendChoice, BackendName } from '../model/job.js';
import { NodeDirFs, NodeRunner } from '../platform/node.js';
import type { Runner } from '../platform/ports.js';
import type { Backend, Detection } from './types.js';

export interface HostOptions {
  env?: NodeJS.ProcessEnv;
  runner?: Runner;
  homeDir?: string;
  stateRoot: string;
  /** systemd: `user` (default) or `system` (as root). */
  systemdScope?: 'user' | 'system';
  platform?: NodeJS.Platform;
  /** The moment the command runs (backends whose checks look ahead, e.g. Kubernetes clock changes). */
  now?: Date;
}

/** The systemd unit directory sched writes to for `options`. */
function systemdUnitDir(options: HostOptions): string {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? os.homedir();
  return (options.systemdScope ?? 'user') === 'system'
    ? '/etc/systemd/system'
    : path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'systemd', 'user');
}

/**
 * What a backend writes to, as a short file-name-safe key: two projects with the same key share
 * one native target (one user crontab, one unit directory…) and must not change it at the same
 * time (the apply service takes one lock per key).
 */
export function backendTargetKey(name: BackendName, options: HostOptions): string {
  const tag = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  switch (name) {
    case 'systemd':
      return `systemd-${options.systemdScope ?? 'user'}-${tag(systemdUnitDir(options))}`;
    case 'crontab':
      return `crontab-${tag(currentUser())}`;
    case 'launchd':
      return `launchd-${tag(path.join(options.homeDir ?? os.homedir(), 'Library', 'LaunchAgents'))}`;
    case 'windows':
      return `windows-${tag(currentUser())}`;
    case 'kubernetes':
      return 'kubernetes';
    case 'embedded':
      return `embedded-${tag(path.join(options.stateRoot, 'embedded'))}`;
  }
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}

/** Creates the named backend, wired to this host. */
export async function createBackend(name: BackendName, options: HostOptions): Promise<Backend> {
  const runner = options.runner ?? new NodeRunner();
  const home = options.homeDir ?? os.homedir();
  switch (name) {
    case 'systemd': {
      const { SystemdBackend } = await import('./systemd/index.js');
      const scope = options.systemdScope ?? 'user';
      const now = options.now;
      return new SystemdBackend({
        runner,
        dir: new NodeDirFs(systemdUnitDir(options)),
        scope,
        ...(now ? { clock: { now: () => now } } : {}),
      });
    }
    case 'crontab': {
      const { CrontabBackend } = await import('./crontab/index.js');
      return new CrontabBackend({ runner });
    }
    case 'launchd': {
      const { LaunchdBackend } = await import('./launchd/index.js');
      const uid = typeof process.getuid === 'function' ? process.getuid() : 501;
      return new LaunchdBackend({
        runner,
        dir: new NodeDirFs(path.join(home, 'Library', 'LaunchAgents')),
        uid,
      });
    }
    case 'windows': {
      const { WindowsBackend } = await import('./windows/index.js');
      return new WindowsBackend({ runner, tempDir: os.tmpdir() });
    }
    case 'kubernetes': {
      const { KubernetesBackend } = await import('./kubernetes/index.js');
      const now = options.now;
      return new KubernetesBackend(now ? { runner, clock: { now: () => now } } : { runner });
    }
    case 'embedded': {
      const { EmbeddedBackend } = await import('./embedded/index.js');
      return new EmbeddedBackend({ dir: new NodeDirFs(path.join(options.stateRoot, 'embedded'), 0o700) });
    }
  }
}

export interface BackendSelection {
  backend: Backend;
  reason: string;
}

/**
 * Resolves `backend:` to a backend. `auto` picks launchd on macOS, Task Scheduler on Windows,
 * the systemd user manager where one answers, else the crontab where `crontab` exists, else
 * `embedded` — and says why.
 */
export async function selectBackend(choice: BackendChoice, options: HostOptions): Promise<BackendSelection> {
  if (choice !== 'auto') {
    return { backend: await createBackend(choice, options), reason: 'set in schedules.yaml' };
  }
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin') {
    return { backend: await createBackend('launchd', options), reason: 'auto: macOS uses launchd' };
  }
  if (platform === 'win32') {
    return { backend: await createBackend('windows', options), reason: 'auto: Windows uses Task Scheduler' };
  }
  const rejected: string[] = [];
  for (const name of ['systemd', 'crontab'] as const) {
    const backend = await createBackend(name, options);
    const detection: Detection = await backend
      .detect()
      .catch((e: Error) => ({ available: false, reason: e.message }));
    if (detection.available) {
      const before = rejected.length ? `; ${rejected.join('; ')}` : '';
      return { backend, reason: `auto: ${detection.reason}${before}` };
    }
    rejected.push(`${name}: ${detection.reason}`);
  }
  const embedded = await createBackend('embedded', options);
  return {
    backend: embedded,
    reason: `auto: no OS scheduler reachable (${rejected.join('; ')}); jobs are fired by \`sched daemon\``,
  };
}
