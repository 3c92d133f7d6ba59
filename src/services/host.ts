/**
 * What a service needs to know about the host it runs on, resolved once: where state lives,
 * which node and sched the native entries must call, the host zone. Overridable for tests.
 */
import os from 'node:os';
import type { RenderContext } from '../backends/types.js';
import type { HostOptions } from '../backends/registry.js';
import { schedBinPath } from '../platform/node.js';
import type { Runner } from '../platform/ports.js';
import { hostSchedulerZone, nodeZoneFiles, type HostZone } from '../platform/host-zone.js';
import type { ZoneFiles } from '../platform/ports.js';
import { stateRoot } from '../state/paths.js';

export interface HostSettings {
  env: NodeJS.ProcessEnv;
  runner?: Runner;
  now: Date;
  systemdScope?: 'user' | 'system';
  /** Where the host scheduler's zone is read (default: this machine's /etc/localtime). */
  zoneFiles?: ZoneFiles;
  /**
   * The command line an apply records in the locks it takes, shown to a second apply that finds
   * them held (e.g. `sched apply --auto-approve`). Given by the caller: a service never reads
   * the process arguments. Default: `sched`.
   */
  commandLine?: string;
}

/**
 * The zone the host's scheduler fires jobs in, and jobs without `timezone:` get: never the
 * caller's `$TZ` (cron and systemd do not see the shell that ran `sched apply`).
 */
export function hostZone(host: HostSettings): HostZone {
  return hostSchedulerZone(host.zoneFiles ?? nodeZoneFiles(host.env));
}

export function defaultHost(overrides: Partial<HostSettings> = {}): HostSettings {
  return { env: process.env, now: new Date(), ...overrides };
}

export function renderContext(host: HostSettings): RenderContext {
  return {
    nodePath: host.env.SCHED_NODE_PATH || process.execPath,
    schedBin: host.env.SCHED_BIN_PATH || schedBinPath(),
    stateDir: stateRoot(host.env),
    hostTimezone: hostZone(host).zone,
    homeDir: host.env.HOME || os.homedir(),
    explicitStateDir: host.env.SCHED_HOME ? stateRoot(host.env) : undefined,
  };
}

export function hostOptions(host: HostSettings): HostOptions {
  return {
    env: host.env,
    runner: host.runner,
    homeDir: host.env.HOME || os.homedir(),
    stateRoot: stateRoot(host.env),
    systemdScope: host.systemdScope,
    now: host.now,
  };
}
