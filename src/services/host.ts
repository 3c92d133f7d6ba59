/**
 * What a service needs to know about the host it runs on, resolved once: where state lives,
 * which node and sched the native entries must call, the host zone. Overridable for tests.
 */
import os from 'node:os';
import type { RenderContext } from '../backends/types.js';
import type { HostOptions } from '../backends/registry.js';
import { schedBinPath } from '../platform/node.js';
import type { Runner } from '../platform/ports.js';
import { hostTimeZone } from '../schedule/zoned.js';
import { stateRoot } from '../state/paths.js';

export interface HostSettings {
  env: NodeJS.ProcessEnv;
  runner?: Runner;
  now: Date;
  systemdScope?: 'user' | 'system';
}

export function defaultHost(overrides: Partial<HostSettings> = {}): HostSettings {
  return { env: process.env, now: new Date(), ...overrides };
}

export function renderContext(host: HostSettings): RenderContext {
  return {
    nodePath: host.env.SCHED_NODE_PATH || process.execPath,
    schedBin: host.env.SCHED_BIN_PATH || schedBinPath(),
    stateDir: stateRoot(host.env),
    hostTimezone: hostTimeZone(),
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
